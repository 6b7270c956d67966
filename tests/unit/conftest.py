"""Shared unit-test fixtures: a small but real cache.db + outbox.db built from the demo world.

The world (50 members of the demo, the hero first) is built once per session through the real
``clerk.cache.apply_changes`` path into a template directory; each test that wants the files
gets its own copy, so tests may write to them freely.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clerk.cache import apply_changes, open_cache
from clerk.db import Transaction
from clerk.outbox import open_outbox
from demoworld import catalogue, world

# Sunday 2025-11-23 12:13:20 UTC (20:13 in the demo stores, UTC+8).
DEMO_NOW = 1_763_900_000
DEMO_SPEC = world.WorldSpec(members=50, seed=42, now=DEMO_NOW, products=600)
BUCKET_KEY = "6f6d6e692d636c65726b2d746573742d6275636b65742d6b6579"  # hex


@dataclass
class DemoDbs:
    """Open connections to a private copy of the demo cache and outbox."""

    cache: sqlite3.Connection
    outbox: sqlite3.Connection
    cache_path: Path
    outbox_path: Path
    spec: world.WorldSpec
    now: int
    bucket_key: str


def build_demo_dbs(directory: Path, spec: world.WorldSpec, bucket_key: str) -> tuple[Path, Path]:
    """Write cache.db (the world and the first store's staff, applied as the changes feed) and
    an empty outbox.db."""
    directory.mkdir(parents=True, exist_ok=True)
    cache_path, outbox_path = directory / "cache.db", directory / "outbox.db"
    cache = open_cache(cache_path)
    try:
        with Transaction(cache):
            apply_changes(cache, catalogue.product_changes(spec))
            apply_changes(cache, _staff_changes(spec))
            for bundle in world.members(spec):
                apply_changes(cache, world.changes(bundle, bucket_key))
        cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cache.close()
    open_outbox(outbox_path).close()
    return cache_path, outbox_path


def _staff_changes(spec: world.WorldSpec) -> list[dict[str, object]]:
    return world.staff_changes(spec.stores[0], spec.now)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-template")
    build_demo_dbs(directory, DEMO_SPEC, BUCKET_KEY)
    return directory


@pytest.fixture
def demo_dbs(demo_template: Path, tmp_path: Path) -> Iterator[DemoDbs]:
    """A private, writable copy of the demo cache.db and outbox.db, opened."""
    for name in ("cache.db", "outbox.db", ".db.key"):  # the files and their key
        shutil.copyfile(demo_template / name, tmp_path / name)
    cache = open_cache(tmp_path / "cache.db")
    outbox = open_outbox(tmp_path / "outbox.db")
    try:
        yield DemoDbs(
            cache=cache,
            outbox=outbox,
            cache_path=tmp_path / "cache.db",
            outbox_path=tmp_path / "outbox.db",
            spec=DEMO_SPEC,
            now=DEMO_NOW,
            bucket_key=BUCKET_KEY,
        )
    finally:
        cache.close()
        outbox.close()
