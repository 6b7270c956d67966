"""Poison items against the real hub on loopback: an item the hub fails on (a 500 from a route
hook in front of the real app, or the hub's own 422 for JSON nested too deep) is isolated, the
rest of the outbox is delivered exactly once, the item is parked with the hub's answer after a
bounded number of failures — and a push that keeps failing never stops the pull (members and
key rotations still arrive)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import outbox as outbox_mod
from clerk.terminal import Terminal
from demoworld.world import staff
from sync.errors import HubError
from sync.hub.app import create_app
from sync.hub.embedded import HubHandle, serve_asgi
from sync.hub.store import HubStore
from sync.local import engine_for, enroll

STORE = "S001"


class PoisonHook:
    """ASGI hook in front of the real hub app: a batch of interactions that holds one of the
    ``poison`` ids (or any batch, with ``fail_all``) is answered 500 — as the hub answered for
    a payload it could not process — without reaching the app. Everything else passes."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.poison: set[str] = set()
        self.fail_all = False
        self.answered_500 = 0
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/interactions":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            ids = [str(i.get("id")) for i in json.loads(body)["interactions"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            ids = []
        with self._lock:
            self.batches.append(ids)
            fail = self.fail_all or bool(self.poison & set(ids))
            if fail:
                self.answered_500 += 1
        if not fail:
            replayed = False

            async def replay() -> dict[str, Any]:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                message: dict[str, Any] = await receive()
                return message

            await self.app(scope, replay, send)
            return
        problem = json.dumps(
            {
                "type": "about:blank",
                "title": "Internal error",
                "status": 500,
                "detail": "the hub failed; the error is logged",
                "reason": "error",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(problem)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": problem})


@pytest.fixture
def hooked_hub(_sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[HubHandle, PoisonHook]]:
    db = tmp_path / "hub.db"
    db.write_bytes(_sqlite_template.read_bytes())
    store = HubStore.open(str(db))
    try:
        hook = PoisonHook(create_app(store))
        with serve_asgi(hook, name="hooked-hub") as (url, _server):
            yield HubHandle(url=url, db=str(db), store=store), hook
    finally:
        store.close()


def _hub_statuses(hub: HubHandle, ids: list[str]) -> dict[str, str]:
    with hub.store.read() as conn:
        rows = conn.rows("SELECT id, status FROM interactions")
    wanted = set(ids)
    return {str(r[0]): str(r[1]) for r in rows if str(r[0]) in wanted}


def _record_notes(terminal: Terminal, members: list[str], n: int) -> list[str]:
    return [
        terminal.record(
            "note",
            member_id=members[i % len(members)],
            staff_id="A01",
            payload={"text": f"note {i}"},
        ).id
        for i in range(n)
    ]


def test_an_item_the_hub_fails_on_is_parked_and_the_rest_delivered_once(
    hooked_hub: tuple[HubHandle, PoisonHook], tmp_path: Path
) -> None:
    hub, hook = hooked_hub
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="poison")
    members = hub.store.members.ids(STORE, limit=10)
    terminal = Terminal(home)
    try:
        ids = _record_notes(terminal, members, 60)
        poison = ids[23]
        hook.poison = {poison}
        with engine_for(home) as engine:
            engine.batch_items = 25
            rounds = 0
            while terminal.status().attention == 0:
                rounds += 1
                assert rounds <= 3, "parked within a bounded number of rounds"
                engine.sync_once()
            report = engine.sync_once()
            assert report.caught_up, "parked items do not hold the terminal back"
        good = [i for i in ids if i != poison]
        at_hub = _hub_statuses(hub, ids)
        assert at_hub == {i: "accepted" for i in good}, "the rest delivered, exactly once"
        assert poison not in at_hub
        st = terminal.status()
        assert (st.pending, st.attention) == (0, 1)
        parked = outbox_mod.needs_attention(terminal.outbox)
        assert [p.id for p in parked] == [poison]
        assert parked[0].hub_answer == "error: the hub failed; the error is logged"
        assert parked[0].attempts <= 1 + outbox_mod.MAX_ITEM_FAILURES
        batches_with_poison = [b for b in hook.batches if poison in b]
        assert sum(len(b) == 1 for b in batches_with_poison) == outbox_mod.MAX_ITEM_FAILURES
    finally:
        terminal.close()


def test_a_payload_nested_too_deep_is_rejected_by_the_hub_and_does_not_block(
    hooked_hub: tuple[HubHandle, PoisonHook], tmp_path: Path
) -> None:
    """No hook this time: the real hub answers 422 too_deep for the batch; bisection finds
    the item, which is rejected with the hub's reason; the others are accepted."""
    hub, _hook = hooked_hub
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="deep")
    members = hub.store.members.ids(STORE, limit=5)
    terminal = Terminal(home)
    try:
        before = _record_notes(terminal, members, 10)
        nested: Any = "bottom"
        for _ in range(40):
            nested = [nested]
        # This terminal keeps only the fields a note has; a payload with a deep extra field
        # (an older terminal's, a hand-edited file) is planted as it would be on disk.
        deep = terminal.record(
            "note", member_id=members[0], staff_id="A01", payload={"text": "deep"}
        ).id
        terminal.outbox.execute(
            "UPDATE interactions SET payload = ? WHERE id = ?",
            (json.dumps({"text": "deep", "nested": nested}), deep),
        )
        after = _record_notes(terminal, members, 10)
        with engine_for(home) as engine:
            report = engine.sync_once()
        assert report.caught_up and report.pushed.rejected == 1
        assert report.pushed.accepted == 20
        row = terminal.outbox.execute(
            "SELECT state, reason FROM interactions WHERE id = ?", (deep,)
        ).fetchone()
        assert row[0] == "rejected"
        assert row[1].startswith("too_deep: JSON nested more than")
        assert set(_hub_statuses(hub, before + after).values()) == {"accepted"}
    finally:
        terminal.close()


def test_a_push_that_keeps_failing_never_stops_the_pull(
    hooked_hub: tuple[HubHandle, PoisonHook], tmp_path: Path
) -> None:
    """The hub fails every push; meanwhile it rotates its member-code key. The terminal still
    pulls the new key, so a member code signed with it is accepted (not ``unknown_key``)."""
    hub, hook = hooked_hub
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="stuck")
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
    member = hub.store.members.ids(STORE, limit=1)[0]
    terminal = Terminal(home)
    try:
        terminal.record("visit", member_id=member, staff_id="A01")
        hook.fail_all = True
        new_key = hub.store.keys.rotate()
        code = hub.member_code(member)  # signed with the new key
        with engine_for(home) as engine, pytest.raises(HubError) as caught:
            engine.sync_once()
        assert caught.value.status == 500
        assert new_key.kid in terminal.public_keys(), "the rotated key was pulled"
        identity = terminal.identify(code)
        assert identity.kind == "code"
        assert terminal.status().pending == 1 and terminal.status().attention == 0
    finally:
        terminal.close()


def test_a_manager_sends_parked_records_again_from_the_command_line(
    hooked_hub: tuple[HubHandle, PoisonHook], tmp_path: Path
) -> None:
    """Parked, then the hub is fixed: ``clerk sync --once --retry-parked`` (the store's manager,
    with a PIN) puts it back in the queue and the same round delivers it."""
    import os
    import subprocess
    import sys

    hub, hook = hooked_hub
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="retry")
    members = hub.store.members.ids(STORE, limit=5)
    terminal = Terminal(home)
    try:
        ids = _record_notes(terminal, members, 60)
        poison = ids[23]
        hook.poison = {poison}
        with engine_for(home) as engine:
            engine.batch_items = 25  # as above: good items beside it show the hub works
            rounds = 0
            while terminal.status().attention == 0:
                rounds += 1
                assert rounds <= 3
                engine.sync_once()
        assert [p.id for p in outbox_mod.needs_attention(terminal.outbox)] == [poison]
    finally:
        terminal.close()
    hook.poison = set()  # HQ fixed the hub

    env = {**os.environ, "CLERK_HOME": str(home)}
    env.pop("CLERK_PIN", None)
    manager_pin = next(s["pin"] for s in staff(STORE) if s["id"] == "M01")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "clerk.cli",
            "sync",
            "--once",
            "--retry-parked",
            "--json",
            "--staff",
            "M01",
            "--pin-stdin",
        ],
        input=f"{manager_pin}\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["retried_parked"] == 1 and report["caught_up"]
    assert _hub_statuses(hub, [poison]) == {poison: "accepted"}
    terminal = Terminal(home)
    try:
        assert terminal.status().attention == 0
    finally:
        terminal.close()
