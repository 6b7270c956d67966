"""A hub process that starts reads its devices before the first request: a restarted hub's
whole fleet of terminals comes back at once, and each first token is then checked on the
event loop (the fast path), not with a thread and a read each; on PostgreSQL it opens its
connections and prepares the pull's statements then too."""

from __future__ import annotations

import asyncio
import gc
import shutil
from pathlib import Path

import psycopg
import pytest

from sync.hub import devices
from sync.hub.app import GC_THRESHOLDS, HubConfig, app_from_env, create_app
from sync.hub.store import PG_WRITERS, HubStore


def _copy(template: Path, tmp_path: Path) -> str:
    db = tmp_path / "hub.db"
    shutil.copyfile(template, db)
    shutil.copyfile(f"{template}.keys", f"{db}.keys")
    return str(db)


def test_a_started_hub_knows_its_devices_before_their_first_request(
    _sqlite_template: Path, tmp_path: Path
) -> None:
    db = _copy(_sqlite_template, tmp_path)
    first = HubStore.open(db)  # the process before the restart: enrols and hands out tokens
    try:
        tokens = {}
        for name in ("till 1", "till 2", "stolen"):
            code = first.devices.create_enrol_code("S001")
            dev, _secret = first.devices.enroll("S001", code, name)
            tokens[name] = (dev.id, first.devices.access_token(dev.id, now=0, ttl=10**10).token)
        first.devices.revoke(tokens["stolen"][0], reason="stolen")
    finally:
        first.close()

    cold = HubStore.open(db)  # a process that did not start the hub's way: reads each
    try:
        assert cold.devices.authenticate_cached(tokens["till 1"][1]) is None
    finally:
        cold.close()

    store = HubStore.open(db)
    try:
        app = create_app(store)
        (warm,) = [h for h in app.router.on_startup if getattr(h, "__name__", "") == "warm"]
        asyncio.run(warm())  # its startup's warm-up, as uvicorn runs it
        for name in ("till 1", "till 2"):
            found = store.devices.authenticate_cached(tokens[name][1])
            assert found is not None and found.id == tokens[name][0]
        assert store.devices.authenticate_cached(tokens["stolen"][1]) is None  # read, refused
    finally:
        store.close()


@pytest.mark.postgres
def test_a_started_hub_on_postgresql_has_its_connections_open_and_warm(
    pg_store: HubStore,
) -> None:
    """Its first requests find a read connection for each route thread (and the follower)
    with the pull's statements prepared, and every writer open — not a connection to make
    and statements to prepare behind each."""
    config = HubConfig(max_threads=3)
    app = create_app(pg_store, config)
    (warm,) = [h for h in app.router.on_startup if getattr(h, "__name__", "") == "warm"]
    asyncio.run(warm())
    with psycopg.connect(pg_store.db, autocommit=True) as admin:
        sessions = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
    assert sessions is not None and sessions[0] >= PG_WRITERS + config.max_threads + 1
    with pg_store.read() as conn:  # the pool's: prepared at start, not by this read
        names = {str(r[0]) for r in conn.rows("SELECT name FROM pg_prepared_statements")}
    assert {"clerk_feed_own", "clerk_feed_chain", "clerk_feed_visit_o"} <= names


def test_a_served_hub_process_leaves_what_it_started_with_out_of_collections(
    _sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full garbage collection holds the whole process while it walks every container still
    tracked: a served worker freezes what it holds once started (after its warm-up) and has
    full collections come less often."""
    monkeypatch.setenv("CLERK_HUB_DB", _copy(_sqlite_template, tmp_path))
    app = app_from_env()
    hooks = [h for h in app.router.on_startup if getattr(h, "__name__", "") in NAMES]
    assert [h.__name__ for h in hooks] == ["warm", "freeze_heap"]  # in this order
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        for hook in hooks:
            asyncio.run(hook())
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == GC_THRESHOLDS  # full collections rarer
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        app.state.ingest.store.close()


NAMES = ("warm", "freeze_heap")


def test_a_device_new_to_a_process_has_it_learn_the_fleet_enrolled_meanwhile(
    _sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terminals enrolled through one hub process (or after another started) are unknown to
    the others: the first of them to reach a process has it read every device again, so the
    rest are checked on its event loop at their first request — not each with a thread, a
    read and the full route (the first seconds of a fleet's load). At most every
    LEARN_EVERY_S: a revoked device's requests do not read the fleet each."""
    db = _copy(_sqlite_template, tmp_path)
    here, there = HubStore.open(db), HubStore.open(db)
    try:
        here.devices.prime()  # started before the fleet enrolled
        tokens = []
        for n in range(3):
            dev, _secret = there.devices.enroll(
                "S001", there.devices.create_enrol_code("S001"), f"till {n}"
            )
            tokens.append(there.devices.access_token(dev.id, now=0, ttl=10**10).token)
        assert [here.devices.authenticate_cached(t) for t in tokens] == [None, None, None]
        monkeypatch.setattr(
            devices, "LEARN_EVERY_S", 3600.0, raising=False
        )  # primed just now: not due
        here.devices.authenticate(tokens[0])  # read alone
        assert here.devices.authenticate_cached(tokens[1]) is None
        monkeypatch.setattr(devices, "LEARN_EVERY_S", 0.0, raising=False)
        here.devices.authenticate(tokens[1])  # the fleet read again
        assert here.devices.authenticate_cached(tokens[2]) is not None
    finally:
        here.close()
        there.close()
