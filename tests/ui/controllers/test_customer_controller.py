"""Recording what happened: each kind is one shortcut plus optional text, written through
Terminal.record on a worker, shown as "saved · will sync"."""

from __future__ import annotations

from typing import Any

import pytest

from clerk.shared.interactions import MAX_TEXT
from ui.models.product_choices_model import SaleLineValue
from ui.models.rows_model import Roles
from ui.qt import QApplication, Qt

HERO = "M00000001"
HERO_SKU = "SW00001"
HERO_COUPON = "Q0000000101"
CTRL = Qt.KeyboardModifier.ControlModifier


def _last_toast(w: Any) -> str:
    toasts = w.toasts.toasts()
    return toasts[-1].text.text() if toasts else ""


def composer_problem(w: Any) -> str:
    problem = w.screens.customer_view.composer.problem
    return str(problem.text()) if problem.isVisible() else ""


def _wait_recorded(qtbot: Any, w: Any, outbox_rows: Any, count: int) -> list[dict[str, Any]]:
    qtbot.waitUntil(lambda: len(outbox_rows()) == count, timeout=5_000)
    qtbot.waitUntil(lambda: w.runners.terminal.pending == 0, timeout=5_000)
    return outbox_rows()


def test_note_with_ctrl_n_and_ctrl_enter(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    composer = w.screens.customer_view.composer
    assert composer.form == "note" and composer.note.text.hasFocus()
    composer.note.text.setPlainText("试戴了表带，想要蓝色")
    qtbot.keyClick(composer.note.text, Qt.Key.Key_Return, CTRL)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "note"
    assert rows[-1]["payload"] == {"text": "试戴了表带，想要蓝色"}
    assert rows[-1]["staff_id"] == "A01"
    assert not composer.isVisible()
    assert _last_toast(w) == "Note saved · will sync"
    # The view is re-read: the note is the newest entry, marked pending.
    visits = w.screens.customer_models.visits
    qtbot.waitUntil(lambda: visits.index(0, 0).data(visits.Kind) == "note", timeout=5_000)
    assert visits.index(0, 0).data(Roles.Chip) == "Saved · pending sync"


def test_interest_tried_on(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_I, CTRL)
    form = w.screens.customer_view.composer.interest
    assert w.screens.customer_view.composer.form == "interest"
    lst = form.picker.list
    assert lst.model().rowCount() > 0 and lst.height() >= 3 * 36  # suggestions, rows tall
    assert form.chosen.text() == "Pick the product above."  # nothing picked for them
    assert not lst.model().flags(lst.model().index(0, 0)) & Qt.ItemFlag.ItemIsUserCheckable
    row = lst.model().row_of(HERO_SKU)  # cart products first
    assert row == 0
    _click_row(qtbot, lst, row)
    assert form.chosen.text() == f"Smartwatch S3 · {HERO_SKU} · ¥1,999.00"
    qtbot.mouseClick(form.tried_on, Qt.MouseButton.LeftButton)
    form.text.setText("42 mm")
    qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "interest"
    assert rows[-1]["payload"] == {"sku": HERO_SKU, "action": "tried_on", "text": "42 mm"}


def test_interest_in_any_catalogue_product(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, terminal: Any
) -> None:
    """Interest works for any product of the catalogue, found by its Chinese or English name
    or its sku — also for a customer without online history."""
    w = session.window
    other = next(p for p in terminal.products("Jeans", 5))
    open_customer(home.code(HERO))
    assert w.screens.customer_view.buttons["interest"].isEnabled()
    qtbot.keyClick(w, Qt.Key.Key_I, CTRL)
    form = w.screens.customer_view.composer.interest
    model = w.screens.customer_models.interest_products
    for query in (other.title_zh, other.title_en.lower(), other.sku):
        form.picker.search.setText(query)
        qtbot.waitUntil(lambda: model.row_of(other.sku) >= 0, timeout=5_000)
    qtbot.keyClick(form.picker.search, Qt.Key.Key_Return)  # Enter picks the first found
    assert form.chosen.text().startswith(f"{other.title_en} · {other.sku}")
    qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["payload"] == {"sku": other.sku, "action": "asked_about"}


def test_redeem_is_an_inline_confirmation(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_R, CTRL)
    composer = w.screens.customer_view.composer
    assert composer.form == "redeem"
    assert QApplication.activeModalWidget() is None
    assert composer.redeem.offer.text() == "¥200 off"
    assert "orders from ¥1,000" in composer.redeem.rule.text()
    assert "Smartwatch S3" in composer.redeem.applies.text()
    assert composer.save.hasFocus()
    qtbot.keyClick(composer.save, Qt.Key.Key_Return)  # Enter confirms
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "redeem"
    assert rows[-1]["payload"] == {"coupon_id": HERO_COUPON}
    assert _last_toast(w) == "Coupon redeemed · will sync"
    coupons = w.screens.customer_models.coupons

    def hero_row() -> Any:
        return next(
            coupons.index(i, 0)
            for i in range(coupons.rowCount())
            if coupons.index(i, 0).data(coupons.CouponIdRole) == HERO_COUPON
        )

    qtbot.waitUntil(lambda: hero_row().data(Roles.Chip) == "Pending sync", timeout=5_000)
    assert hero_row().data(coupons.Redeemable) is False


def test_redeem_cancelled_with_esc_records_nothing(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_R, CTRL)
    assert w.screens.customer_view.composer.form == "redeem"
    qtbot.keyClick(w.screens.customer_view.composer.save, Qt.Key.Key_Escape)
    assert w.screens.customer_view.composer.form == ""
    assert w.nav.page == "customer"  # the first Esc closes the panel, not the customer
    assert [r["kind"] for r in outbox_rows()] == ["visit"]


def test_assisted_sale_offers_the_cart_and_ticks_nothing(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    """The sale form pre-ticked every cart line and pre-filled the total (issue 19): now
    nothing is on the sale until picked; a cart line is a one-tap suggestion; the total is
    computed from the lines and editable."""
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    composer = w.screens.customer_view.composer
    form = composer.sale
    assert composer.form == "sale"
    assert form.rows == [] and form.amount.text() == ""
    assert form.picker.search.hasFocus()
    lst = form.picker.list
    assert lst.model().row_of(HERO_SKU) == 0  # the cart line, suggested
    _click_row(qtbot, lst, 0)
    assert [v.sku for v in form.values()] == [HERO_SKU]
    assert form.amount.text() == "1999.00"
    form.rows[0].qty.setValue(2)
    assert form.amount.text() == "3998.00"
    form.rows[0].qty.setValue(1)
    form.amount.setText("1799.00")  # the associate's own total
    form.amount.textEdited.emit("1799.00")
    form.rows[0].price.setText("1999.00")
    assert form.amount.text() == "1799.00"  # it stays as typed
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "sale"
    assert rows[-1]["payload"] == {
        "items": [{"sku": HERO_SKU, "qty": 1, "price_cents": 199_900}],
        "amount_cents": 179_900,
        "cart_item_ids": ["C0000000100"],
    }


def test_a_sale_of_a_product_not_in_the_cart(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, terminal: Any
) -> None:
    """A sale not in the cart could not be recorded (issue 19): any catalogue product is
    found by name (zh, en) or sku, with its catalogue price, editable."""
    w = session.window
    jeans = terminal.products("Jeans", 5)[0]
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    composer = w.screens.customer_view.composer
    form = composer.sale
    model = w.screens.customer_models.sale_products
    form.picker.search.setText(jeans.title_zh)
    qtbot.waitUntil(lambda: model.row_of(jeans.sku) >= 0, timeout=5_000)
    _click_row(qtbot, form.picker.list, model.row_of(jeans.sku))
    assert form.picker.search.text() == ""  # ready for the next one
    line = form.rows[0]
    assert line.title.text() == jeans.title_en and line.qty.hasFocus()
    line.price.setText("100.00")
    line.qty.setValue(3)
    assert form.amount.text() == "300.00"
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["payload"] == {
        "items": [{"sku": jeans.sku, "qty": 3, "price_cents": 10_000}],
        "amount_cents": 30_000,
        "cart_item_ids": [],
    }


def test_consent_withdrawn(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_K, CTRL)
    form = w.screens.customer_view.composer.consent
    assert form.marketing.isChecked() and form.browsing.isChecked()
    form.marketing.setChecked(False)
    qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "consent"
    assert rows[-1]["payload"] == {"marketing": False}


def test_a_follow_up_task_from_the_customer_view_with_ctrl_t(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, terminal: Any
) -> None:
    """Ctrl+T: a follow-up for the signed-in associate, due at 18:00 on the day picked
    (tomorrow by default), contacting the customer (she consented) — recorded as a ``task``
    and on the terminal's task list at once, offline."""
    from clerk import tasks
    from ui.qt import QDate

    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_T, CTRL)
    composer = w.screens.customer_view.composer
    form = composer.task
    assert composer.form == "task" and composer.title.text() == "Follow-up task"
    assert form.outreach.isChecked() and form.outreach.isEnabled()
    assert form.due.date() == QDate.currentDate().addDays(1)
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)  # no title yet
    assert composer.form == "task"
    assert composer_problem(w).startswith("What to do:")
    form.title.setText("call when size 38 arrives")
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "task" and rows[-1]["member_id"] == HERO
    due = QDate.currentDate().addDays(1).startOfDay().addSecs(18 * 3600).toSecsSinceEpoch()
    assert rows[-1]["payload"] == {
        "title": "call when size 38 arrives",
        "due_at": due,
        "assignee": "A01",
        "outreach": True,
    }
    (task,) = tasks.load(terminal.cache, terminal.outbox, now=0, staff_id="A01")
    assert (task.id, task.member_id, task.pending) == (rows[-1]["id"], HERO, True)


def test_empty_note_is_not_recorded(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    qtbot.mouseClick(w.screens.customer_view.composer.save, Qt.MouseButton.LeftButton)
    assert w.screens.customer_view.composer.form == "note"  # still open
    assert _last_toast(w) == "Note: Type the note first."
    assert composer_problem(w) == "Note: Type the note first."
    assert [r["kind"] for r in outbox_rows()] == ["visit"]


def test_a_long_session_remembers_only_its_newest_records(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    outbox_rows: Any,
    monkeypatch: Any,
) -> None:
    """The associate is told when a record of this session settles badly — for the newest
    ``MINE_KEPT`` of them: a day of scans without a lock no longer grows what the screen
    remembers for good (bench/all_day.py)."""
    from clerk import outbox as outbox_mod
    from ui import texts
    from ui.controllers import customer_controller

    monkeypatch.setattr(customer_controller, "MINE_KEPT", 2)
    w = session.window
    open_customer(home.code(HERO))  # the visit: remembered …
    customer = w.screens.customer
    composer = w.screens.customer_view.composer
    for text in ("first", "second"):  # … until two newer records push it out
        count = len(outbox_rows()) + 1
        customer.action("note")
        composer.note.text.setPlainText(text)
        customer.save()
        _wait_recorded(qtbot, w, outbox_rows, count)
    rows = outbox_rows()
    visit = next(r["id"] for r in rows if r["kind"] == "visit")
    newest = rows[-1]["id"]
    conn = outbox_mod.open_outbox(home.home / "outbox.db")
    try:
        outbox_mod.apply_results(
            conn,
            [
                {"id": visit, "status": "rejected", "reason": "unknown_member"},
                {"id": newest, "status": "rejected", "reason": "bad_payload"},
            ],
        )
    finally:
        conn.close()
    customer.refresh()
    qtbot.waitUntil(lambda: "rejected by the hub" in _last_toast(w), timeout=5_000)
    said = [t.text.text() for t in w.toasts.toasts() if "rejected by the hub" in t.text.text()]
    assert said == [f"Note: rejected by the hub — {texts.hub_reason('bad_payload')}"]


def test_what_the_hub_would_refuse_is_not_saved_and_the_field_is_pointed_at(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    """The forms build the vocabulary's typed payloads: a note one character over the limit,
    a sale with no product, an amount finer than a fen — refused before anything is saved."""
    w = session.window
    composer = w.screens.customer_view.composer
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    composer.note.text.setPlainText("x" * (MAX_TEXT + 1))
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    assert composer.form == "note" and composer.note.text.hasFocus()
    message = "Note: The text is too long — at most 4,000 characters."
    assert _last_toast(w) == message and composer_problem(w) == message
    assert composer.note.text.property("invalid") is True

    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    sale = composer.sale
    assert sale.rows == []  # nothing picked
    sale.amount.setText("12.00")
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    assert composer.form == "sale" and sale.picker.search.hasFocus()
    assert _last_toast(w) == "Products sold: Add the products sold."

    _click_row(qtbot, sale.picker.list, 0)
    sale.amount.setText("1799.004")  # finer than a fen (pasted, scanned): refused, not rounded
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    assert composer.form == "sale" and sale.amount.hasFocus()
    assert _last_toast(w) == "Amount: Enter an amount from ¥0.00 to ¥100,000,000.00, in whole fen."
    assert [r["kind"] for r in outbox_rows()] == ["visit"]

    sale.amount.setText("1,799.50")  # the locale's group separator
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["payload"]["amount_cents"] == 179_950


def _coupon_rows(w: Any) -> list[Any]:
    coupons = w.screens.customer_models.coupons
    return [coupons.row_at(i) for i in range(coupons.rowCount())]


def _click_row(qtbot: Any, lst: Any, row: int) -> None:
    index = lst.model().index(row, 0)
    lst.scrollTo(index)
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualRect(index).center())


def test_a_single_click_on_a_coupon_is_what_is_confirmed(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    """The wrong coupon redeemed (issue 19): Ctrl+R shows one coupon, a single click on
    another one must update the confirmation, and Confirm redeems the one shown."""
    w = session.window
    open_customer(home.code(HERO))
    view = w.screens.customer_view
    coupons = w.screens.customer_models.coupons
    usable = [i for i, c in enumerate(_coupon_rows(w)) if coupons.redeemable(c)]
    assert len(usable) >= 2, "the hero needs two redeemable coupons"
    qtbot.keyClick(w, Qt.Key.Key_R, CTRL)
    composer = view.composer
    first = composer.redeem.title.text()
    other = usable[1]
    other_coupon = coupons.row_at(other)
    _click_row(qtbot, view.coupons.list, other)
    assert view.coupons.list.currentIndex().row() == other
    assert composer.form == "redeem"
    assert composer.redeem.title.text() != first
    assert composer.redeem.title.text() == other_coupon.title.en
    assert other_coupon.title.en in composer.redeem.question.text()
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["payload"] == {"coupon_id": other_coupon.id}


def test_keyboard_navigation_in_the_coupons_moves_the_confirmation(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    open_customer(home.code(HERO))
    view = w.screens.customer_view
    coupons = w.screens.customer_models.coupons
    lst = view.coupons.list
    # A single click on a coupon with no form open shows its confirmation.
    _click_row(qtbot, lst, 0)
    assert view.composer.form == "redeem"
    shown = [coupons.row_at(0).id]
    # Down arrow through every coupon: the confirmation follows; one that cannot be
    # redeemed is shown with Confirm disabled (never the previous one kept).
    assert lst.hasFocus()  # a click leaves the keyboard in the list
    for row in range(1, coupons.rowCount()):
        qtbot.keyClick(lst, Qt.Key.Key_Down)
        assert lst.currentIndex().row() == row
        coupon = coupons.row_at(row)
        assert view.composer.redeem.title.text() == coupon.title.en
        assert view.composer.save.isEnabled() == coupons.redeemable(coupon)
        shown.append(coupon.id)
    # Back up to a redeemable one; Confirm redeems the coupon shown and selected.
    target = next(i for i in range(coupons.rowCount()) if coupons.redeemable(coupons.row_at(i)))
    while lst.currentIndex().row() > target:
        qtbot.keyClick(lst, Qt.Key.Key_Up)
    chosen = coupons.row_at(target)
    assert view.composer.redeem.title.text() == chosen.title.en
    assert view.composer.save.isEnabled()
    qtbot.mouseClick(view.composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["payload"] == {"coupon_id": chosen.id}


def test_the_note_shows_its_limit_while_typing(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    """A note over 4,000 characters was "saved", then rejected by the hub (issue 19): the
    editor shows the count against the limit, red past it, and saving says which field."""
    w = session.window
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    note = w.screens.customer_view.composer.note
    assert note.count.text() == "0 / 4,000 characters"
    note.text.setPlainText("x" * 3980)
    assert note.count.text() == "3,980 / 4,000 characters"
    assert note.count.property("role") == "hint"
    note.text.setPlainText("x" * MAX_TEXT)
    qtbot.keyClicks(note.text, "a")  # the scanner filter holds fast keys back a moment
    qtbot.waitUntil(lambda: note.count.text() == "4,001 / 4,000 characters", timeout=2_000)
    assert note.count.property("role") == "error"
    qtbot.keyClick(note.text, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: note.count.property("role") == "hint", timeout=2_000)
    qtbot.keyClick(note.text, Qt.Key.Key_Return, CTRL)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["payload"] == {"text": "x" * MAX_TEXT}


def _on_screen(w: Any, widget: Any) -> bool:
    """The widget is shown whole inside the window (not clipped by a scroll area)."""
    from ui.qt import QRect

    visible = widget.visibleRegion().boundingRect()
    inside = QRect(widget.mapTo(w, visible.topLeft()), visible.size())
    return (
        not widget.visibleRegion().isEmpty()
        and visible.size() == widget.size()
        and w.rect().contains(inside)
    )


@pytest.mark.parametrize(
    ("size", "lang"),
    [((720, 1280), "en"), ((414, 896), "zh"), ((1280, 800), "zh"), ((1920, 1080), "en")],
)
def test_the_sale_form_keeps_save_on_screen(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    outbox_rows: Any,
    terminal: Any,
    size: tuple[int, int],
    lang: str,
) -> None:
    """On a handheld Save was ~29 rows down and the focused amount below the visible area
    (issue 19): with ten lines on the sale, Save stays on screen and the field with the focus
    is scrolled into view, at each size and in both languages."""
    w = session.window
    session.translations.set_language(lang)
    w.set_layout_setting("auto")
    w.resize(*size)
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    composer = w.screens.customer_view.composer
    sale = composer.sale
    for product in terminal.products("S", 10):
        sale.add_line(SaleLineValue(product.sku, product.title_zh, 1, product.price_cents))
    assert len(sale.rows) == 10
    w.screens.customer_view.scroll_to_composer()
    qtbot.waitUntil(lambda: _on_screen(w, composer.save), timeout=10_000)
    # Each field focused comes into view, with Save (once the layout has settled).
    w.activateWindow()  # the focus moves only in the active window
    qtbot.waitUntil(w.isActiveWindow, timeout=10_000)
    for field in (sale.amount, sale.rows[-1].price, sale.rows[0].qty):
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=10_000)
        qtbot.waitUntil(
            lambda f=field: _on_screen(w, f) and _on_screen(w, composer.save), timeout=10_000
        )
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert len(rows[-1]["payload"]["items"]) == 10


def test_a_half_typed_note_survives_esc_the_next_scan_and_a_lock(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, wait_idle: Any
) -> None:
    """Half-typed drafts vanished on Esc or the next scan (issue 19): kept per customer and
    staff member in outbox.db, back when the associate serves that customer again, cleared on
    save; "Discard draft" throws it away, with an undo."""
    w = session.window
    composer = w.screens.customer_view.composer
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    composer.note.text.setPlainText("wants the blue strap, size M")
    qtbot.keyClick(composer.note.text, Qt.Key.Key_Escape)  # Esc: closed, kept
    assert composer.form == ""
    assert _last_toast(w).startswith("Draft kept")
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    assert composer.note.text.toPlainText() == "wants the blue strap, size M"
    assert composer.draft_chip.isVisible() and composer.draft_chip.text() == "Draft kept"
    composer.note.text.setPlainText("wants the blue strap, size M, call back")
    open_customer(home.code("M00000007"))  # the next scan
    wait_idle()
    assert composer.form == ""
    open_customer(home.code(HERO))  # back to the hero: told, and the note comes back
    notice = w.screens.customer_view.notice
    qtbot.waitUntil(lambda: notice.text.text().startswith("Draft kept: Note"), timeout=5_000)
    qtbot.keyClick(w, Qt.Key.Key_N, CTRL)
    assert composer.note.text.toPlainText() == "wants the blue strap, size M, call back"
    assert composer.draft_chip.isVisible()
    # A lock keeps it too (and shows nothing of it meanwhile).
    w.end_session()
    wait_idle()
    assert composer.note.text.toPlainText() == ""
    from clerk import drafts
    from clerk.db import connect

    conn = connect(home.home / "outbox.db", synchronous="NORMAL", readonly=True)
    try:
        assert drafts.load(conn, "A01", HERO) == {
            "note": {"text": "wants the blue strap, size M, call back"}
        }
    finally:
        conn.close()


def test_a_draft_discarded_can_be_undone_and_saving_clears_it(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any, wait_idle: Any
) -> None:
    w = session.window
    composer = w.screens.customer_view.composer
    open_customer(home.code(HERO))
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    _click_row(qtbot, composer.sale.picker.list, 0)
    composer.sale.text.setText("gift wrap")
    qtbot.mouseClick(composer.cancel, Qt.MouseButton.LeftButton)
    qtbot.keyClick(w, Qt.Key.Key_S, CTRL)
    assert [v.sku for v in composer.sale.values()] == [HERO_SKU]
    assert composer.sale.text.text() == "gift wrap" and composer.discard.isVisible()
    qtbot.mouseClick(composer.discard, Qt.MouseButton.LeftButton)
    assert composer.sale.values() == [] and composer.sale.text.text() == ""
    assert composer.discard.text() == "Undo discard"
    qtbot.mouseClick(composer.discard, Qt.MouseButton.LeftButton)  # undo
    assert [v.sku for v in composer.sale.values()] == [HERO_SKU]
    assert composer.sale.text.text() == "gift wrap" and composer.draft_chip.isVisible()
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    _wait_recorded(qtbot, w, outbox_rows, 2)
    wait_idle()
    assert terminal_drafts(home) == {}  # saved: the draft is gone


def terminal_drafts(home: Any) -> dict[str, Any]:
    from clerk import drafts
    from clerk.db import connect

    conn = connect(home.home / "outbox.db", synchronous="NORMAL", readonly=True)
    try:
        return drafts.load(conn, "A01", HERO)
    finally:
        conn.close()


def test_a_case_opened_noted_and_closed_offline(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    w = session.window
    view = w.screens.customer_view
    open_customer(home.code(HERO))
    assert not view.cases.isVisible()  # no open case: no panel above the talking points
    qtbot.keyClick(w, Qt.Key.Key_E, CTRL)
    composer = view.composer
    assert composer.form == "case_open" and composer.case_open.subject.hasFocus()
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)  # no subject: refused
    assert composer_problem(w) == "Case subject: Say what the case is about."
    assert len(outbox_rows()) == 1  # the visit only
    composer.case_open.type_buttons["repair"].setChecked(True)
    composer.case_open.subject.setText("screen replacement")
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "case_open"
    assert rows[-1]["payload"] == {"case_type": "repair", "subject": "screen replacement"}
    assert _last_toast(w) == "Case opened · will sync"
    cases = w.screens.customer_models.cases
    qtbot.waitUntil(lambda: cases.rowCount() == 1, timeout=5_000)
    assert view.cases.isVisible()
    title = cases.index(0, 0).data(Roles.Title)
    assert title.startswith("Open repair #") and title.endswith(": screen replacement")
    assert cases.index(0, 0).data(Roles.Chip) == "Saved · pending sync"
    case_id = rows[-1]["id"]

    # A note on it: a click on the case.
    _click_row(qtbot, view.cases.list, 0)
    assert composer.form == "case_update" and composer.case_update.case.text() == title
    composer.case_update.text.setPlainText("parts ordered")
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 3)
    assert (rows[-1]["kind"], rows[-1]["payload"]) == (
        "case_note",
        {"case_id": case_id, "text": "parts ordered"},
    )
    # Closed: it leaves the panel at once (offline too), and the panel goes.
    _click_row(qtbot, view.cases.list, 0)
    composer.case_update.close_case.setChecked(True)
    composer.case_update.text.setPlainText("screen replaced")
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    rows = _wait_recorded(qtbot, w, outbox_rows, 4)
    assert (rows[-1]["kind"], rows[-1]["payload"]) == (
        "case_close",
        {"case_id": case_id, "text": "screen replaced"},
    )
    qtbot.waitUntil(lambda: cases.rowCount() == 0, timeout=5_000)
    assert not view.cases.isVisible()
    visits = w.screens.customer_models.visits
    qtbot.waitUntil(lambda: visits.index(0, 0).data(visits.Kind) == "case_close", timeout=5_000)


def test_the_header_shows_tags_preferences_and_consent_wording(
    qtbot: Any, session: Any, terminal: Any, home: Any, open_customer: Any
) -> None:
    from clerk.cache import apply_changes
    from clerk.db import Transaction

    w = session.window
    cache = terminal.cache
    wording = {
        "id": "marketing:2024-01",
        "purpose": "marketing",
        "version": "2024-01",
        "text_zh": "我同意接收优惠信息。",
        "text_en": "I agree to receive offers.",
        "effective_at": 0,
    }
    with Transaction(cache):
        change = {"entity": "consent_text", "op": "upsert", "key": wording["id"], "data": wording}
        apply_changes(cache, [change])
    open_customer(home.code(HERO))
    header = w.screens.customer_view.header
    assert header.tags.text() == "Tech — prefers the app"  # the hero's tags
    assert header.marketing.text() == "Marketing ✓ · v2024-01"
    assert header.marketing.toolTip() == "Version 2024-01: “I agree to receive offers.”"
    assert header.browsing.toolTip() == ""  # no wording for it: none shown
    qtbot.keyClick(w, Qt.Key.Key_K, CTRL)
    form = w.screens.customer_view.composer.consent
    assert form.marketing_wording.text() == "Version 2024-01: “I agree to receive offers.”"
    assert form.marketing_wording.isVisible() and not form.browsing_wording.isVisible()


# --- points redeemed at the counter -----------------------------------------------------------


def _open_points(qtbot: Any, w: Any) -> Any:
    qtbot.keyClick(w, Qt.Key.Key_P, CTRL)
    composer = w.screens.customer_view.composer
    assert composer.form == "points_redeem" and composer.points.points.hasFocus()
    assert QApplication.activeModalWidget() is None
    return composer


def test_points_redeemed_in_the_form_land_in_the_outbox(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    from ui.i18n import fmt_number

    w = session.window
    open_customer(home.code(HERO))
    data = w.screens.customer.data
    assert data is not None and data.points is not None
    available = data.points.available
    assert available >= 100, "the hero needs points to redeem"
    assert w.screens.customer_view.buttons["points_redeem"].isEnabled()
    composer = _open_points(qtbot, w)
    assert fmt_number(available) in composer.points.available.text()
    qtbot.keyClicks(composer.points.points, "100")  # typed (the wedge filter holds keys a moment)
    qtbot.waitUntil(lambda: composer.points.points.text() == "100", timeout=2_000)
    question = composer.points.question.text()
    # the confirmation names the points, the member and the balance after
    assert "100 points" in question and data.profile.name in question
    assert fmt_number(available - 100) in question
    assert composer.save.text() == "Confirm redemption"
    composer.points.text.setText("gift wrap")
    qtbot.keyClick(composer.points.points, Qt.Key.Key_Return, CTRL)
    rows = _wait_recorded(qtbot, w, outbox_rows, 2)
    assert rows[-1]["kind"] == "points_redeem"
    assert rows[-1]["member_id"] == HERO
    assert rows[-1]["payload"] == {"points": 100, "text": "gift wrap"}
    assert not composer.isVisible()
    assert _last_toast(w) == "Points redeemed · will sync"
    # Re-read: the 100 are held here until the hub confirms them; the form offers the rest.
    qtbot.waitUntil(
        lambda: w.screens.customer.data.points.available == available - 100, timeout=5_000
    )
    _open_points(qtbot, w)
    assert fmt_number(available - 100) in composer.points.available.text()
    assert "100 held here" in composer.points.available.text()


def test_points_over_the_balance_are_refused_and_nothing_is_written(
    qtbot: Any, session: Any, home: Any, open_customer: Any, outbox_rows: Any
) -> None:
    from ui.i18n import fmt_number

    w = session.window
    open_customer(home.code(HERO))
    _wait_recorded(qtbot, w, outbox_rows, 1)
    available = w.screens.customer.data.points.available
    composer = _open_points(qtbot, w)
    qtbot.keyClicks(composer.points.points, str(available + 1))
    qtbot.waitUntil(lambda: composer.points.points.text() == str(available + 1), timeout=2_000)
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.runners.terminal.pending == 0, timeout=5_000)
    assert [r["kind"] for r in outbox_rows()] == ["visit"]
    assert composer.form == "points_redeem"  # still open, as typed
    problem = composer_problem(w)
    assert problem == (
        f"Points: More than the balance: {fmt_number(available)} points may be redeemed here."
    )
    assert composer.points.points.property("invalid") is True
    assert composer.points.points.hasFocus()
    # nothing typed: said, nothing written
    composer.points.points.clear()
    qtbot.mouseClick(composer.save, Qt.MouseButton.LeftButton)
    assert composer_problem(w) == "Points: Enter the points to redeem."
    assert [r["kind"] for r in outbox_rows()] == ["visit"]
