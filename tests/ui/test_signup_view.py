"""Sign-up at the counter from the prompt for someone no member matches: the chain's consent
wording shown with its version, the new member served at once (pending sync) with the sign-up
QR, the number never recorded in clear."""

from __future__ import annotations

from typing import Any

import pytest

from ui.qt import Qt

UNKNOWN_PHONE = "13900172026"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sign_up_an_unknown_number(
    qtbot: Any,
    session: Any,
    open_customer: Any,
    wait_idle: Any,
    outbox_rows: Any,
    lang: str,
) -> None:
    from demoworld import world

    w = session.window
    session.translations.set_language(lang)
    view = w.screens.customer_view
    open_customer(UNKNOWN_PHONE)
    assert view.unknown.isVisible() and view.unknown.signup_button.isVisible()
    qtbot.mouseClick(view.unknown.signup_button, Qt.MouseButton.LeftButton)
    form = view.signup
    wording = dict(world.CONSENT_TEXTS)["zh" if lang == "zh" else "en"]
    qtbot.waitUntil(lambda: form.consent.text() == wording, timeout=5_000)
    assert world.CONSENT_VERSION in form.consent_title.text()
    assert form.isVisible() and form.phone.text().endswith("2026")  # the number typed at the scan
    assert form.name.hasFocus()

    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)  # no name
    qtbot.waitUntil(lambda: form.fields["name"].error.isVisible(), timeout=5_000)
    form.name.setText("林晓雯")
    form.birthday.setText("1990-02-30")
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.fields["birthday"].error.isVisible(), timeout=5_000)
    assert not form.fields["name"].error.isVisible()
    assert outbox_rows() == [], "nothing recorded for a refused form"

    form.birthday.setText("1990-05-17")
    form.marketing.setChecked(True)
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.code.isVisible(), timeout=5_000)
    wait_idle()
    assert not form.phone.isVisible() and not form.save.isVisible(), "the form folds to the QR"
    signup, visit = outbox_rows()
    assert signup["kind"] == "signup" and signup["member_id"] is None
    pid = signup["payload"]["provisional_id"]
    assert pid.startswith("P-")
    assert signup["payload"]["consent_version"] == world.CONSENT_VERSION
    assert signup["payload"]["consent_lang"] == ("zh" if lang == "zh" else "en")
    assert (signup["payload"]["consent_marketing"], signup["payload"]["consent_browsing"]) == (
        True,
        False,
    )
    assert UNKNOWN_PHONE not in str(signup["payload"])
    assert (visit["kind"], visit["member_id"], visit["payload"]) == (
        "visit",
        pid,
        {"via": "signup"},
    )
    # The new member is served at once: the page is theirs, member actions work.
    assert not view.unknown.isVisible()
    assert view.header.name.text() == "林晓雯"
    assert view.header.tier.text() == (
        "新会员，待同步" if lang == "zh" else "New member, pending sync"
    )
    assert view.buttons["note"].isEnabled()
    # The next customer: the form and its code go.
    w.nav.next_customer()
    open_customer(UNKNOWN_PHONE[:-1] + "7")
    assert not form.isVisible()


def test_a_mistyped_number_is_refused_at_the_field(
    qtbot: Any, session: Any, open_customer: Any, wait_idle: Any, outbox_rows: Any
) -> None:
    from clerk.identify import luhn_check_digit

    view = session.window.screens.customer_view
    body = "620000000000123"
    open_customer(body + luhn_check_digit(body))  # a card no one has
    qtbot.mouseClick(view.unknown.signup_button, Qt.MouseButton.LeftButton)
    form = view.signup
    qtbot.waitUntil(lambda: form.save.isEnabled(), timeout=5_000)
    assert form.phone.text() == "" and form.phone.hasFocus()
    form.phone.setText("1390017202")
    form.name.setText("Lin")
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.fields["phone"].error.isVisible(), timeout=5_000)
    wait_idle()
    assert outbox_rows() == []
