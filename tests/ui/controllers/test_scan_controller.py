"""Image input: a picture of the member code from a file or the clipboard, decoded on the
decode worker, ends in the same identify → open_customer path; and the demo code window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clerk.shared import barcodes
from ui import texts
from ui.demo import DemoCodesWindow
from ui.qt import QGuiApplication, QImage, QLabel, Qt

HERO = "M00000001"
CTRL = Qt.KeyboardModifier.ControlModifier


def test_member_code_image_file_opens_the_customer(
    qtbot: Any, session: Any, home: Any, tmp_path: Path
) -> None:
    w = session.window
    png = tmp_path / "code.png"
    barcodes.member_code_qr_png(home.code(HERO), png)
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        w.screens.scan.decode_file(str(png))
    assert w.nav.page == "customer" and w.screens.customer.member_id == HERO


def test_a_file_that_is_not_an_image_says_so(qtbot: Any, session: Any, tmp_path: Path) -> None:
    w = session.window
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    w.screens.scan.decode_file(str(bad))
    qtbot.waitUntil(lambda: bool(w.toasts.toasts()), timeout=5_000)
    assert w.toasts.toasts()[-1].text.text() == texts.reason_message("unreadable_image")


def test_ctrl_v_with_an_image_on_the_clipboard(qtbot: Any, session: Any, home: Any) -> None:
    w = session.window
    image = QImage.fromData(barcodes.member_code_qr_png(home.code(HERO)), "PNG")
    QGuiApplication.clipboard().setImage(image)
    try:
        assert w.screens.scan_view.field.hasFocus()
        with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
            qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_V, CTRL)
        assert w.screens.customer.member_id == HERO
        assert w.screens.scan_view.field.text() == ""  # the image was decoded, not pasted as text
    finally:
        QGuiApplication.clipboard().clear()


def test_an_image_without_a_code(qtbot: Any, session: Any) -> None:
    w = session.window
    blank = QImage(320, 240, QImage.Format.Format_RGB32)
    blank.fill(0xFFFFFFFF)
    w.screens.scan.decode_qimage(blank)
    qtbot.waitUntil(lambda: bool(w.toasts.toasts()), timeout=5_000)
    assert w.toasts.toasts()[-1].text.text() == texts.reason_message("no_code_found")
    assert w.nav.page == "scan"


def test_demo_codes_window_shows_fresh_codes(qtbot: Any, home: Any) -> None:
    calls: list[int] = []

    def codes() -> list[tuple[str, str]]:
        calls.append(1)
        return [(m, home.code(m)) for m in ("M00000001", "M00000002")]

    window = DemoCodesWindow(codes, refresh_s=60)
    qtbot.addWidget(window)
    window.show()
    images = [lbl for lbl in window.findChildren(QLabel) if not lbl.pixmap().isNull()]
    assert len(images) == 2
    assert all(lbl.pixmap().width() >= 41 * 4 for lbl in images)  # version 6 QR, 4 px/module
    window.refresh()
    assert len(calls) == 2


def _twin_of_the_hero(terminal: Any, home: Any) -> str:
    """A second cached member with the hero's phone's last four digits and bucket (two
    members of a store can share them); returns the hero's phone."""
    from demoworld.home import add_phone_twin

    phone = str(home.phones[HERO])
    add_phone_twin(terminal.cache, phone)
    return phone


def test_a_typed_phone_that_fits_two_members_offers_both(
    qtbot: Any, session: Any, home: Any, terminal: Any, outbox_rows: Any
) -> None:
    """The terminal holds a phone's last four digits and an 8-bit bucket: when two members
    share them, the associate is offered both (name and masked number) and picks one; the
    visit is the one recorded against the sealed number (the hub resolves it exactly)."""
    import json

    phone = _twin_of_the_hero(terminal, home)
    w = session.window
    scan = w.screens.scan
    w.screens.scan_view.field.setText(phone)
    qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: scan.chooser is not None and scan.chooser.isVisible(), timeout=10_000)
    actions = [a for a in scan.chooser.actions() if a.isEnabled()]
    assert sorted(a.data() for a in actions) == [HERO, "M00000099"]
    assert all(a.text().endswith("*******" + phone[-4:]) for a in actions)
    assert any("Li Shuang" in a.text() for a in actions)
    assert w.nav.page == "scan"
    with qtbot.waitSignal(scan.opened, timeout=10_000) as opened:
        next(a for a in actions if a.data() == HERO).trigger()
    assert opened.args[0].member_id == HERO and opened.args[0].view is not None
    assert w.nav.page == "customer" and w.screens.customer.member_id == HERO

    visits = [r for r in outbox_rows() if r["kind"] == "visit"]
    assert len(visits) == 1 and visits[0]["member_id"] is None
    assert visits[0]["member_ref"].startswith("phone_sealed:") and phone[3:] not in json.dumps(
        visits
    )
    audited = terminal.outbox.execute(
        "SELECT detail FROM audit_log WHERE action = 'view_customer' ORDER BY seq"
    ).fetchall()
    assert json.loads(audited[-1][0]) == {"member_id": HERO, "picked_among": 2}


def test_a_scan_while_the_phone_chooser_is_open_closes_it(
    qtbot: Any, session: Any, home: Any, terminal: Any
) -> None:
    """The menu asking which customer a typed phone was is about someone else once a card is
    scanned: it closes, the scanned customer opens, and no pick from it can follow."""
    phone = _twin_of_the_hero(terminal, home)
    w = session.window
    scan = w.screens.scan
    w.screens.scan_view.field.setText(phone)
    qtbot.keyClick(w.screens.scan_view.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: scan.chooser is not None and scan.chooser.isVisible(), timeout=10_000)
    menu = scan.chooser
    other = "M00000002"
    with qtbot.waitSignal(scan.opened, timeout=10_000) as opened:
        w.inputs.on_wedge_scan(home.code(other))
    assert opened.args[0].member_id == other
    assert scan.chooser is None and not menu.isVisible()
    assert w.screens.customer.member_id == other
