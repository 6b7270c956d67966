"""The core is pure: the layering of clerk/, read from the source with the AST.

* Outside the composition root (clerk/cli/), no module of clerk/ imports sync/, ui/, the
  frameworks behind them (PySide6, shiboken6, httpx, fastapi, uvicorn) or argparse — not at the
  top, not inside a function, not for type checking only.
* clerk/cli/ imports sync/ and ui/ lazily only: inside the function that needs them (an import
  under ``if TYPE_CHECKING:`` is never run, so it counts as lazy). It never imports the
  frameworks directly; they come with sync/ and ui/.
* ``clerk`` with no command (the app start) loads no other command module, no reports, doctor,
  sync/ or ui/ before the app itself is started; building the whole command tree loads no Qt.

There is no allow-list beyond the composition root. ``test_the_checker_finds_planted_violations``
is the positive control: a small tree with one violation of each kind, every one found.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = "clerk/cli/"
OURS_OUTSIDE_CORE = ("sync", "ui")
FRAMEWORKS = ("PySide6", "shiboken6", "httpx", "fastapi", "uvicorn")
BANNED_IN_CORE = (*OURS_OUTSIDE_CORE, *FRAMEWORKS, "argparse")


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # absolute dotted name
    at_import: bool  # runs when the importing module is imported (not in a function or a
    # TYPE_CHECKING block)

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _dynamic_import(node: ast.Call) -> str | None:
    """``importlib.import_module("x")`` / ``import_module("x")`` / ``__import__("x")``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imports(path: Path, root: Path) -> list[Import]:
    """Every import in one module, relative ones made absolute."""
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1]  # a module's package; for __init__, the package itself
    found: list[Import] = []

    def visit(node: ast.AST, at_import: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            at_import = False
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, at_import)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(node.lineno, a.name, at_import) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                stem = ".".join([*base, *([node.module] if node.module else [])])
            else:
                stem = node.module or ""
            if node.module is None:  # from . import a, b: the submodules
                found.extend(Import(node.lineno, f"{stem}.{a.name}", at_import) for a in node.names)
            else:
                found.append(Import(node.lineno, stem, at_import))
        elif isinstance(node, ast.Call):
            name = _dynamic_import(node)
            if name is not None:
                found.append(Import(node.lineno, name, at_import))
        for child in ast.iter_child_nodes(node):
            visit(child, at_import)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return found


def layering_offenders(root: Path) -> list[str]:
    """``<path>:<line>: <module> (<rule>)`` for every import in root/clerk that breaks a rule."""
    out: list[str] = []
    for path in sorted((root / "clerk").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        in_cli = rel.startswith(COMPOSITION_ROOT)
        for imp in imports(path, root):
            if not in_cli and imp.top in BANNED_IN_CORE:
                out.append(f"{rel}:{imp.line}: {imp.module} (the core imports no {imp.top})")
            elif in_cli and imp.top in FRAMEWORKS:
                out.append(f"{rel}:{imp.line}: {imp.module} (via sync/ or ui/, not directly)")
            elif in_cli and imp.top in OURS_OUTSIDE_CORE and imp.at_import:
                out.append(f"{rel}:{imp.line}: {imp.module} (lazily, inside the command)")
    return out


def test_the_core_is_pure_and_the_composition_root_imports_lazily() -> None:
    assert (ROOT / COMPOSITION_ROOT / "__init__.py").exists()
    assert layering_offenders(ROOT) == []


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_checker_finds_planted_violations(tmp_path: Path) -> None:
    _write(tmp_path, "clerk/__init__.py", "")
    _write(
        tmp_path,
        "clerk/reports/core.py",
        """\
        import argparse
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from sync.local import HomeEngine


        def f():
            import httpx
            from ui import app


        class C:
            def g(self):
                return __import__("PySide6.QtCore")
        """,
    )
    _write(tmp_path, "clerk/pure.py", "import json\nfrom clerk import errors\nfrom . import db\n")
    _write(
        tmp_path,
        "clerk/cli/__init__.py",
        """\
        from typing import TYPE_CHECKING
        import importlib
        from sync.errors import SyncError

        try:
            import ui.app
        except ImportError:
            pass
        if TYPE_CHECKING:
            from ui.app import run_app
        else:
            import sync.local
        SERVER = importlib.import_module("sync.hub.cli")


        def cmd():
            import fastapi
            from sync.local import engine_for
            from ui.demo import run_demo

        handler = lambda: __import__("ui.app")
        """,
    )
    _write(tmp_path, "clerk/cli/good.py", "import argparse\nfrom . import common\n")
    assert layering_offenders(tmp_path) == [
        "clerk/cli/__init__.py:3: sync.errors (lazily, inside the command)",
        "clerk/cli/__init__.py:6: ui.app (lazily, inside the command)",
        "clerk/cli/__init__.py:12: sync.local (lazily, inside the command)",
        "clerk/cli/__init__.py:13: sync.hub.cli (lazily, inside the command)",
        "clerk/cli/__init__.py:17: fastapi (via sync/ or ui/, not directly)",
        "clerk/reports/core.py:1: argparse (the core imports no argparse)",
        "clerk/reports/core.py:5: sync.local (the core imports no sync)",
        "clerk/reports/core.py:9: httpx (the core imports no httpx)",
        "clerk/reports/core.py:10: ui (the core imports no ui)",
        "clerk/reports/core.py:15: PySide6.QtCore (the core imports no PySide6)",
    ]
    # relative imports resolve against the package: clerk/cli/good.py's "." is clerk.cli
    assert [i.module for i in imports(tmp_path / "clerk/cli/good.py", tmp_path)] == [
        "argparse",
        "clerk.cli.common",
    ]


def _loaded_after(code: str, home: Path) -> list[str]:
    """The modules of ours (and Qt's, httpx's) loaded in a fresh interpreter after ``code``,
    which leaves the module names it wants checked in ``seen``."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json
        print(json.dumps(sorted(m for m in seen if m.split(".")[0] in
            ("clerk", "sync", "ui", "PySide6", "shiboken6", "httpx"))))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "CLERK_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


def test_the_app_start_loads_no_command_module(tmp_path: Path) -> None:
    """`clerk --lang en`: until the app itself starts (``cmd_app``), of the CLI only its app
    module is loaded — no other command, no reports or doctor, nothing of sync/ or ui/."""
    loaded = _loaded_after(
        """
        import sys
        import clerk.cli
        from clerk.cli import app

        seen = []
        app.cmd_app = lambda args: seen.extend(sys.modules) or 0
        assert clerk.cli.main(["--lang", "en"]) == 0
        """,
        tmp_path,
    )
    assert "clerk.cli.app" in loaded  # the stand-in for cmd_app ran
    assert [m for m in loaded if m.startswith("clerk.cli.")] == [
        "clerk.cli.app",
        "clerk.cli.common",
    ]
    heavy = (
        "clerk.reports",
        "clerk.doctor",
        "clerk.audit",
        "clerk.shared.interactions",  # pydantic under it: loaded with the first record
        "sync",
        "ui",
        "PySide6",
        "httpx",
    )
    assert [m for m in loaded if m.startswith(heavy)] == []


def test_the_command_tree_loads_no_qt(tmp_path: Path) -> None:
    """Every command's parser (the hub's too) builds without Qt: `clerk hub …`, `clerk sync`
    and `clerk lookup` never load it."""
    loaded = _loaded_after(
        """
        import sys
        from clerk.cli import build_parser

        build_parser()
        seen = list(sys.modules)
        """,
        tmp_path,
    )
    assert "clerk.cli.report" in loaded and "sync.hub.cli" in loaded  # the whole tree was built
    assert [m for m in loaded if m.startswith(("ui", "PySide6", "shiboken6"))] == []
