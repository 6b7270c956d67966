"""The hub stands alone, the shared kernel is pure, and the demo world is imported only by the
demo's entry points. Every import counts, the lazy ones inside functions too.

* ``sync/hub/**`` imports ``sync.protocol``, ``sync.hub.*``, ``clerk.shared.*``, the standard
  library and third-party packages — nothing else of ours. The one exception: ``clerk hub
  seed`` loads ``demoworld.seed``, inside its command (``sync/hub/cli.py``, ``_cmd_seed``).
* ``clerk/shared/**`` imports nothing of ours outside ``clerk/shared/``.
* ``demoworld`` is imported by nothing in ``clerk/``, ``sync/`` or ``ui/`` but that seed command
  and ``clerk demo``, inside the CLI's demo command (``demoworld.app``).

Each rule has a positive control: the checker is run on planted violations and must find them.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = frozenset(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file())
HUB_MAY_IMPORT = ("sync.protocol", "sync.hub", "clerk.shared")


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name
    function: str | None  # the innermost function it is imported in; None at module level
    line: int


def _module_name(rel: str) -> str:
    parts = rel.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, rel: str) -> Iterator[Import]:
    """Every import in ``source`` (the file ``rel``, e.g. ``sync/hub/cli.py``), relative
    imports resolved, with the function it happens in."""
    package = _module_name(rel).split(".")
    if not rel.endswith("__init__.py"):
        package = package[:-1]

    def visit(node: ast.AST, function: str | None) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(alias.name, function, child.lineno)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    module = ".".join([*base, child.module] if child.module else base)
                else:
                    module = child.module or ""
                yield Import(module, function, child.lineno)
                # `from pkg import module` imports pkg.module too
                for alias in child.names:
                    yield Import(f"{module}.{alias.name}", function, child.lineno)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child, child.name)
            else:
                yield from visit(child, function)

    yield from visit(ast.parse(source), None)


def _ours(module: str) -> bool:
    top = module.split(".")[0]
    return top in OURS and top not in sys.stdlib_module_names


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _is_demo_seed_command(rel: str, imp: Import) -> bool:
    return rel == "sync/hub/cli.py" and imp.function == "_cmd_seed"


def _is_demo_app_command(rel: str, imp: Import) -> bool:
    in_cli = rel == "clerk/cli.py" or rel.startswith("clerk/cli/")
    return in_cli and imp.function is not None and "demo" in imp.function


def hub_violations(rel: str, source: str) -> list[str]:
    out = []
    for imp in imports(source, rel):
        if not _ours(imp.module) or _within(imp.module, HUB_MAY_IMPORT):
            continue
        if _within(imp.module, ("demoworld",)) and _is_demo_seed_command(rel, imp):
            continue
        out.append(f"{rel}:{imp.line}: {imp.module}")
    return out


def shared_violations(rel: str, source: str) -> list[str]:
    return [
        f"{rel}:{imp.line}: {imp.module}"
        for imp in imports(source, rel)
        if _ours(imp.module) and not _within(imp.module, ("clerk.shared",))
    ]


def demoworld_violations(rel: str, source: str) -> list[str]:
    out = []
    for imp in imports(source, rel):
        if not _within(imp.module, ("demoworld",)):
            continue
        if _is_demo_seed_command(rel, imp) and _within(imp.module, ("demoworld.seed",)):
            continue
        if _is_demo_app_command(rel, imp) and _within(imp.module, ("demoworld.app",)):
            continue
        out.append(f"{rel}:{imp.line}: {imp.module}")
    return out


def _sources(*folders: str) -> Iterator[tuple[str, str]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


# --- the rules, on the tree --------------------------------------------------------------------


def test_the_hub_imports_only_the_protocol_the_shared_kernel_and_itself() -> None:
    found = [v for rel, src in _sources("sync/hub") for v in hub_violations(rel, src)]
    assert found == []


def test_the_shared_kernel_imports_nothing_of_ours_outside_it() -> None:
    found = [v for rel, src in _sources("clerk/shared") for v in shared_violations(rel, src)]
    assert found == []


def test_only_the_demo_commands_import_the_demo_world() -> None:
    found = [
        v for rel, src in _sources("clerk", "sync", "ui") for v in demoworld_violations(rel, src)
    ]
    assert found == []


def test_the_rules_see_the_imports_they_are_about() -> None:
    """The tree's own imports are seen: the seed command's demo world, the CLI's demo, the
    hub's protocol (a checker that sees nothing passes everything)."""
    hub_cli = (ROOT / "sync/hub/cli.py").read_text(encoding="utf-8")
    assert any(
        i.module == "demoworld.seed" and i.function == "_cmd_seed"
        for i in imports(hub_cli, "sync/hub/cli.py")
    )
    app = (ROOT / "sync/hub/app.py").read_text(encoding="utf-8")
    assert any(i.module == "sync.protocol" for i in imports(app, "sync/hub/app.py"))
    cli = [src for rel, src in _sources("clerk") if rel == "clerk/cli.py" or "clerk/cli/" in rel]
    assert any(
        i.module.startswith("demoworld.app") and i.function is not None
        for src in cli
        for i in imports(src, "clerk/cli.py")
    )


# --- positive controls: planted violations are found ---------------------------------------------

PLANTED = """
import json
from clerk.cache import TABLES
from sync.protocol import Interaction
from clerk.shared import membercode
from . import store
from .. import engine


def later():
    import ui.qt
    from demoworld import world
"""


def test_planted_hub_violations_are_found() -> None:
    found = hub_violations("sync/hub/planted.py", PLANTED)
    assert found == [
        "sync/hub/planted.py:3: clerk.cache",
        "sync/hub/planted.py:3: clerk.cache.TABLES",
        "sync/hub/planted.py:7: sync",
        "sync/hub/planted.py:7: sync.engine",
        "sync/hub/planted.py:11: ui.qt",
        "sync/hub/planted.py:12: demoworld",
        "sync/hub/planted.py:12: demoworld.world",
    ]


def test_the_seed_command_may_load_the_demo_world_but_only_there_and_only_lazily() -> None:
    lazy = "def _cmd_seed(args):\n    from demoworld.seed import seed_demo\n"
    assert hub_violations("sync/hub/cli.py", lazy) == []
    assert hub_violations("sync/hub/app.py", lazy) == [
        "sync/hub/app.py:2: demoworld.seed",
        "sync/hub/app.py:2: demoworld.seed.seed_demo",
    ]
    eager = "from demoworld.seed import seed_demo\n"
    assert hub_violations("sync/hub/cli.py", eager) == [
        "sync/hub/cli.py:1: demoworld.seed",
        "sync/hub/cli.py:1: demoworld.seed.seed_demo",
    ]


def test_planted_shared_violations_are_found() -> None:
    found = shared_violations("clerk/shared/planted.py", PLANTED)
    assert "clerk/shared/planted.py:3: clerk.cache" in found
    assert "clerk/shared/planted.py:4: sync.protocol" in found
    assert "clerk/shared/planted.py:6: clerk.shared.store" not in found  # from . import store
    assert "clerk/shared/planted.py:7: clerk.engine" in found  # from .. import engine
    assert not any("membercode" in v for v in found)


def test_planted_demoworld_violations_are_found() -> None:
    assert demoworld_violations("clerk/terminal.py", PLANTED) == [
        "clerk/terminal.py:12: demoworld",
        "clerk/terminal.py:12: demoworld.world",
    ]
    demo_command = "def cmd_demo(args):\n    from demoworld.app import run\n"
    assert demoworld_violations("clerk/cli.py", demo_command) == []
    assert demoworld_violations("clerk/cli/demo.py", demo_command) == []
    assert demoworld_violations("ui/demo.py", demo_command) == [
        "ui/demo.py:2: demoworld.app",
        "ui/demo.py:2: demoworld.app.run",
    ]
