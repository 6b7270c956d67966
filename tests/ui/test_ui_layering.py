"""Layering: ui/qt.py is the only module that imports PySide6; clerk/ and sync/ never import
Qt or ui/; views do not import controllers; controllers are no widgets and build none; ui/
reaches the core's storage only through the terminal's port (clerk.ports.TerminalPort)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import ui.qt
from ui.qt import QLayout, QWidget

ROOT = Path(__file__).resolve().parents[2]
QT_MODULES = ("PySide6", "shiboken6")

# What ui/ may import from clerk/ and sync/ at run time: errors, plain data, rules and pure
# functions (staff roles, report types, setting specs, decoding), the enrolment service (it
# talks HTTP, so it lives in sync/) and the sync worker's scheduler. Storage — the terminal,
# its files, the 360 queries, the audit log — is reached only through clerk.ports.TerminalPort.
UI_MAY_IMPORT = {
    "clerk.errors",
    "clerk.model",
    "clerk.staff",
    "clerk.reports.model",  # the report values the dashboard shows
    "clerk.reports.kpis",  # filter_visits: a pure filter over those values
    "clerk.settings",
    "clerk.decode",
    "clerk.diagnostics",
    "clerk.shared.barcodes",
    "clerk.shared.interactions",  # the records' types and rules: a form builds its payload
    "clerk.shared.money",  # an amount typed in a form, into fen
    "clerk.shared.gtin",  # a product barcode scanned into the sale form: its check digit
    "clerk.search_terms",  # whether typed text searches; the masked results' type
    "clerk.outreach",  # drafting an outreach message from the templates: pure
    "sync.enrolment",
    "sync.scheduler",
}
# … and, for type annotations only, the port and the values that cross it.
UI_MAY_NAME = UI_MAY_IMPORT | {"clerk.ports", "clerk.dashboard", "clerk.outbox"}


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """The modules ``path`` imports (``from clerk import reports`` counts as clerk.reports);
    with ``runtime_only``, not those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module in ("clerk", "sync"):
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
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
        if name.startswith(("ui.controllers", "ui.screens", "ui.main_window"))
    ]
    assert offenders == []


def test_ui_never_talks_http() -> None:
    assert _offenders("ui", ("httpx", "requests", "urllib3", "http")) == []


def _core_imports(path: Path, *, runtime_only: bool) -> set[str]:
    return {
        n
        for n in _imports(path, runtime_only=runtime_only)
        if n.split(".")[0] in ("clerk", "sync") and n not in ("clerk", "sync")
    }


def _ui_core_offenders() -> list[str]:
    out = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        out += [f"{rel}: {n}" for n in _core_imports(path, runtime_only=True) - UI_MAY_IMPORT]
        out += [
            f"{rel}: {n} (even for types)"
            for n in _core_imports(path, runtime_only=False) - UI_MAY_NAME
        ]
    return out


def test_ui_reaches_the_core_only_through_the_port() -> None:
    """Fails when a ui/ module imports the terminal, the cache, the outbox, the database or
    the 360 queries (for types, only the port and the values it hands over)."""
    assert _ui_core_offenders() == []


def test_the_port_check_sees_a_storage_import(tmp_path: Path) -> None:
    """Positive control: the same checks flag what they are meant to."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from typing import TYPE_CHECKING\n"
        "from clerk import cache\n"
        "from clerk.outbox import Recorded\n"
        "if TYPE_CHECKING:\n"
        "    from clerk.terminal import Terminal\n"
        "    from clerk.ports import TerminalPort\n",
        encoding="utf-8",
    )
    assert _core_imports(bad, runtime_only=True) - UI_MAY_IMPORT == {
        "clerk.cache",
        "clerk.outbox",
    }
    assert _core_imports(bad, runtime_only=False) - UI_MAY_NAME == {
        "clerk.cache",
        "clerk.terminal",
    }


# --- controllers decide, views lay out ----------------------------------------------------------


def _qt_class(name: str) -> type | None:
    value = ui.qt._LAZY.get(name) and getattr(ui.qt, name)
    return value if inspect.isclass(value) else None


def _builds_widgets(path: Path) -> list[str]:
    """Classes deriving from a Qt widget, and calls that make a Qt widget or layout or
    anything of ui.views (a view, a part of one, a widget helper)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    from_views: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ui.views"):
            from_views |= {a.asname or a.name for a in node.names}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                klass = _qt_class(ast.unparse(base))
                if klass is not None and issubclass(klass, QWidget):
                    out.append(f"class {node.name}({ast.unparse(base)})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            klass = _qt_class(name)
            if (klass is not None and issubclass(klass, (QWidget, QLayout))) or name in from_views:
                out.append(f"{name}(…) at line {node.lineno}")
    return out


def test_controllers_are_no_widgets_and_build_none() -> None:
    offenders = {
        path.name: found
        for path in sorted((ROOT / "ui" / "controllers").glob("*.py"))
        if (found := _builds_widgets(path))
    }
    assert offenders == {}


def test_the_widget_check_sees_a_page_bundle(tmp_path: Path) -> None:
    """Positive control: a controller module with a *Page bundle in it is caught."""
    page = tmp_path / "page_controller.py"
    page.write_text(
        "from ui.qt import QObject, QVBoxLayout, QWidget\n"
        "from ui.views.scan_view import ScanView\n"
        "class ScanPage(QWidget):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        box = QVBoxLayout(self)\n"
        "        box.addWidget(ScanView(None))\n",
        encoding="utf-8",
    )
    found = _builds_widgets(page)
    assert "class ScanPage(QWidget)" in found
    assert any(f.startswith("QVBoxLayout(") for f in found)
    assert any(f.startswith("ScanView(") for f in found)


def test_file_names_follow_the_pattern() -> None:
    """ui/controllers/<x>_controller.py, ui/models/<x>_model(s).py; ui/views/<x>_view.py
    besides the widget kit the views are built from."""
    kit = {"widgets.py", "delegates.py", "tiles.py"}
    names = {
        "controllers": [p.name for p in (ROOT / "ui" / "controllers").glob("*.py")],
        "models": [p.name for p in (ROOT / "ui" / "models").glob("*.py")],
        "views": [p.name for p in (ROOT / "ui" / "views").glob("*.py")],
    }
    odd = (
        [f"controllers/{n}" for n in names["controllers"] if not n.endswith("_controller.py")]
        + [f"models/{n}" for n in names["models"] if not n.endswith(("_model.py", "_models.py"))]
        + [f"views/{n}" for n in names["views"] if not n.endswith("_view.py") and n not in kit]
    )
    assert sorted(odd) == [
        "controllers/__init__.py",
        "models/__init__.py",
        "views/__init__.py",
    ]
