"""Suite-wide options (soak runs only under `make soak`: --run-soak) and fixtures."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-soak", action="store_true", default=False, help="run the long soak/fault tests"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-soak"):
        return
    skip = pytest.mark.skip(reason="soak test: run with `make soak`")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def gc_state_kept() -> Iterator[None]:
    """A test leaves Python's automatic garbage collection as it found it: once the UI's
    GuiThreadGc has turned it off, turning it back on lets a worker thread finalise Qt objects
    — a crash in some later test, far from the cause."""
    collecting = gc.isenabled()
    yield
    assert gc.isenabled() == collecting, "this test changed gc.isenabled()"
