"""Terminal.open_customer: the visit and the audit row of the view are one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clerk import audit
from clerk.errors import StorageError
from clerk.terminal import Terminal

CARD = "6200000000000013"  # Luhn-valid member card


def _counts(terminal: Terminal) -> tuple[int, int]:
    visits = terminal.outbox.execute("SELECT count(*) FROM interactions WHERE kind = 'visit'")
    views = terminal.outbox.execute("SELECT count(*) FROM audit_log WHERE action = 'view_customer'")
    return int(visits.fetchone()[0]), int(views.fetchone()[0])


def test_a_scan_records_the_visit_and_its_audit_row(tmp_path: Path) -> None:
    terminal = Terminal(tmp_path / "t")
    try:
        opened = terminal.open_customer(terminal.identify(CARD), staff_id="A01")
        # No one here has this card: no visit until the associate says what it is.
        assert opened.reason == "not_cached" and opened.visit is None
        assert _counts(terminal) == (0, 1)
        assert terminal.record_unmatched_visit(opened.identity, staff_id="A01") is not None
        assert _counts(terminal) == (1, 1)
        again = terminal.open_customer(terminal.identify(CARD), staff_id="A01")
        assert again.visit is None
        assert terminal.record_unmatched_visit(again.identity, "A01") is None  # the same visit
        assert _counts(terminal) == (1, 2)  # the view is audited again
        walk_in = terminal.record_walk_in("A01")
        assert (walk_in.member_id, walk_in.member_ref, walk_in.payload) == (
            None,
            None,
            {"via": "walk_in"},
        )
        assert not terminal.outbox.in_transaction
    finally:
        terminal.close()


def test_when_the_audit_row_cannot_be_written_no_visit_is_saved_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from demoworld.home import build_home

    demo = build_home(tmp_path / "t", members=3, products=20, now=1_763_900_000)
    card = demo.cards[demo.hero]  # a member this terminal knows: the scan records the visit
    terminal = Terminal(demo.home, clock=lambda: 1_763_900_000)
    real_append = audit.append

    def failing_append(conn: Any, action: str, *args: Any) -> Any:
        if action == "view_customer":
            conn.execute("INSERT INTO audit_log (seq) VALUES (NULL)")  # half a row, then…
            raise StorageError("disk full")
        return real_append(conn, action, *args)

    monkeypatch.setattr(audit, "append", failing_append)
    try:
        with pytest.raises(StorageError):
            terminal.open_customer(terminal.identify(card), staff_id="A01")
        assert _counts(terminal) == (0, 0)  # nothing says "saved": the visit went too
        assert not terminal.outbox.in_transaction
        monkeypatch.setattr(audit, "append", real_append)
        opened = terminal.open_customer(terminal.identify(card), staff_id="A01")
        assert opened.member_id == demo.hero
        assert opened.visit is not None and _counts(terminal) == (1, 1)
    finally:
        terminal.close()
