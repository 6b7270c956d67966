"""``clerk outbox rejected|fix|withdraw|dismiss`` (clerk/cli/outbox.py): the records the hub did
not take, from the command line, with the app's rules — the associate's own or a manager's to
fix and withdraw, a manager's to dismiss — each signed in with a PIN and audited."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.cli import build_parser
from clerk.cli.common import EXIT_INPUT, EXIT_OK, fail_with
from clerk.errors import ClerkError
from clerk.shared.interactions import MAX_TEXT
from clerk.shared.pins import hash_pin

if TYPE_CHECKING:
    from conftest import DemoDbs

HERO = "M00000001"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # tests only
PINS = {"A01": ("1234", "associate"), "A02": ("2345", "associate"), "M01": ("246810", "manager")}


def clerk(*argv: str, staff: str | None = None, monkeypatch: pytest.MonkeyPatch) -> int:
    if staff is not None:
        argv = (*argv, "--staff", staff)
        monkeypatch.setenv("CLERK_PIN", PINS[staff][0])
    args = build_parser().parse_args(list(argv))
    try:
        result: int = args.func(args)
    except ClerkError as exc:
        return fail_with(exc)
    return result


@pytest.fixture
def home(demo_dbs: DemoDbs, monkeypatch: pytest.MonkeyPatch) -> DemoDbs:
    monkeypatch.setenv("CLERK_HOME", str(demo_dbs.cache_path.parent))
    for sid, (pin, role) in PINS.items():
        demo_dbs.cache.execute(
            "UPDATE staff SET pin_hash = ? WHERE id = ?", (hash_pin(pin, role, FAST), sid)
        )
    demo_dbs.cache.commit()
    return demo_dbs


def _rejected_note(home: DemoDbs, text: str, staff: str = "A01") -> str:
    """A note an older terminal saved without checking it, then rejected by the hub."""
    rec = outbox_mod.record(
        home.outbox, "note", member_id=HERO, staff_id=staff, payload={"text": "x"}
    )
    home.outbox.execute(
        "UPDATE interactions SET payload = ? WHERE id = ?", (json.dumps({"text": text}), rec.id)
    )
    home.outbox.commit()
    outbox_mod.apply_results(
        home.outbox, [{"id": rec.id, "status": "rejected", "reason": "bad_payload"}]
    )
    return rec.id


def _state(home: DemoDbs, iid: str) -> str:
    return str(
        home.outbox.execute("SELECT state FROM interactions WHERE id = ?", (iid,)).fetchone()[0]
    )


def test_list_then_fix_a_note_the_hub_rejected(
    home: DemoDbs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _rejected_note(home, "y" * (MAX_TEXT + 1))
    assert clerk("outbox", "rejected", "--json", monkeypatch=monkeypatch) == EXIT_OK
    [listed] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (listed["id"], listed["state"], listed["hub_answer"]) == (old, "rejected", "bad_payload")
    # the same rules as any record: still too long is refused, nothing written
    too_long = f"text={'z' * (MAX_TEXT + 1)}"
    assert (
        clerk("outbox", "fix", old, "--set", too_long, staff="A01", monkeypatch=monkeypatch)
        == EXIT_INPUT
    )
    assert _state(home, old) == "rejected"
    capsys.readouterr()
    code = clerk(
        "outbox",
        "fix",
        old,
        "--set",
        "text=size 42",
        "--json",
        staff="A01",
        monkeypatch=monkeypatch,
    )
    assert code == EXIT_OK
    new = json.loads(capsys.readouterr().out)
    assert new["id"] != old and new["supersedes"] == old and new["payload"] == {"text": "size 42"}
    assert (_state(home, old), _state(home, new["id"])) == ("corrected", "pending")
    assert clerk("outbox", "rejected", monkeypatch=monkeypatch) == EXIT_OK
    assert "nothing waits" in capsys.readouterr().out
    assert clerk("outbox", "rejected", "--archived", monkeypatch=monkeypatch) == EXIT_OK
    assert old in capsys.readouterr().out
    actions = [(r.action, r.staff_id) for r in audit.rows(home.outbox)]
    assert ("record_fix", "A01") in actions


def test_withdraw_is_the_owners_or_a_managers_and_dismiss_a_managers(
    home: DemoDbs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _rejected_note(home, "y" * (MAX_TEXT + 1)), _rejected_note(home, "w" * (MAX_TEXT + 1))
    assert clerk("outbox", "withdraw", a, staff="A02", monkeypatch=monkeypatch) == EXIT_INPUT
    assert "someone else" in capsys.readouterr().err
    assert (
        clerk(
            "outbox", "withdraw", a, "--reason", "typed twice", staff="A01", monkeypatch=monkeypatch
        )
        == EXIT_OK
    )
    # dismissing: an associate is refused, even for their own record
    assert (
        clerk("outbox", "dismiss", b, "--reason", "gone", staff="A01", monkeypatch=monkeypatch)
        == EXIT_INPUT
    )
    assert "managers only" in capsys.readouterr().err
    assert _state(home, b) == "rejected"
    assert (
        clerk("outbox", "dismiss", b, "--reason", "gone", staff="M01", monkeypatch=monkeypatch)
        == EXIT_OK
    )
    assert (_state(home, a), _state(home, b)) == ("withdrawn", "dismissed")
    rows = [(r.action, r.staff_id, r.detail.get("reason")) for r in audit.rows(home.outbox)]
    assert ("record_withdraw", "A01", "typed twice") in rows
    assert ("record_dismiss", "M01", "gone") in rows
    assert (
        clerk("outbox", "dismiss", b, "--reason", "again", staff="M01", monkeypatch=monkeypatch)
        == EXIT_INPUT
    )
