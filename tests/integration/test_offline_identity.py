"""A member scanned while the terminal cannot see them (not cached, hub unreachable) is still
served: the associate says they are a member, the visit is recorded against the scanned
identity, and when it syncs the hub resolves that identity to the member — for a card and for
a typed phone number. Nothing is recorded before the associate says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll


def _member_row(hub: HubHandle, member_id: str) -> dict[str, object]:
    with hub.store.read() as conn:
        rows = conn.dicts("SELECT id, card_no, phone FROM members WHERE id = ?", (member_id,))
    return rows[0]


@pytest.mark.parametrize("by", ["card", "phone"])
def test_visit_recorded_offline_reaches_the_right_member(
    hub: HubHandle, tmp_path: Path, by: str
) -> None:
    home = tmp_path / "t"
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))  # keys and phone key; no pull yet
    member_id = hub.store.members.ids("S001", limit=3)[2]
    row = _member_row(hub, member_id)
    text = str(row["card_no"] if by == "card" else row["phone"])

    terminal = Terminal(home)  # no fetch_member: as if the hub were unreachable
    try:
        identity = terminal.identify(text)
        assert identity.kind == by
        opened = terminal.open_customer(identity, staff_id="A01")
        assert (opened.member_id, opened.reason) == (None, "not_cached")
        assert opened.visit is None  # not before the associate says they are a member
        visit = terminal.record_unmatched_visit(identity, staff_id="A01")
        assert visit is not None and visit.member_ref == identity.ref
        assert terminal.record_unmatched_visit(identity, staff_id="A01") is None  # once
        if by == "phone":
            assert identity.label.startswith("phone:") and "****" in identity.label
            assert text not in identity.ref, "the recorded ref never holds the number"
    finally:
        terminal.close()

    with engine_for(home) as engine:
        report = engine.sync_once()
    assert report.pushed.accepted == 1
    (got,) = [i for i in hub.store.interactions.iter_rows() if i["id"] == visit.id]
    assert (got["status"], got["member_id"]) == ("accepted", member_id)
