"""Layering: ui/qt.py is the only module that imports PySide6; clerk/ and sync/ never import
Qt or ui/; views do not import controllers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT_MODULES = ("PySide6", "shiboken6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offenders(folder: str, banned: tuple[str, ...], allow: tuple[str, ...] = ()) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(allow):  # a file, or a package given as "folder/"
            continue
        for name in _imports(path):
            if name.split(".")[0] in banned or name in banned:
                out.append(f"{rel}: {name}")
    return out


def test_only_ui_qt_imports_pyside6() -> None:
    assert _offenders("ui", QT_MODULES, allow=("ui/qt.py",)) == []


def test_core_and_sync_never_import_qt_or_ui() -> None:
    assert _offenders("clerk", (*QT_MODULES, "ui"), allow=("clerk/cli/",)) == []
    assert _offenders("sync", (*QT_MODULES, "ui")) == []


def test_views_do_not_import_controllers() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in (ROOT / "ui" / "views").rglob("*.py")
        for name in _imports(path)
        if name.startswith("ui.controllers")
    ]
    assert offenders == []


def test_ui_never_talks_http() -> None:
    assert _offenders("ui", ("httpx", "requests", "urllib3", "http")) == []
