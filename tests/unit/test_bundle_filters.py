"""packaging/bundle_filters.py: what the bundle must carry that PyInstaller cannot see."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

from bundle_filters import EXCLUDED_MODULES, lazy_qt_modules  # noqa: E402


def test_every_qt_module_the_ui_loads_by_name_goes_in_the_bundle() -> None:
    modules = lazy_qt_modules(ROOT)
    # The manager's dashboard (charts) and the camera are loaded on first use, by name.
    assert {"PySide6.QtCharts", "PySide6.QtMultimedia", "PySide6.QtSvg"} <= set(modules)
    assert "PySide6.QtTest" not in modules  # the tests' own
    assert not set(modules) & set(EXCLUDED_MODULES)
    for spec in ("omni-clerk.spec", "omni-clerk-windows.spec"):
        assert "+ lazy_qt_modules(ROOT)" in (ROOT / "packaging" / spec).read_text(), spec
