"""The app's start path to its first screen does not load the interaction vocabulary (and the
pydantic under it): ~0.1 s of a start the associate waits for. Records, lookups and the sync
engine load it after the first paint. The app runs as a subprocess, as it starts for real
(``clerk --lang en``), and reports the modules loaded when its first screen has painted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pydantic", "pydantic_core", "clerk.shared.interactions", "sync.protocol")

# At the first paint (the app's ready report), print the modules loaded, then quit.
CHILD = textwrap.dedent(
    """
    import json
    import os
    import sys

    import ui.app as app_module

    if os.environ.get("START_TEST_CONTROL"):  # the positive control: loaded before the start
        import clerk.shared.interactions

    def ready_report():
        def report():
            print("MODULES " + json.dumps(sorted(sys.modules)), flush=True)
            app_module.QApplication.quit()

        return report

    app_module.ready_report = ready_report
    from clerk.cli import main

    sys.exit(main(["--lang", "en", "--layout", "desktop"]))
    """
)


def _modules_at_first_paint(home: Path, *, control: bool = False) -> list[str]:
    env = {**os.environ, "CLERK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    if control:
        env["START_TEST_CONTROL"] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("MODULES ")]
    assert lines, proc.stderr[-2000:]
    loaded: list[str] = json.loads(lines[0].removeprefix("MODULES "))
    return loaded


@pytest.mark.parametrize("screen", ["enrolment", "signin"])
def test_the_first_screen_comes_without_the_vocabulary(
    screen: str, home: Any, tmp_path: Path
) -> None:
    directory = home.home if screen == "signin" else tmp_path / "new-terminal"
    loaded = _modules_at_first_paint(directory)
    assert "ui.app" in loaded and "PySide6.QtWidgets" in loaded  # it did report at the paint
    assert ("ui.controllers.enrol_controller" in loaded) == (screen == "enrolment")
    assert [m for m in loaded if m.startswith(HEAVY)] == []


def test_the_check_sees_the_vocabulary_when_it_is_loaded(tmp_path: Path) -> None:
    """Positive control: the same report, with the vocabulary loaded before the start."""
    loaded = _modules_at_first_paint(tmp_path / "new-terminal", control=True)
    assert {"pydantic", "clerk.shared.interactions"} <= set(loaded)
