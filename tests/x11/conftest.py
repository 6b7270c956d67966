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
