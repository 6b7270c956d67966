"""A terminal cut off mid-backlog loses nothing; an expired token is refreshed, not fatal.

The story IT lives through: a terminal with records waiting is revoked (lost, then found; or
replaced). Its next sync gets 401 ``device_revoked``: it stops syncing (no more requests),
keeps its outbox exactly as it was, and says "removed from the store — ask IT" (``clerk
status``, ``clerk doctor``, the app's banner). IT exports its unsent records
(``clerk outbox export``) and imports them at the hub as that device (``clerk hub device
import``): every record arrives exactly once — also those the hub already had, also when
imported twice, also when the terminal is enrolled again and pushes them once more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clerk import audit as audit_mod
from clerk import outbox as outbox_mod
from clerk.terminal import Terminal
from sync.errors import DeviceRevokedError
from sync.hub.app import HubConfig
from sync.hub.embedded import HubHandle, running_hub
from sync.local import engine_for, enroll

ROOT = Path(__file__).resolve().parents[2]
STORE = "S001"


def clerk(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if home is not None:
        env["CLERK_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "clerk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def at_hub(hub: HubHandle, ids: set[str]) -> list[dict[str, object]]:
    return [r for r in hub.store.interactions.iter_rows() if r["id"] in ids]


def test_revoked_mid_backlog_export_import_every_record_exactly_once(
    hub: HubHandle, tmp_path: Path
) -> None:
    home = tmp_path / "till"
    creds = enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="till 7")
    members = hub.store.members.ids(STORE, limit=30)
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
        for i, m in enumerate(members):
            outbox_mod.record(
                engine.outbox, "note", member_id=m, staff_id="A01", payload={"text": f"n{i}"}
            )
        audit_mod.append(engine.outbox, "view_customer", "A01", {"member_id": members[0]}, 1)
        engine.batch_items = 10
        assert engine.push_once().accepted == 10  # delivered and acknowledged
        lost = engine.push_once()  # delivered, but the answer never came back:
        assert lost.accepted == 10
        sent_ids = [
            r[0]
            for r in engine.outbox.execute(
                "SELECT id FROM interactions WHERE state = 'acked' ORDER BY id LIMIT 10 OFFSET 10"
            )
        ]
        engine.outbox.executemany(
            "UPDATE interactions SET state = 'sent' WHERE id = ?", [(i,) for i in sent_ids]
        )
    every = {
        r[0]
        for r in outbox_mod.open_outbox(home / "outbox.db").execute("SELECT id FROM interactions")
    }
    assert len(every) == 30

    # Revoked through the serving hub (the command line's revoke, another process, reaches
    # it within a second: test_attacks_devices.py).
    hub.store.devices.revoke(creds.device_id, reason="lost", actor="admin:hq")

    records = (
        "SELECT id, kind, member_id, payload, device_seq, created_at, "
        "CASE WHEN state IN ('pending', 'sent') THEN 'unsettled' ELSE state END FROM interactions"
    )
    with engine_for(home) as engine:
        before = engine.outbox.execute(records + " ORDER BY id").fetchall()
        with pytest.raises(DeviceRevokedError):
            engine.sync_once()
        assert engine.status()["device_revoked"] is True
        # Every record as it was: none settled, rejected or parked (the one push tried marks
        # the rows it carried as handed over, answer unknown — unsettled all the same).
        after = engine.outbox.execute(records + " ORDER BY id").fetchall()
        assert [tuple(r) for r in after] == [tuple(r) for r in before]
        # It stops syncing: the next round is refused here, without asking the hub, and
        # touches nothing at all.
        whole = engine.outbox.execute("SELECT * FROM interactions ORDER BY id").fetchall()
        engine.client.configure(base_url="http://127.0.0.1:9")
        with pytest.raises(DeviceRevokedError):
            engine.sync_once()
        again = engine.outbox.execute("SELECT * FROM interactions ORDER BY id").fetchall()
        assert [tuple(r) for r in again] == [tuple(r) for r in whole]

    status = clerk("status", home=home)
    assert "removed from the store" in status.stdout and "ask IT" in status.stdout
    st = json.loads(clerk("status", "--json", home=home).stdout)
    assert st["device_revoked"] is True and st["pending"] == 20
    doctor = json.loads(clerk("doctor", "--json", home=home).stdout)
    enrolled = next(c for c in doctor["checks"] if c["name"] == "enrolled")
    assert enrolled["status"] == "fail" and "removed from the store" in enrolled["detail"]
    assert "clerk outbox export" in enrolled["fix"]

    export = tmp_path / "till7.jsonl"
    out = clerk("outbox", "export", str(export), home=home)
    assert out.returncode == 0, out.stderr
    assert creds.device_id in out.stderr
    lines = [json.loads(x) for x in export.read_text(encoding="utf-8").splitlines()]
    kinds = [x["kind"] for x in lines]
    assert kinds.count("note") == 20 and kinds.count("audit") == 1
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    try:
        unsettled = outbox.execute(
            "SELECT id FROM interactions WHERE state IN ('pending', 'sent')"
        ).fetchall()
        found = {str(r[0]): outbox_mod.get(outbox, str(r[0])) for r in unsettled}
        wire = {i: rec.wire() for i, rec in found.items() if rec is not None}
    finally:
        outbox.close()
    assert [x for x in lines if x["kind"] == "note"] == [wire[i] for i in sorted(wire)]

    for _round in range(2):  # importing twice changes nothing
        imported = clerk(
            "hub", "device", "import", str(export), "--device", creds.device_id, "--db", hub.db
        )
        assert imported.returncode == 0, imported.stderr
        rows = at_hub(hub, every)
        assert sorted(r["id"] for r in rows) == sorted(every)  # each once
        assert {r["status"] for r in rows} == {"accepted"}
        assert {r["device_id"] for r in rows} == {creds.device_id}
    with hub.store.read() as conn:
        audit = conn.rows("SELECT action, target FROM hub_audit ORDER BY id")
    assert audit == [
        ("device_revoke", creds.device_id),
        ("device_import", creds.device_id),
        ("device_import", creds.device_id),
    ]

    # Enrolled again (a new device), the terminal pushes its backlog once more: no doubles.
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="till 7 again")
    with engine_for(home) as engine:
        assert engine.status()["device_revoked"] is False
        report = engine.sync_once()
        assert report.caught_up and engine.status()["pending"] == 0
    rows = at_hub(hub, every)
    assert sorted(r["id"] for r in rows) == sorted(every)


def test_an_expired_token_is_refreshed_and_the_round_goes_on(
    hub: HubHandle, tmp_path: Path
) -> None:
    class Clock:
        now = float(time.time())

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    hub.store.close()
    with running_hub(hub.db, config=HubConfig(token_ttl_s=60, clock=clock)) as h:
        home = tmp_path / "till"
        enroll(home, h.url, STORE, h.enrol_code(STORE))
        with engine_for(home) as engine:
            first = engine.client.token
            assert engine.sync_once().caught_up
            clock.now += 3600  # the token expired long ago (the terminal slept)
            outbox_mod.record(
                engine.outbox, "visit", member_id=h.store.members.ids(STORE, limit=1)[0]
            )
            report = engine.sync_once()
            assert report.caught_up and report.pushed.accepted == 1
            assert engine.client.token != first
            stored = outbox_mod.get_meta(engine.outbox, outbox_mod.META_TOKEN)
        assert stored == engine.client.token  # the next process starts with the fresh one


def test_the_app_says_this_terminal_was_removed(hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "till"
    creds = enroll(home, hub.url, STORE, hub.enrol_code(STORE))
    hub.store.devices.revoke(creds.device_id, reason="lost")
    with engine_for(home) as engine, pytest.raises(DeviceRevokedError):
        engine.sync_once()
    terminal = Terminal(home)
    try:
        assert terminal.status().device_revoked is True
    finally:
        terminal.close()
