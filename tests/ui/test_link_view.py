"""Link to a member at the counter (issue 17 item 2): a card or number no member has, linked
after the customer proves who they are — their full mobile number typed, or their member code
scanned — records one ``link`` and opens the member; a proof that names no one is refused and
nothing is written; Cancel writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ui.qt import Qt

UNKNOWN_PHONE = "13900172026"


def _unknown_card() -> str:
    from clerk.identify import luhn_check_digit

    body = "620000000000123"
    return body + luhn_check_digit(body)


def _typed(e164: str) -> str:
    """The number as an associate types it (the national number of a mainland mobile)."""
    return e164.removeprefix("+86")


def _links(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["kind"] == "link"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_link_an_unknown_card_by_the_members_full_number(
    qtbot: Any,
    session: Any,
    home: Any,
    open_customer: Any,
    wait_idle: Any,
    outbox_rows: Any,
    lang: str,
) -> None:
    w = session.window
    session.translations.set_language(lang)
    view = w.screens.customer_view
    card = _unknown_card()
    open_customer(card)
    prompt, form = view.unknown, view.link
    assert prompt.isVisible() and prompt.link_button.isVisible()
    assert prompt.link_button.text() == ("关联到会员" if lang == "zh" else "Link to a member")
    qtbot.mouseClick(prompt.link_button, Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.proof.hasFocus()
    assert card[-4:] in form.what.text() and card not in form.what.text(), "masked"

    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)  # no proof yet
    assert form.field.error.isVisible()
    form.proof.setText(_typed(home.phones[home.hero]))
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.screens.customer.member_id == home.hero, timeout=5_000)
    wait_idle()
    assert not form.isVisible() and not prompt.isVisible(), "the member's page, nothing asked"
    hero = w.terminal.view(home.hero).profile.name
    assert view.header.name.text() == hero
    assert view.buttons["note"].isEnabled()
    rows = outbox_rows()
    [link] = _links(rows)
    assert link["member_id"] == home.hero and link["staff_id"] == "A01"
    assert link["payload"]["identity"] == "card" and link["payload"]["value"] == card
    assert link["payload"]["phone_sealed"] and "code" not in link["payload"]
    assert _typed(home.phones[home.hero]) not in str(link["payload"]), "the number sealed"
    assert [r["kind"] for r in rows] == ["link", "visit"], "then the member's visit"
    said = [t.text.text() for t in w.toasts.toasts()]
    toast = "卡号已关联到 %1 · 稍后同步" if lang == "zh" else "Card linked to %1 · will sync"
    assert toast.replace("%1", hero) in said


def test_a_member_code_scanned_while_the_form_is_open_is_the_proof(
    qtbot: Any, session: Any, home: Any, open_customer: Any, wait_idle: Any, outbox_rows: Any
) -> None:
    w = session.window
    view = w.screens.customer_view
    open_customer(UNKNOWN_PHONE)
    qtbot.mouseClick(view.unknown.link_button, Qt.MouseButton.LeftButton)
    assert view.link.isVisible()
    assert "2026" in view.link.what.text() and UNKNOWN_PHONE not in view.link.what.text()
    member = next(m for m in home.code_ids if m != home.hero)
    w.inputs.on_wedge_scan(home.code(member))  # the scanner, wherever the focus is
    qtbot.waitUntil(lambda: w.screens.customer.member_id == member, timeout=5_000)
    wait_idle()
    [link] = _links(outbox_rows())
    assert link["member_id"] == member
    assert link["payload"]["identity"] == "phone"
    assert link["payload"]["value"] != UNKNOWN_PHONE and UNKNOWN_PHONE not in str(link)
    assert link["payload"]["code"].startswith("MC1:") and "phone_sealed" not in link["payload"]


@pytest.mark.parametrize("proof", ["13900000000", "12345", "hello"])
def test_a_proof_that_names_no_member_is_refused_with_nothing_written(
    qtbot: Any, session: Any, open_customer: Any, wait_idle: Any, outbox_rows: Any, proof: str
) -> None:
    w = session.window
    view = w.screens.customer_view
    open_customer(_unknown_card())
    qtbot.mouseClick(view.unknown.link_button, Qt.MouseButton.LeftButton)
    form = view.link
    form.proof.setText(proof)
    qtbot.keyClick(form.proof, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.field.error.isVisible(), timeout=5_000)
    wait_idle()
    assert form.field.error.text() and form.isVisible() and form.save.isEnabled()
    assert w.screens.customer.member_id is None
    assert outbox_rows() == []


def test_cancel_writes_nothing_and_a_walk_in_is_not_linked(
    qtbot: Any, session: Any, open_customer: Any, wait_idle: Any, outbox_rows: Any, home: Any
) -> None:
    w = session.window
    view = w.screens.customer_view
    open_customer(_unknown_card())
    qtbot.mouseClick(view.unknown.link_button, Qt.MouseButton.LeftButton)
    view.link.proof.setText(_typed(home.phones[home.hero]))
    qtbot.mouseClick(view.link.close_button, Qt.MouseButton.LeftButton)
    assert not view.link.isVisible()
    wait_idle()
    assert outbox_rows() == []
    # Served as a walk-in: nothing left to link (the prompt's buttons go).
    qtbot.mouseClick(view.unknown.walk_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.unknown.state == "walk_in", timeout=5_000)
    assert not view.unknown.link_button.isVisible()
    assert [r["kind"] for r in outbox_rows()] == ["visit"]


def test_a_member_code_scanned_with_the_form_closed_opens_the_member(
    qtbot: Any, session: Any, home: Any, open_customer: Any, wait_idle: Any, outbox_rows: Any
) -> None:
    """No link form, no link: a scan is a customer as always."""
    w = session.window
    open_customer(_unknown_card())
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        w.inputs.on_wedge_scan(home.code(home.hero))
    qtbot.waitUntil(lambda: w.screens.customer.member_id == home.hero, timeout=5_000)
    wait_idle()
    assert _links(outbox_rows()) == []


def test_a_link_the_hub_did_not_take_is_said_after_the_sync(
    qtbot: Any, session: Any, home: Any, open_customer: Any, wait_idle: Any, outbox_rows: Any
) -> None:
    from clerk import outbox
    from clerk.db import connect
    from ui import texts

    w = session.window
    view = w.screens.customer_view
    open_customer(_unknown_card())
    qtbot.mouseClick(view.unknown.link_button, Qt.MouseButton.LeftButton)
    view.link.proof.setText(_typed(home.phones[home.hero]))
    qtbot.mouseClick(view.link.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.screens.customer.member_id == home.hero, timeout=5_000)
    wait_idle()
    [link] = _links(outbox_rows())
    # The hub's answer, as a sync applies it: the card is another member's.
    conn = connect(home.home / "outbox.db", synchronous="NORMAL")
    try:
        outbox.apply_results(
            conn, [{"id": link["id"], "status": "conflict", "reason": "identity_taken"}]
        )
    finally:
        conn.close()
    w._after_sync()
    said = f"The link was not applied — {texts.hub_reason('identity_taken')}"
    qtbot.waitUntil(lambda: said in [t.text.text() for t in w.toasts.toasts()], timeout=5_000)
    assert w.screens.link is not None and w.screens.link.pending == {}
