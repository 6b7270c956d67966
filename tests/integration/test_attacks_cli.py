"""The terminal's command line follows the app's rules (issue 14, item 6), against the real hub.

A curious associate with a shell on the terminal tries the command line instead of the app:
recording as nobody (or as a colleague), reading a customer without signing in, pointing the
terminal at a hub of their own over plain http so the next sync hands them the device token,
changing settings without a manager. Each is refused with exit 2 and a reason, and what is
allowed is signed in, locked out and audited exactly as in the app.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerk import audit
from clerk.cli import main as clerk_main
from clerk.outbox import open_outbox
from demoworld import world
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

STAFF = {s["id"]: s for s in world.staff("S001")}
ASSOCIATE, MANAGER = STAFF["A01"], STAFF["M01"]


@pytest.fixture
def home(hub: HubHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "terminal"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    with engine_for(home) as engine:
        engine.sync_once()
    monkeypatch.setenv("CLERK_HOME", str(home))
    monkeypatch.delenv("CLERK_PIN", raising=False)
    yield home


def clerk(
    monkeypatch: pytest.MonkeyPatch, *argv: str, pin: str | None = None
) -> tuple[int, str, str]:
    """``clerk ARGV`` in this process (the PIN, if any, in $CLERK_PIN)."""
    import contextlib
    import io

    with monkeypatch.context() as m:
        if pin is not None:
            m.setenv("CLERK_PIN", pin)
        out, err = io.StringIO(), io.StringIO()
        m.setattr(sys, "stdin", io.StringIO(""))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = clerk_main(list(argv))
            except SystemExit as exc:  # argparse
                code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def _audit(home: Path) -> list[tuple[str, str | None, dict[str, Any]]]:
    conn = open_outbox(home / "outbox.db")
    try:
        return [(r.action, r.staff_id, r.detail) for r in audit.rows(conn)]
    finally:
        conn.close()


def _pending(home: Path) -> int:
    conn = open_outbox(home / "outbox.db")
    try:
        return int(conn.execute("SELECT count(*) FROM interactions").fetchone()[0])
    finally:
        conn.close()


def _member(hub: HubHandle) -> str:
    return hub.store.members.ids("S001", limit=1)[0]


def test_recording_needs_a_signed_in_staff_member(
    hub: HubHandle, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = _member(hub)
    code, _out, err = clerk(monkeypatch, "record", "visit", "--member", member)
    assert code == 2 and "--staff" in err, err
    code, _out, err = clerk(
        monkeypatch, "record", "visit", "--member", member, "--staff", "A01", pin="0000"
    )
    assert code == 2 and "wrong PIN" in err, err
    assert _pending(home) == 0, "nothing recorded without the right PIN"
    code, out, err = clerk(
        monkeypatch,
        "record",
        "visit",
        "--member",
        member,
        "--staff",
        "A01",
        "--json",
        pin=ASSOCIATE["pin"],
    )
    assert code == 0, err
    assert json.loads(out)["staff_id"] == "A01"
    actions = [(a, s) for a, s, _d in _audit(home)]
    assert actions[-3:] == [("signin_failed", "A01"), ("signin", "A01"), ("signout", "A01")]


def test_recording_as_a_colleague_meets_the_lockout(
    hub: HubHandle, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = _member(hub)
    for _ in range(5):
        code, _out, err = clerk(
            monkeypatch,
            "record",
            "note",
            "--member",
            member,
            "--text",
            "x",
            "--staff",
            "A02",
            pin="1111",
        )
        assert code == 2
    assert "locked out" in err
    code, _out, err = clerk(
        monkeypatch,
        "record",
        "note",
        "--member",
        member,
        "--text",
        "x",
        "--staff",
        "A02",
        pin=STAFF["A02"]["pin"],
    )
    assert code == 2 and "locked out" in err  # the right PIN waits for the lockout
    assert _pending(home) == 0


def test_reading_a_customer_needs_a_signed_in_staff_member_and_is_audited(
    hub: HubHandle, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = _member(hub)
    card = str(hub.store.members.view(member)["member"]["card_no"])
    code, out, _err = clerk(monkeypatch, "lookup", card, "--json")
    assert code == 2 and member not in out
    code, out, err = clerk(monkeypatch, "lookup", card, "--json", "--staff", "A01", pin="1234")
    assert code == 0, err
    assert json.loads(out)["profile"]["member_id"] == member
    assert ("view_customer", "A01", {"member_id": member}) in _audit(home)


def test_settings_need_a_manager_and_hub_url_needs_https(
    hub: HubHandle, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_ = ("config", "set")
    code, _out, err = clerk(monkeypatch, *set_, "idle_lock_minutes", "1")
    assert code == 2 and "--staff" in err
    code, _out, err = clerk(
        monkeypatch, *set_, "idle_lock_minutes", "1", "--staff", "A01", pin=ASSOCIATE["pin"]
    )
    assert code == 2 and "managers only" in err, err
    evil = "http://hub.attacker.invalid:8080"
    code, _out, err = clerk(
        monkeypatch, *set_, "hub_url", evil, "--staff", "M01", pin=MANAGER["pin"]
    )
    assert code == 2 and "https" in err, err
    code, out, err = clerk(
        monkeypatch, *set_, "idle_lock_minutes", "2", "--staff", "M01", pin=MANAGER["pin"]
    )
    assert code == 0 and out.strip() == "idle_lock_minutes = 2", err
    assert clerk(monkeypatch, "config", "get", "hub_url")[1].strip() == hub.url  # reads: open
    assert ("settings_change", "M01", {"name": "idle_lock_minutes", "old": 5, "new": 2}) in (
        _audit(home)
    )
    for url in ("https://hub.example:8443", "http://localhost:8765", "http://[::1]:8765"):
        code, _out, err = clerk(
            monkeypatch, *set_, "hub_url", url, "--staff", "M01", pin=MANAGER["pin"]
        )
        assert code == 0, (url, err)


def test_a_plain_http_hub_elsewhere_is_refused_at_enrolment_and_at_sync(
    hub: HubHandle, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = clerk(
        monkeypatch,
        "enroll",
        "--hub",
        "http://hub.attacker.invalid:8765",
        "--store",
        "S001",
        "--code",
        hub.enrol_code("S001"),
    )
    assert code == 2 and "https" in err, err
    # The settings file edited by hand: the sync refuses to send the token there.
    settings = json.loads((home / "settings.json").read_text(encoding="utf-8"))
    settings["hub_url"] = "http://hub.attacker.invalid"
    (home / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    code, _out, err = clerk(monkeypatch, "sync", "--once")
    assert code == 2 and "https" in err, err


def test_the_pin_from_stdin_in_a_real_process(hub: HubHandle, home: Path) -> None:
    member = _member(hub)
    env = {**os.environ, "CLERK_HOME": str(home)}
    env.pop("CLERK_PIN", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "clerk.cli",
            "record",
            "visit",
            "--member",
            member,
            "--staff",
            "A01",
            "--pin-stdin",
        ],
        input=ASSOCIATE["pin"] + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert ASSOCIATE["pin"] not in proc.stdout + proc.stderr
    assert _pending(home) == 1


def test_before_enrolment_it_sets_the_terminal_up_without_a_pin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No staff and no device token yet: nothing to protect, no one to sign in (the enrolment
    screen sets the hub address the same way). The https rule holds all the same."""
    monkeypatch.setenv("CLERK_HOME", str(tmp_path / "fresh"))
    code, out, err = clerk(monkeypatch, "config", "set", "language", "en")
    assert code == 0 and out.strip() == "language = en", err
    code, _out, err = clerk(monkeypatch, "config", "set", "hub_url", "http://hub.attacker.invalid")
    assert code == 2 and "https" in err
    assert ("settings_change", None, {"name": "language", "old": "auto", "new": "en"}) in (
        _audit(tmp_path / "fresh")
    )
