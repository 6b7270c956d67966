"""Sign-up at the counter against the real hub: a provisional member usable at once, offline;
one sync makes the hub member; two terminals signing the same number up offline make one
member with both terminals' records attached; a number a member has already joins them."""

from __future__ import annotations

from pathlib import Path

from clerk import signup
from clerk.shared import phones
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

NEW_PHONE = "139 0017 2026"


def _terminal(hub: HubHandle, home: Path) -> Terminal:
    enroll(home, hub.url, "S001", hub.enrol_code("S001"))
    with engine_for(home) as engine:  # staff, keys and the consent wording
        engine.sync_once()
    return Terminal(home)


def _sign_up(terminal: Terminal, phone: str, name: str) -> signup.Provisional:
    consent = terminal.signup_text("zh")
    assert consent is not None, "the hub sends the chain's consent wording"
    return terminal.sign_up(
        phone=phone,
        name=name,
        consent=consent,
        marketing=True,
        browsing=False,
        birthday="1990-05-17",
        staff_id="A01",
    )


def _hub_members_with(hub: HubHandle, phone: str) -> list[dict[str, object]]:
    e164 = phones.normalize_phone(phone)
    with hub.store.read() as conn:
        return conn.dicts(
            "SELECT id, name, home_store, phone FROM members WHERE phone = ?", (e164,)
        )


def _hub_rows(hub: HubHandle, ids: set[str]) -> dict[str, dict[str, object]]:
    return {str(r["id"]): r for r in hub.store.interactions.iter_rows() if r["id"] in ids}


def test_two_terminals_sign_up_the_same_phone_offline(hub: HubHandle, tmp_path: Path) -> None:
    assert _hub_members_with(hub, NEW_PHONE) == []
    one, two = _terminal(hub, tmp_path / "t1"), _terminal(hub, tmp_path / "t2")
    try:
        # Offline (no sync): each signs the customer up and serves them at once.
        p1 = _sign_up(one, NEW_PHONE, "林晓雯")
        p2 = _sign_up(two, NEW_PHONE, "林晓雯")
        assert p1.id != p2.id and signup.is_provisional(p1.id)
        view = one.view(p1.id)
        assert view is not None and view.profile.name == "林晓雯"
        assert view.profile.phone_masked == "*******2026"
        visit1 = one.record("visit", member_id=p1.id, staff_id="A01", payload={"via": "signup"})
        note1 = one.record("note", member_id=p1.id, staff_id="A01", payload={"text": "size 38"})
        sale2 = two.record(
            "sale",
            member_id=p2.id,
            staff_id="A01",
            payload={"items": [{"sku": "X1", "qty": 1, "price_cents": 9900}], "amount_cents": 9900},
        )
        note2 = two.record("note", member_id=p2.id, staff_id="A01", payload={"text": "called"})
        # Nothing of the number in clear on either terminal.
        for home in ("t1", "t2"):
            for name in ("outbox.db", "cache.db"):
                raw = (tmp_path / home / name).read_bytes()
                assert b"13900172026" not in raw
    finally:
        one.close()
        two.close()

    # Terminal one: everything in one batch (the records sent still name the provisional id).
    with engine_for(tmp_path / "t1") as engine:
        report = engine.sync_once()
    assert report.pushed.accepted == 3
    (member,) = _hub_members_with(hub, NEW_PHONE)
    real = str(member["id"])
    assert (member["name"], member["home_store"]) == ("林晓雯", "S001")

    # Terminal two: one item a batch, so its later records are rewritten before they are sent.
    with engine_for(tmp_path / "t2") as engine:
        engine.batch_items = 1
        report = engine.sync_once()
    assert report.pushed.accepted == 3
    assert len(_hub_members_with(hub, NEW_PHONE)) == 1, "one member for one number"

    ids = {p1.signup_id, p2.signup_id, visit1.id, note1.id, sale2.id, note2.id}
    rows = _hub_rows(hub, ids)
    assert {r["status"] for r in rows.values()} == {"accepted"}
    assert {r["member_id"] for r in rows.values()} == {real}, "both terminals' records attached"
    assert rows[p2.signup_id]["reason"] == "member_exists"
    with hub.store.read() as conn:
        history = {
            str(r[0]) for r in conn.rows("SELECT id FROM visits WHERE member_id = ?", (real,))
        }
    assert {visit1.id, note1.id, sale2.id, note2.id} <= history

    two = Terminal(tmp_path / "t2")
    try:
        assert signup.real_id(two.outbox, p2.id) == real
        (row,) = two.outbox.execute(
            "SELECT member_id, state FROM interactions WHERE id = ?", (note2.id,)
        ).fetchall()
        assert tuple(row) == (real, "acked"), "pending records rewritten to the real id"
        assert two.current_member_id(p2.id) == real  # the member reached the cache
        view = two.view(p2.id)
        assert view is not None and view.profile.member_id == real
    finally:
        two.close()

    # A repeat changes nothing: no second member, no second record.
    for home in ("t1", "t2"):
        with engine_for(tmp_path / home) as engine:
            engine.sync_once()
    assert len(_hub_members_with(hub, NEW_PHONE)) == 1
    assert len(_hub_rows(hub, ids)) == len(ids)


def test_sign_up_of_a_members_number_joins_that_member(hub: HubHandle, tmp_path: Path) -> None:
    member_id = hub.store.members.ids("S001", limit=3)[1]
    with hub.store.read() as conn:
        phone = str(conn.scalar("SELECT phone FROM members WHERE id = ?", (member_id,)))
        before = int(conn.scalar("SELECT count(*) FROM members"))
    terminal = _terminal(hub, tmp_path / "t")
    try:
        p = _sign_up(terminal, phone, "someone else")
        note = terminal.record("note", member_id=p.id, staff_id="A01", payload={"text": "hi"})
    finally:
        terminal.close()
    with engine_for(tmp_path / "t") as engine:
        assert engine.sync_once().pushed.accepted == 2
    rows = _hub_rows(hub, {p.signup_id, note.id})
    assert rows[p.signup_id]["reason"] == "member_exists"
    assert {r["member_id"] for r in rows.values()} == {member_id}
    with hub.store.read() as conn:
        assert int(conn.scalar("SELECT count(*) FROM members")) == before
        name = conn.scalar("SELECT name FROM members WHERE id = ?", (member_id,))
    assert name != "someone else", "a sign-up never overwrites the member it joins"


def test_a_card_linked_after_proof_reaches_every_terminal_and_is_never_stolen(
    hub: HubHandle, tmp_path: Path
) -> None:
    from clerk.errors import RecordError
    from clerk.identify import luhn_check_digit

    first, second = hub.store.members.ids("S001", limit=3)[:2]
    with hub.store.read() as conn:
        phone = str(conn.scalar("SELECT phone FROM members WHERE id = ?", (first,)))
        other_phone = str(conn.scalar("SELECT phone FROM members WHERE id = ?", (second,)))
    card = "62999999999" + luhn_check_digit("62999999999")
    one, two = _terminal(hub, tmp_path / "t1"), _terminal(hub, tmp_path / "t2")
    try:
        try:
            one.link(first, identity="card", value=card, proof=other_phone, staff_id="A01")
            raise AssertionError("a number that is not the member's proves nothing")
        except RecordError as exc:
            assert (exc.problem, exc.field) == ("no_proof", "proof")
        rec = one.link(first, identity="card", value=card, proof=phone, staff_id="A01")
        assert card not in str(rec.payload.get("phone_sealed"))
        # The other terminal links the same card to someone else, before it knows.
        stolen = two.link(second, identity="card", value=card, proof=other_phone, staff_id="A01")
    finally:
        one.close()
        two.close()
    with engine_for(tmp_path / "t1") as engine:
        assert engine.sync_once().pushed.accepted == 1
    with engine_for(tmp_path / "t2") as engine:
        report = engine.sync_once()
    assert report.pushed.conflict == 1
    rows = _hub_rows(hub, {rec.id, stolen.id})
    assert rows[stolen.id]["reason"] == "identity_taken"
    with hub.store.read() as conn:
        owner = conn.scalar(
            "SELECT member_id FROM identities WHERE kind = 'card' AND value = ?", (card,)
        )
        open_conflicts = conn.rows(
            "SELECT members FROM identity_conflicts WHERE resolved_at IS NULL"
        )
    # (the member had a card already: the new one is an identity of theirs at the hub)
    assert owner == first, "the card is the first member's; never moved by the second link"
    assert any(second in str(r[0]) and first in str(r[0]) for r in open_conflicts)
    # The card now names the member everywhere: a visit recorded offline at the other
    # terminal against the scanned card reaches the first member.
    terminal = Terminal(tmp_path / "t2")
    try:
        scanned = terminal.identify(card)
        visit = terminal.record_unmatched_visit(scanned, staff_id="A01")
        assert visit is not None
    finally:
        terminal.close()
    with engine_for(tmp_path / "t2") as engine:
        assert engine.sync_once().pushed.accepted == 1
    assert _hub_rows(hub, {visit.id})[visit.id]["member_id"] == first
