"""Shared fixtures for integration tests: a real hub on loopback over real database files.

* ``hub`` — a HubHandle on a fresh SQLite file seeded with the demo world (200 members,
  seed 1), served by its own uvicorn on 127.0.0.1 for the one test.
* ``any_hub`` — the same on each backend: SQLite, and PostgreSQL when CLERK_TEST_PG_URL is set
  (a fresh database per test, cloned from a seeded template; marked ``postgres``).
* ``hub_world_now`` — the clock the seeded world was generated at.

The seeded world is generated once per session and copied per test (a file copy for SQLite,
CREATE DATABASE … TEMPLATE for PostgreSQL), so each test starts from the same state quickly.
The hub's key file goes with its database (``hub.db.keys`` beside a SQLite copy; for
PostgreSQL a copy per test, named by ``CLERK_HUB_KEYS_FILE``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from demoworld.seed import seed_demo
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.store import HubStore

SEED_MEMBERS = 200
SEED = 1
PG_ENV = "CLERK_TEST_PG_URL"
_counter = itertools.count()


@pytest.fixture(scope="session")
def hub_world_now() -> int:
    return int(time.time())


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory, hub_world_now: int) -> Path:
    path = tmp_path_factory.mktemp("hub-template") / "hub.db"
    store = HubStore.open(str(path))
    try:
        seed_demo(store, members=SEED_MEMBERS, seed=SEED, now=hub_world_now)
        with store.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return path


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "hub.db"
    shutil.copyfile(template, target)
    shutil.copyfile(f"{template}.keys", f"{target}.keys")  # the key file goes with it
    return str(target)


@pytest.fixture
def sqlite_hub_file(_sqlite_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seeded SQLite hub database (and its key file), for a hub served in a
    process of its own."""
    return Path(_sqlite_copy(_sqlite_template, tmp_path))


@pytest.fixture
def hub(_sqlite_template: Path, tmp_path: Path) -> Iterator[HubHandle]:
    """A seeded hub (SQLite, 200 members, seed 1) on loopback, fresh for each test."""
    with running_hub(_sqlite_copy(_sqlite_template, tmp_path)) as handle:
        yield handle


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_url_for(base: str, dbname: str) -> str:
    """``base`` (a postgresql:// URL) with its database replaced by ``dbname``."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + dbname))


def _pg_admin(base: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(base, autocommit=True, connect_timeout=10)


@pytest.fixture(scope="session")
def _pg_template(
    hub_world_now: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set (make test starts PostgreSQL with scripts/postgres.sh)")
    name = f"omni_hub_tmpl_{os.getpid()}"
    with _pg_admin(base) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    url = _pg_url_for(base, name)
    keys = tmp_path_factory.mktemp("hub-pg-template") / "hub.keys"
    store = HubStore.open(url, keys_file=str(keys))
    try:
        seed_demo(store, members=SEED_MEMBERS, seed=SEED, now=hub_world_now)
    finally:
        store.close()
    yield name, keys
    with _pg_admin(base) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def _pg_db(
    _pg_template: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    base = os.environ[PG_ENV]
    template, template_keys = _pg_template
    keys = tmp_path / "hub-pg.keys"
    shutil.copyfile(template_keys, keys)
    monkeypatch.setenv("CLERK_HUB_KEYS_FILE", str(keys))  # the clone's key file
    name = f"omni_hub_t{os.getpid()}_{next(_counter)}"
    with _pg_admin(base) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield _pg_url_for(base, name)
    finally:
        with _pg_admin(base) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_store(_pg_db: str) -> Iterator[HubStore]:
    """A seeded PostgreSQL hub store, fresh for each test (mark the test ``postgres``)."""
    store = HubStore.open(_pg_db)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hub_db(request: pytest.FixtureRequest, _sqlite_template: Path, tmp_path: Path) -> str:
    """A seeded hub database (SQLite path or PostgreSQL URL), fresh for each test."""
    if request.param == "sqlite":
        return _sqlite_copy(_sqlite_template, tmp_path)
    url: str = request.getfixturevalue("_pg_db")
    return url


@pytest.fixture
def any_hub(hub_db: str) -> Iterator[HubHandle]:
    """A seeded hub on loopback, on each backend (SQLite; PostgreSQL if configured)."""
    with running_hub(hub_db) as handle:
        yield handle
