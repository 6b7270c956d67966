"""Staff secrets (issue 14, item 5), against the real hub.

The terminal checks PINs offline against argon2id hashes it gets with the store's staff rows,
so anyone with its data directory can guess offline: a manager's PIN must have at least 6
digits and every guess must be costly (argon2id, 64 MiB, 3 passes: docs/benchmarks.md, "Offline
PIN guessing"). Guessing at the terminal itself meets the lockout, which holds offline and
across restarts. And the hub does not take a terminal's word for who did a manager's job: it
re-checks manager-only interactions against its own roster.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from hub_client import make_interaction, pull_changes

from demoworld import world
from sync.hub.cli import add_hub_parser, run_hub
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

CLERK = [sys.executable, "-m", "clerk.cli"]


def _hub(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    return run_hub(parser.parse_args(["hub", *argv]))


def _matches(pin_hash: str, pin: str) -> bool:
    try:
        return bool(PasswordHasher().verify(pin_hash, pin))
    except VerifyMismatchError:
        return False


def _pin_hash(hub: HubHandle, staff_id: str) -> str:
    with hub.store.read() as conn:
        return str(conn.scalar("SELECT pin_hash FROM staff WHERE id = ?", (staff_id,)))


def test_a_manager_pin_shorter_than_six_digits_is_refused(
    hub: HubHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["staff", "add", "--db", hub.db, "--id", "M09", "--store", "S001", "--name", "Boss"]
    assert _hub(*add, "--role", "manager", "--pin", "4821") == 2
    assert "a manager's PIN is 6 to 12 digits" in capsys.readouterr().err
    assert _hub("staff", "reset-pin", "--db", hub.db, "M01", "--pin", "48213") == 2
    assert _hub(*add, "--role", "associate", "--pin", "4821") == 0  # an associate may keep 4
    assert _hub(*add, "--role", "manager", "--pin", "482193") == 0
    assert _matches(_pin_hash(hub, "M09"), "482193")


def test_pin_hashes_a_terminal_holds_cost_64_mib_and_3_passes_a_guess(hub: HubHandle) -> None:
    dev = hub.enrol("S001")
    with hub.client(dev["token"]) as client:
        changes, _ = pull_changes(client)
    hashes = [c["data"]["pin_hash"] for c in changes if c["entity"] == "staff"]
    assert hashes
    for h in hashes:
        assert h.startswith("$argon2id$v=19$m=65536,t=3,p=1$"), h


def test_the_demo_managers_pin_has_six_digits(hub: HubHandle) -> None:
    (manager,) = [s for s in world.staff("S001") if s["role"] == "manager"]
    assert len(manager["pin"]) >= 6
    assert _matches(_pin_hash(hub, manager["id"]), manager["pin"])


def test_an_old_hash_still_verifies_and_is_replaced_when_the_pin_is_set(hub: HubHandle) -> None:
    old = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash("483920")
    hub.store.staff.update("M01", pin_hash=old)
    from clerk.shared import pins

    assert pins.needs_rehash(old) and _matches(old, "483920")
    assert _hub("staff", "reset-pin", "--db", hub.db, "M01", "--pin", "730914") == 0
    new = _pin_hash(hub, "M01")
    assert not pins.needs_rehash(new) and _matches(new, "730914")


def test_lockout_holds_offline_and_across_restarts(hub: HubHandle, tmp_path: Path) -> None:
    """Wrong PINs at the terminal while the hub is unreachable, each try a new process: the
    lockout holds, and the right PIN is refused until it ends."""
    home = tmp_path / "terminal"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    with engine_for(home) as engine:
        engine.sync_once()
    (manager,) = [s for s in world.staff("S001") if s["role"] == "manager"]
    env = {**os.environ, "CLERK_HOME": str(home)}
    # The hub goes away: the terminal's settings point at a closed port.
    (home / "settings.json").write_text('{"hub_url": "http://127.0.0.1:9"}', encoding="utf-8")

    def report(pin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLERK, "report", "visits", "--staff", manager["id"], "--pin-stdin"],
            input=pin + "\n",
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    for _ in range(5):
        wrong = report("000000")
        assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    right = report(manager["pin"])
    assert right.returncode == 2 and "locked out" in right.stderr, right.stderr


def test_the_hub_rechecks_manager_only_interactions_against_its_roster(
    any_hub: HubHandle,
) -> None:
    """A terminal says an associate — or someone of another store, or no one it knows — resolved
    a conflict: the hub refuses it; the store's manager may."""
    dev = any_hub.enrol("S001")
    target = make_interaction("visit", "M00000001", staff_id="A01")
    by = {
        "A01": ("rejected", "staff_role"),  # an associate of the store
        "M11": ("rejected", "unknown_staff"),  # S002's manager
        "ZZZ": ("rejected", "unknown_staff"),  # nobody
        None: ("rejected", "unknown_staff"),
        "M01": ("accepted", None),  # the store's manager
    }
    items = [target] + [
        make_interaction("resolve", None, staff_id=sid, conflict_id=target["id"], decision="accept")
        for sid in by
    ]
    with any_hub.client(dev["token"]) as client:
        resp = client.post("/v1/interactions", json={"interactions": items})
    assert resp.status_code == 200
    got = [(r["status"], r["reason"]) for r in resp.json()["results"][1:]]
    assert got == list(by.values())
