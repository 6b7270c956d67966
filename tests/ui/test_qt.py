"""ui/qt.py lists each Qt name once (``_MODULES``, what it resolves at run time); the names
type checkers see follow that list, and every Qt name the code imports from ui.qt is on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ui.qt

ROOT = Path(__file__).resolve().parents[2]
OWN = {  # defined in ui/qt.py itself
    "QT_TRANSLATE_NOOP",
    "translate",
    "is_alive",
    "copy_text",
    "clipboard_text",
    "open_url",
}


def _type_checking_imports() -> dict[str, list[str]]:
    tree = ast.parse((ROOT / "ui" / "qt.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            return {
                imp.module: [a.name for a in imp.names]
                for imp in node.body
                if isinstance(imp, ast.ImportFrom) and imp.module
            }
    raise AssertionError("ui/qt.py has no TYPE_CHECKING imports")


def test_type_checkers_see_exactly_the_runtime_list() -> None:
    seen = _type_checking_imports()
    assert {m: sorted(n) for m, n in seen.items()} == {
        m: sorted(n) for m, n in ui.qt._MODULES.items()
    }


def test_each_name_is_listed_once() -> None:
    names = [n for group in ui.qt._MODULES.values() for n in group]
    assert len(names) == len(set(names))
    assert not OWN & set(names)


@pytest.mark.parametrize("module", sorted(ui.qt._MODULES))
def test_every_name_comes_from_its_module(module: str) -> None:
    import importlib

    loaded = importlib.import_module(module)
    missing = [n for n in ui.qt._MODULES[module] if not hasattr(loaded, n)]
    assert missing == []


def test_the_code_imports_only_listed_names() -> None:
    listed = OWN | set(ui.qt._LAZY)
    unknown = []
    for folder in ("ui", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "ui.qt":
                    unknown += [
                        f"{path.relative_to(ROOT)}: {a.name}"
                        for a in node.names
                        if a.name not in listed
                    ]
    assert unknown == []
