"""Saved means saved: every kind of record, typed through the real forms with the values at
its bounds (empty, the longest allowed, one over), and then sent to a real hub on loopback.
The terminal said "saved" ⇔ the hub accepts it; what the form refused, the hub rejects too.

The hub is seeded with the same demo world as the terminal's data directory (members, the
catalogue, coupons), so the member, products and coupons the forms name are the hub's."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from clerk.shared.interactions import MAX_LINES, MAX_POINTS, MAX_QTY, MAX_TEXT
from clerk.shared.money import MAX_CENTS
from demoworld.seed import seed_demo
from sync.hub.app import HubConfig
from sync.hub.embedded import HubHandle, running_hub
from sync.hub.rules import WriteBounds
from sync.hub.store import HubStore
from ui import texts
from ui.models.product_choices_model import SaleLineValue
from ui.models.rows_model import Roles
from ui.qt import Qt

NOW = 1_763_900_000
HERO = "M00000001"
HERO_SKU = "SW00001"
CTRL = Qt.KeyboardModifier.ControlModifier
_devices = itertools.count()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubHandle]:
    path = tmp_path_factory.mktemp("forms-hub") / "hub.db"
    store = HubStore.open(str(path))
    try:  # the world of tests/ui/conftest.py's home
        seed_demo(store, members=40, seed=42, now=NOW, products=400)
    finally:
        store.close()
    # The forms record at the frozen NOW of the UI tests' world: a hub whose windows take a
    # record of that age (the time bounds are tested in tests/integration/test_attacks_writes.py).
    years = WriteBounds(max_age_s=20 * 365 * 86_400, enrolment_grace_s=20 * 365 * 86_400)
    with running_hub(str(path), config=HubConfig(bounds=years)) as handle:
        yield handle


@pytest.fixture
def hub_client(hub: HubHandle) -> Iterator[httpx.Client]:
    """A terminal of store S001 enrolled at the hub (one per test: its own device sequence)."""
    with hub.client(hub.enrol("S001", f"forms-{next(_devices)}")["token"]) as client:
        yield client


def _push(client: httpx.Client, row: dict[str, Any]) -> dict[str, Any]:
    wire = {
        k: row[k]
        for k in (
            "id",
            "kind",
            "member_id",
            "member_ref",
            "staff_id",
            "created_at",
            "device_seq",
            "payload",
        )
    }
    resp = client.post("/v1/interactions", json={"interactions": [wire]})
    assert resp.status_code == 200, resp.text
    [result] = resp.json()["results"]
    return dict(result)


def _would_be(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The record a form refused, as it would have gone to the hub."""
    from clerk.ids import uuid7_str

    return {
        "id": uuid7_str(),
        "kind": kind,
        "member_id": HERO,
        "member_ref": None,
        "staff_id": "A01",
        "created_at": NOW,
        "device_seq": 10_000 + next(_devices),
        "payload": payload,
    }


def _save(qtbot: Any, w: Any) -> None:
    qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.runners.terminal.pending == 0, timeout=5_000)


# Each case fills one form through its widgets and returns the payload it means to record.
Fill = Callable[[Any, Any], dict[str, Any]]


def _note(text: str) -> Fill:
    def fill(qtbot: Any, w: Any) -> dict[str, Any]:
        qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
        w.screens.customer_view.composer.note.text.setPlainText(text)
        return {"text": text}

    return fill


def _interest(text: str) -> Fill:
    def fill(qtbot: Any, w: Any) -> dict[str, Any]:
        qtbot.keyClick(w, Qt.Key.Key_I, CTRL)
        form = w.screens.customer_view.composer.interest
        lst = form.picker.list
        index = lst.model().index(lst.model().row_of(HERO_SKU), 0)
        qtbot.mouseClick(
            lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualRect(index).center()
        )
        form.text.setText(text)
        payload: dict[str, Any] = {"sku": HERO_SKU, "action": "asked_about"}
        return {**payload, "text": text} if text else payload

    return fill


def _sale(qty: int, amount: str, cents: int, text: str = "", lines: int = 1) -> Fill:
    def fill(qtbot: Any, w: Any) -> dict[str, Any]:
        qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
        sale = w.screens.customer_view.composer.sale
        sale.set_lines([SaleLineValue(HERO_SKU, "Smartwatch S3", qty, 199_900)] * lines)
        sale.amount.setText(amount)
        sale.text.setText(text)
        payload: dict[str, Any] = {
            "items": [{"sku": HERO_SKU, "qty": qty, "price_cents": 199_900}] * lines,
            "amount_cents": cents,
        }
        return {**payload, "text": text} if text else payload

    return fill


def _consent(marketing: bool) -> Fill:
    def fill(qtbot: Any, w: Any) -> dict[str, Any]:
        qtbot.keyClick(w, Qt.Key.Key_K, CTRL)
        form = w.screens.customer_view.composer.consent
        was = form.marketing.isChecked()
        form.marketing.setChecked(marketing)
        return {"marketing": marketing} if marketing != was else {}

    return fill


def _redeem(qtbot: Any, w: Any) -> dict[str, Any]:
    qtbot.keyClick(w, Qt.Key.Key_R, CTRL)
    coupons = w.screens.customer_models.coupons
    return {
        "coupon_id": coupons.row_at(w.screens.customer_view.coupons.list.currentIndex().row()).id
    }


CASES: list[tuple[str, str, Fill, bool]] = [
    ("note, empty", "note", _note(""), False),
    ("note, longest", "note", _note("n" * MAX_TEXT), True),
    ("note, one over", "note", _note("n" * (MAX_TEXT + 1)), False),
    ("interest, no remark", "interest", _interest(""), True),
    ("interest, longest remark", "interest", _interest("i" * MAX_TEXT), True),
    ("interest, remark one over", "interest", _interest("i" * (MAX_TEXT + 1)), False),
    ("redeem", "redeem", _redeem, True),
    ("sale, zero", "sale", _sale(1, "0", 0), True),
    ("sale, largest amount", "sale", _sale(1, "100000000.00", MAX_CENTS), True),
    ("sale, amount one fen over", "sale", _sale(1, "100000000.01", MAX_CENTS + 1), False),
    ("sale, no line", "sale", _sale(1, "10", 1000, lines=0), False),
    ("sale, most lines", "sale", _sale(1, "10", 1000, lines=MAX_LINES), True),
    ("sale, lines one over", "sale", _sale(1, "10", 1000, lines=MAX_LINES + 1), False),
    ("sale, largest quantity", "sale", _sale(MAX_QTY, "10", 1000), True),
    ("sale, longest note", "sale", _sale(1, "10", 1000, "s" * MAX_TEXT), True),
    ("sale, note one over", "sale", _sale(1, "10", 1000, "s" * (MAX_TEXT + 1)), False),
    ("consent, no change", "consent", _consent(True), False),
    ("consent, a change", "consent", _consent(False), True),
]


@pytest.mark.parametrize(("case", "kind", "fill", "valid"), CASES, ids=[c[0] for c in CASES])
def test_the_form_and_the_hub_agree_at_every_bound(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    outbox_rows: Any,
    hub_client: httpx.Client,
    case: str,
    kind: str,
    fill: Fill,
    valid: bool,
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.waitUntil(lambda: len(outbox_rows()) == 1, timeout=5_000)
    [visit] = outbox_rows()
    assert _push(hub_client, visit)["status"] == "accepted"  # the visit of the scan
    meant = fill(qtbot, w)
    _save(qtbot, w)
    rows = outbox_rows()
    toasts = w.toasts.toasts()
    said_saved = bool(toasts) and "will sync" in toasts[-1].text.text()
    saved = rows[1:]
    assert said_saved is bool(saved), case
    assert bool(saved) is valid, case
    if saved:
        [row] = saved
        assert row["kind"] == kind
        for key, value in meant.items():
            assert row["payload"][key] == value, (case, key)
        result = _push(hub_client, row)
        assert result["status"] == "accepted", (case, result)
    else:
        composer = w.screens.customer_view.composer
        assert composer.form == kind and composer.problem.isVisible(), case
        result = _push(hub_client, _would_be(kind, meant))
        assert (result["status"], result.get("reason")) == ("rejected", "bad_payload"), case


def test_a_quantity_over_the_bound_cannot_be_typed(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    """The quantity field holds 1–999, the vocabulary's bounds: one over is refused at the
    field (the key is not taken), so it never reaches a record."""
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    sale = w.screens.customer_view.composer.sale
    line = sale.add_line(SaleLineValue(HERO_SKU, "Smartwatch S3", 1, 199_900))
    assert (line.qty.minimum(), line.qty.maximum()) == (1, MAX_QTY)
    line.qty.setFocus()
    line.qty.lineEdit().selectAll()
    qtbot.keyClicks(line.qty, "1000")
    qtbot.waitUntil(lambda: line.qty.text() == "100", timeout=2_000)
    assert line.qty.value() <= MAX_QTY


def _force_note(terminal: Any, text: str) -> str:
    """A note the vocabulary refuses, in the outbox as an older terminal version wrote it
    (no check before saving): what the hub then rejects."""
    from clerk.ids import uuid7_str

    iid = uuid7_str()

    def write(conn: Any) -> None:
        seq = conn.execute("SELECT coalesce(max(device_seq), 0) + 1 FROM interactions")
        conn.execute(
            "INSERT INTO interactions (id, device_seq, kind, member_id, staff_id, payload,"
            " created_at) VALUES (?, ?, 'note', ?, 'A01', ?, ?)",
            (iid, seq.fetchone()[0], HERO, json.dumps({"text": text}), NOW),
        )

    terminal.write(write)
    return iid


def test_a_note_the_hub_rejected_is_fixed_in_its_form_and_accepted_exactly_once(
    qtbot: Any,
    session: Any,
    home: Any,
    terminal: Any,
    open_customer: Any,
    outbox_rows: Any,
    hub: HubHandle,
    hub_client: httpx.Client,
) -> None:
    """The issue's note over 4,000 characters, "saved" by an older terminal and rejected by
    the hub: its history row says "Rejected — fix"; a click opens the note form holding it,
    with what the hub said; the form refuses it as it is, the associate shortens it, and the
    corrected copy — a new record superseding the old — is accepted by the hub once. The old
    one is corrected: never sent again, in no history, in no figure."""
    from clerk import audit
    from clerk import outbox as outbox_mod

    w = session.window
    customer = w.screens.customer
    open_customer(home.code(HERO))
    qtbot.waitUntil(lambda: len(outbox_rows()) == 1, timeout=5_000)
    assert _push(hub_client, outbox_rows()[0])["status"] == "accepted"  # the scan's visit
    too_long = "x" * (MAX_TEXT + 1)
    old_id = _force_note(terminal, too_long)
    [old] = [r for r in outbox_rows() if r["id"] == old_id]
    answer = _push(hub_client, old)
    assert (answer["status"], answer["reason"]) == ("rejected", "bad_payload")
    terminal.write(lambda conn: outbox_mod.apply_results(conn, [answer]))
    customer.refresh()
    history = w.screens.customer_view.visits.list
    model = history.model()

    def row_of_old() -> int:
        ids = [model.row_at(i).id for i in range(model.rowCount())]
        return ids.index(old_id) if old_id in ids else -1

    qtbot.waitUntil(lambda: row_of_old() >= 0, timeout=5_000)
    index = model.index(row_of_old(), 0)
    assert index.data(Roles.Chip) == "Rejected — fix"
    history.scrollTo(index)
    qtbot.mouseClick(
        history.viewport(), Qt.MouseButton.LeftButton, pos=history.visualRect(index).center()
    )
    composer = w.screens.customer_view.composer
    qtbot.waitUntil(lambda: composer.form == "note", timeout=2_000)
    assert composer.note.text.toPlainText() == too_long  # the record as it was
    assert composer.fixing.isVisible() and composer.withdraw.isVisible()
    assert texts.hub_reason("bad_payload") in composer.fixing.text()  # what the hub said
    _save(qtbot, w)  # as it is: refused by the same rules, nothing written
    assert composer.form == "note" and composer.problem.isVisible()
    assert len(outbox_rows()) == 2
    composer.note.text.setPlainText("x" * MAX_TEXT)
    _save(qtbot, w)
    rows = {r["id"]: r for r in outbox_rows()}
    assert rows[old_id]["state"] == "corrected"
    [fixed] = [r for r in rows.values() if r["supersedes"] == old_id]
    assert fixed["id"] != old_id and fixed["state"] == "pending"
    assert (fixed["kind"], fixed["member_id"], fixed["staff_id"]) == ("note", HERO, "A01")
    assert fixed["payload"] == {"text": "x" * MAX_TEXT}
    assert fixed["device_seq"] > rows[old_id]["device_seq"]
    assert composer.form == "" and "new record" in w.toasts.toasts()[-1].text.text()
    # delivered exactly once: accepted, then a repeat is the same record, not a second one
    assert _push(hub_client, fixed)["status"] == "accepted"
    assert _push(hub_client, fixed)["status"] == "accepted"  # a repeat: the same answer
    with hub.store.read() as conn:
        kept = conn.rows(
            "SELECT id, status FROM interactions WHERE id IN (?, ?)", (old_id, fixed["id"])
        )
        shown = conn.rows("SELECT id FROM visits WHERE id IN (?, ?)", (old_id, fixed["id"]))
    assert sorted(map(tuple, kept)) == sorted([(old_id, "rejected"), (fixed["id"], "accepted")])
    assert [tuple(r) for r in shown] == [(fixed["id"],)]  # in the member's history once
    status = terminal.write(outbox_mod.status)
    assert (status.rejected, status.attention) == (0, 0)
    assert old_id not in {r.id for r in terminal.write(outbox_mod.next_batch)}
    qtbot.waitUntil(lambda: row_of_old() < 0, timeout=5_000)  # in no history
    actions = [r.action for r in terminal.write(lambda conn: audit.rows(conn))]
    assert "record_fix" in actions


def _rejected_by_hub(terminal: Any, hub_client: httpx.Client, staff: str) -> str:
    """A note over the limit by ``staff``, pushed to the real hub and rejected there."""
    from clerk import outbox as outbox_mod

    iid = _force_note(terminal, "y" * (MAX_TEXT + 1))
    terminal.write(
        lambda conn: conn.execute("UPDATE interactions SET staff_id = ? WHERE id = ?", (staff, iid))
    )
    row = terminal.write(lambda conn: outbox_mod.get(conn, iid))
    answer = _push(hub_client, {**row.wire(), "payload": row.payload})
    assert answer["status"] == "rejected"
    terminal.write(lambda conn: outbox_mod.apply_results(conn, [answer]))
    return iid


def _open_fix(qtbot: Any, w: Any, iid: str) -> Any:
    w.screens.customer.refresh()
    model = w.screens.customer_view.visits.list.model()

    def row() -> int:
        ids = [model.row_at(i).id for i in range(model.rowCount())]
        return ids.index(iid) if iid in ids else -1

    qtbot.waitUntil(lambda: row() >= 0, timeout=5_000)
    w.screens.customer.history_activated(model.index(row(), 0))
    composer = w.screens.customer_view.composer
    qtbot.waitUntil(lambda: composer.form == "note", timeout=5_000)
    return composer


def test_the_associate_withdraws_their_rejected_note_from_its_form(
    qtbot: Any,
    session: Any,
    home: Any,
    terminal: Any,
    open_customer: Any,
    outbox_rows: Any,
    hub_client: httpx.Client,
) -> None:
    """ "Withdraw the record": kept, never sent, in no history, audited — nothing new recorded."""
    from clerk import audit

    w = session.window
    open_customer(home.code(HERO))
    iid = _rejected_by_hub(terminal, hub_client, "A01")
    composer = _open_fix(qtbot, w, iid)
    before = len(outbox_rows())
    qtbot.mouseClick(composer.withdraw, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: composer.form == "", timeout=5_000)
    rows = {r["id"]: r for r in outbox_rows()}
    assert len(rows) == before and rows[iid]["state"] == "withdrawn"
    assert rows[iid]["closed_by"] == "A01"
    assert [r.action for r in terminal.write(audit.rows)][-1] == "record_withdraw"


def test_an_associate_cannot_fix_someone_elses_record(
    qtbot: Any,
    session: Any,
    home: Any,
    terminal: Any,
    open_customer: Any,
    outbox_rows: Any,
    hub_client: httpx.Client,
) -> None:
    """A02's rejected note, opened by A01 (signed in): saving is refused with the reason, and
    nothing is written — the associate who recorded it, or a manager, fixes it."""
    w = session.window
    open_customer(home.code(HERO))
    iid = _rejected_by_hub(terminal, hub_client, "A02")
    composer = _open_fix(qtbot, w, iid)
    composer.note.text.setPlainText("shorter")
    before = outbox_rows()
    _save(qtbot, w)
    assert outbox_rows() == before
    assert texts.reason_message("permission_denied") in w.toasts.toasts()[-1].text.text()
    qtbot.mouseClick(composer.withdraw, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.runners.terminal.pending == 0, timeout=5_000)
    assert outbox_rows() == before  # nor withdraw it


def _points(over: int | None) -> Fill:
    """The points form: ``None`` leaves it empty, else the balance available here plus
    ``over`` (0: the most allowed, 1: one over)."""

    def fill(qtbot: Any, w: Any) -> dict[str, Any]:
        qtbot.keyClick(w, Qt.Key.Key_P, CTRL)
        form = w.screens.customer_view.composer.points
        if over is None:
            return {}
        available = w.screens.customer.data.points.available
        assert available > 0, "the member needs points to redeem"
        points = available + over
        form.points.setText(str(points))
        return {"points": points}

    return fill


# What the hub says of a points redemption the form refused: without points it is not a
# record; over the balance it is one the hub keeps and flags (another terminal redeemed too).
# A member of their own: the other cases' sales earn the hero points at this module's hub.
POINTS_MEMBER = "M00000004"  # of store S001, with points
POINTS_CASES: list[tuple[str, Fill, tuple[str, str | None]]] = [
    ("points, empty", _points(None), ("rejected", "bad_payload")),
    ("points, the whole balance", _points(0), ("accepted", None)),
    ("points, one over the balance", _points(1), ("conflict", "points_overdraft")),
]


@pytest.mark.parametrize(
    ("case", "fill", "hub_says"), POINTS_CASES, ids=[c[0] for c in POINTS_CASES]
)
def test_points_redeemed_at_their_bounds(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    outbox_rows: Any,
    hub_client: httpx.Client,
    case: str,
    fill: Fill,
    hub_says: tuple[str, str | None],
) -> None:
    """The points form against the real hub: the whole balance available here is saved and
    accepted; nothing typed, or one point over the balance, is refused at the form (nothing
    written) — the hub would reject the first and flag the second as an overdraft."""
    w = session.window
    open_customer(home.code(POINTS_MEMBER))
    qtbot.waitUntil(lambda: len(outbox_rows()) == 1, timeout=5_000)
    [visit] = outbox_rows()
    assert _push(hub_client, visit)["status"] == "accepted"
    meant = fill(qtbot, w)
    _save(qtbot, w)
    saved = outbox_rows()[1:]
    valid = hub_says[0] == "accepted"
    assert bool(saved) is valid, case
    if saved:
        [row] = saved
        assert row["kind"] == "points_redeem" and row["payload"] == meant, case
        assert "will sync" in w.toasts.toasts()[-1].text.text()
        result = _push(hub_client, row)
    else:
        composer = w.screens.customer_view.composer
        assert composer.form == "points_redeem" and composer.problem.isVisible(), case
        result = _push(
            hub_client, {**_would_be("points_redeem", meant), "member_id": POINTS_MEMBER}
        )
    assert (result["status"], result.get("reason")) == hub_says, (case, result)


def test_points_over_the_vocabulary_bound_cannot_be_typed(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    """The points field takes whole points up to the vocabulary's bound: a digit more is not
    taken, nor anything but digits."""
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_P, CTRL)
    form = w.screens.customer_view.composer.points
    assert form.validator.top() == MAX_POINTS
    assert form.points.maxLength() == len(str(MAX_POINTS))
    qtbot.keyClicks(form.points, str(MAX_POINTS) + "0")
    qtbot.waitUntil(lambda: form.points.text() == str(MAX_POINTS), timeout=2_000)
    assert form.value() == MAX_POINTS
    form.points.clear()
    qtbot.keyClicks(form.points, "1.5x")
    qtbot.waitUntil(lambda: form.points.text() == "15", timeout=2_000)
