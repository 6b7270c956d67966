"""Fixtures of the reliability harness: a real hub on loopback over a fresh copy of a seeded
SQLite database (seeded once per session), and the counts a run may be scaled to.

Counts: the defaults are CI's; ``make soak`` runs the tests marked ``soak`` with the larger
counts (override with CLERK_CRASH_KILLS, CLERK_SOAK_KILLS, CLERK_SOAK_INTERACTIONS).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from demoworld.seed import seed_demo
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.store import HubStore

SEED_MEMBERS = 120
SEED = 3


@pytest.fixture(scope="session")
def world_now() -> int:
    return int(time.time())


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory: pytest.TempPathFactory, world_now: int) -> Path:
    path = tmp_path_factory.mktemp("reliability-hub") / "hub.db"
    store = HubStore.open(str(path))
    try:
        seed_demo(store, members=SEED_MEMBERS, seed=SEED, now=world_now)
        with store.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return path


@pytest.fixture
def hub_db(hub_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the seeded hub database (the hub side is plain SQLite)."""
    target = tmp_path / "hub" / "hub.db"
    target.parent.mkdir()
    shutil.copyfile(hub_template, target)
    shutil.copyfile(f"{hub_template}.keys", f"{target}.keys")  # the key file goes with it
    return str(target)


@pytest.fixture
def hub(hub_db: str) -> Iterator[HubHandle]:
    with running_hub(hub_db) as handle:
        yield handle
