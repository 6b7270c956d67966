"""The UI's port to the terminal (clerk.ports.TerminalPort): the terminal and every stand-in
the UI is run with offer exactly its members, with the same parameters; ui/ names the terminal
only as a TerminalPort."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from clerk.ports import StaffDoor, TerminalPort
from clerk.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]


def _bench_module(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))  # the benchmarks import their report helper
    try:
        spec = importlib.util.spec_from_file_location(
            f"_bench_{name}", ROOT / "bench" / f"{name}.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


def _members(protocol: type) -> dict[str, Any]:
    names = set(getattr(protocol, "__annotations__", {}))
    for klass in protocol.__mro__:
        if klass in (object, type(protocol)) or klass.__name__ in ("Protocol", "Generic"):
            continue
        names |= {n for n in vars(klass) if not n.startswith("_")}
        names |= set(getattr(klass, "__annotations__", {}))
    return {n: getattr(protocol, n, None) for n in sorted(names)}


def _params(fn: Any) -> list[tuple[str, Any, bool]]:
    """(name, kind, has a default) of each parameter but self."""
    sig = inspect.signature(fn)
    return [
        (p.name, p.kind, p.default is not inspect.Parameter.empty)
        for p in sig.parameters.values()
        if p.name != "self"
    ]


def _set_in_init(impl: type) -> set[str]:
    """The attributes ``__init__`` sets on the instance (``self.x = …``)."""
    init = impl.__dict__.get("__init__")
    if init is None:
        return set()
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(init)))
    return {
        t.attr
        for node in ast.walk(tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
    }


def _mismatches(protocol: type, impl: type) -> list[str]:
    out = []
    attributes = _set_in_init(impl)
    for name, member in _members(protocol).items():
        if not hasattr(impl, name) and name not in attributes:
            out.append(f"{impl.__name__} has no {name}")
            continue
        if inspect.isfunction(member):
            got = getattr(impl, name, None)
            if not callable(got):
                out.append(f"{impl.__name__}.{name} is not a method")
            elif _params(got) != _params(member):
                out.append(f"{impl.__name__}.{name}{_params(got)} != {_params(member)}")
    return out


def test_the_port_lists_what_the_ui_uses() -> None:
    members = set(_members(TerminalPort))
    assert {"open_customer", "view", "record", "status", "change_settings", "dashboard"} <= members
    assert {"roster", "sign_in", "sign_out"} <= members  # it is a StaffDoor too
    assert set(_members(StaffDoor)) == {"roster", "sign_in", "sign_out"}


@pytest.mark.parametrize(
    "impl",
    [Terminal, _bench_module("ui_paint").ReadOnlyTerminal],
    ids=["Terminal", "bench/ui_paint.ReadOnlyTerminal"],
)
def test_implementations_match_the_port(impl: type) -> None:
    assert _mismatches(TerminalPort, impl) == []


def test_a_stand_in_with_another_signature_is_caught() -> None:
    class Stale:  # the shape of the old benchmark fake: no language on the way in …
        def open_customer(self, identity: Any, staff_id: str | None = None, *, lang: str) -> Any:
            raise NotImplementedError

    problems = _mismatches(TerminalPort, Stale)
    assert any(p.startswith("Stale.open_customer") for p in problems)
    assert "Stale has no view" in problems


def _terminal_annotations(path: Path) -> list[str]:
    """Every parameter or attribute called ``terminal`` and how it is annotated."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                if arg.arg == "terminal":
                    note = ast.unparse(arg.annotation) if arg.annotation else "(none)"
                    found.append(f"{node.name}({arg.arg}: {note})")
    return found


def test_ui_holds_the_terminal_as_a_terminal_port() -> None:
    """Fails when a ui/ function takes ``terminal`` as Any, a concrete Terminal or unannotated."""
    wrong = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        wrong += [
            f"{rel}: {a}" for a in _terminal_annotations(path) if not a.endswith(": TerminalPort)")
        ]
    assert wrong == []
    assert _terminal_annotations(ROOT / "ui" / "app.py")  # the check sees what it checks
