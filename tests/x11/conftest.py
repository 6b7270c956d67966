"""Fixtures of the real-X tests: a private Xvfb (skipped, with the reason, only when Xvfb or
xdotool is not installed — ``make test`` installs both through scripts/sysdeps.sh --test),
the demo data directory, and the real app window on that display."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from x11_harness import AppOnX, missing_tools, xdotool, xvfb

from demoworld.home import DemoHome, build_home

# Sunday 2025-11-23 12:13:20 UTC, as in tests/ui.
NOW = 1_763_900_000

os.environ.setdefault("TZ", "Asia/Shanghai")
if hasattr(time, "tzset"):
    time.tzset()


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: the real-X tests need them "
            "(make test installs them: scripts/sysdeps.sh --test)"
        )
    with xvfb() as display:
        yield display


@pytest.fixture(scope="session")
def x_home_template(tmp_path_factory: pytest.TempPathFactory) -> DemoHome:
    return build_home(
        tmp_path_factory.mktemp("x11-home") / "home", members=40, seed=42, now=NOW, products=400
    )


@pytest.fixture(scope="module")
def x_home(x_home_template: DemoHome, tmp_path_factory: pytest.TempPathFactory) -> DemoHome:
    target = tmp_path_factory.mktemp("x11-module") / "home"
    shutil.copytree(x_home_template.home, target)
    return DemoHome(
        home=target,
        now=x_home_template.now,
        private_key_hex=x_home_template.private_key_hex,
        code_ids=x_home_template.code_ids,
        cards=x_home_template.cards,
        phones=x_home_template.phones,
        hero=x_home_template.hero,
    )


@pytest.fixture(scope="module")
def x_app(x_display: str, x_home: DemoHome) -> Iterator[AppOnX]:
    app = AppOnX(x_display, x_home.home, NOW)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def focus(x_app: AppOnX, x_display: str) -> object:
    """``focus(target)``: that widget of the app has the keyboard focus, on the X server too."""

    def run(target: str) -> None:
        x_app.drain()
        got = x_app.focus(target)
        xdotool(x_display, "windowfocus", "--sync", str(got["wid"]))

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.x11)


# --- one more try for a real-X test that failed --------------------------------------------
# xdotool's keys are timed by sleeps and Qt's X reader is a thread: on a loaded machine (the
# whole suite on 2 cores) a scanner-speed burst can still be split on its way in, where a real
# scanner's hardware would not. A real-X test that fails is run once more; a second failure
# fails it. Every first failure is listed at the end of the run (and with its whole report in
# the test's output), so a pattern shows rather than hides.
_RERUNS: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    from _pytest.runner import runtestprotocol

    if item.get_closest_marker("x11") is None:
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    reports = runtestprotocol(item, nextitem=nextitem, log=False)
    failed = [r for r in reports if r.failed]
    if failed:
        first = "\n".join(str(r.longrepr) for r in failed)
        _RERUNS.append(item.nodeid)
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        for r in reports:
            r.sections.append(("first try (failed, run once more)", first))
    for r in reports:
        item.ihook.pytest_runtest_logreport(report=r)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def pytest_terminal_summary(terminalreporter: object, exitstatus: int) -> None:
    if _RERUNS:
        write = terminalreporter.write_line  # type: ignore[attr-defined]
        write(f"real-X tests run a second time after a first failure: {len(_RERUNS)}")
        for nodeid in _RERUNS:
            write(f"  {nodeid}")
