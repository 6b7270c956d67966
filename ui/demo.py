"""The demo: screenshots of each view, the demo member-code window, an offline demo home.

``run_demo`` is what ``clerk demo`` runs once its embedded hub is up: it opens the app on the
demo terminal, drives it to the requested view through the real input path (a member code
submitted like a scan), waits until the view is fully painted, saves a PNG and exits.

``build_home`` writes a terminal data directory from ``clerk.demo`` without any hub (the
cache filled through ``clerk.cache.apply_changes``, a signing key for member codes): the UI
tests and ``bench/ui_paint.py`` use it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ui.qt import (
    QApplication,
    QEventLoop,
    QHBoxLayout,
    QImage,
    QLabel,
    QPixmap,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    translate,
)

log = logging.getLogger(__name__)

DEMO_PHONE_KEY = "6f6d6e692d636c65726b2d64656d6f2d70686f6e652d6b6579"
DEMO_KID = 1
DEMO_STORE = "S001"


# --- an offline demo home (tests, benchmarks) ------------------------------------------------


@dataclass
class DemoHome:
    home: Path
    now: int
    private_key_hex: str
    code_ids: dict[str, int]  # member id → member code id
    cards: dict[str, str]  # member id → card number
    phones: dict[str, str]  # member id → E.164 phone
    hero: str

    def code(self, member_id: str, *, now: int | None = None, ttl: int = 120) -> str:
        """A fresh signed member code for ``member_id``, valid for ``ttl`` seconds."""
        from clerk import membercode

        key = membercode.private_key_from_hex(self.private_key_hex)
        at = self.now if now is None else now
        return membercode.issue(key, DEMO_KID, self.code_ids[member_id], exp=at + ttl)


def build_home(
    home: Path,
    *,
    members: int = 60,
    seed: int = 42,
    now: int | None = None,
    products: int = 600,
    online: bool = True,
    last_pull_age_s: int = 600,
) -> DemoHome:
    """A terminal data directory with the demo world of store S001 in its cache."""
    from clerk import demo, membercode
    from clerk import outbox as outbox_mod
    from clerk.cache import apply_changes, open_cache, set_state
    from clerk.db import Transaction

    now = int(time.time()) if now is None else now
    home.mkdir(parents=True, exist_ok=True)
    spec = demo.WorldSpec(
        members=members, seed=seed, now=now, products=products, stores=(DEMO_STORE, "S002", "S003")
    )
    private, public = membercode.generate_keypair()
    code_ids: dict[str, int] = {}
    cards: dict[str, str] = {}
    phones: dict[str, str] = {}
    cache = open_cache(home / "cache.db")
    try:
        with Transaction(cache):
            apply_changes(cache, demo.product_changes(spec))
            apply_changes(
                cache,
                [
                    {
                        "entity": "staff",
                        "op": "upsert",
                        "key": s["id"],
                        "data": {
                            "id": s["id"],
                            "name": s["name"],
                            "role": s["role"],
                            "pin_hash": None,
                            "active": True,
                            "updated_at": now,
                        },
                    }
                    for s in demo.staff(DEMO_STORE)
                ],
            )
            apply_changes(
                cache,
                [
                    {
                        "entity": "key",
                        "op": "upsert",
                        "key": str(DEMO_KID),
                        "data": {"kid": DEMO_KID, "public_key": public.hex(), "not_after": None},
                    }
                ],
            )
            for bundle in demo.members(spec):
                m = bundle.member
                code_ids[m["id"]] = int(m["code_id"])
                cards[m["id"]] = str(m["card_no"])
                phones[m["id"]] = str(m["phone"])
                apply_changes(cache, demo.changes(bundle, DEMO_PHONE_KEY))
            set_state(cache, "last_pull_at", str(now - last_pull_age_s))
            set_state(cache, "online", "1" if online else "0")
            set_state(cache, "cursor", "1")
        cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cache.close()
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    try:
        outbox_mod.set_meta(
            outbox,
            {
                outbox_mod.META_PHONE_HASH_KEY: DEMO_PHONE_KEY,
                outbox_mod.META_STORE_ID: DEMO_STORE,
                outbox_mod.META_STORE_NAME: demo.STORES[0]["name"],
                outbox_mod.META_DEVICE_ID: "demo-terminal",
            },
        )
    finally:
        outbox.close()
    return DemoHome(
        home=home,
        now=now,
        private_key_hex=membercode.private_key_to_hex(private),
        code_ids=code_ids,
        cards=cards,
        phones=phones,
        hero=demo.HERO_MEMBER_ID,
    )


# --- the demo member-code window ----------------------------------------------------------


class DemoCodesWindow(QWidget):
    """Rotating member-code QRs, as the members' phones would show them."""

    def __init__(self, codes: Callable[[], list[tuple[str, str]]], *, refresh_s: int = 60) -> None:
        super().__init__()
        self.setObjectName("demoCodes")
        self.codes = codes
        self.setWindowTitle(translate("Demo", "Demo member codes"))
        self.grid = QHBoxLayout(self)
        self.grid.setContentsMargins(16, 16, 16, 16)
        self.grid.setSpacing(16)
        self.cells: list[tuple[QLabel, QLabel]] = []
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_s * 1000)
        self.timer.timeout.connect(self.refresh)
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        from clerk import barcodes

        items = self.codes()
        while len(self.cells) < len(items):
            cell = QVBoxLayout()
            image = QLabel()
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel()
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.addWidget(image)
            cell.addWidget(caption)
            self.grid.addLayout(cell)
            self.cells.append((image, caption))
        for (image, caption), (member_id, text) in zip(self.cells, items, strict=False):
            png = barcodes.member_code_qr_png(text, scale=4)
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            image.setPixmap(pixmap)
            image.setAccessibleName(translate("Demo", "Member code of %1").replace("%1", member_id))
            caption.setText(member_id)


# --- screenshots ---------------------------------------------------------------------------


class _OfflineTerminal:
    """The demo terminal as a basement store sees it: the hub unreachable.

    Delegates everything to the real terminal but reports ``online = False`` (status and the
    views' freshness) and never fetches from the hub. Demo only.
    """

    def __init__(self, terminal: Any) -> None:
        self._t = terminal

    def __getattr__(self, name: str) -> Any:
        return getattr(self._t, name)

    def status(self) -> Any:
        return dataclasses.replace(self._t.status(), online=False)

    def _offline(self, view: Any) -> Any:
        if view is None:
            return None
        return dataclasses.replace(
            view, freshness=dataclasses.replace(view.freshness, online=False)
        )

    def view(self, member_id: str, *, lang: str = "zh") -> Any:
        return self._offline(self._t.view(member_id, lang=lang))

    def open_customer(self, identity: Any, staff_id: str | None = None, **kw: Any) -> Any:
        fetch, self._t.fetch_member = self._t.fetch_member, None
        try:
            opened = self._t.open_customer(identity, staff_id, **kw)
        finally:
            self._t.fetch_member = fetch
        return dataclasses.replace(opened, view=self._offline(opened.view))


def image_variance(image: QImage) -> float:
    """Variance of the grey levels of a sample of pixels (≈ 0 for a blank window)."""
    img = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h = img.width(), img.height()
    if w == 0 or h == 0:
        return 0.0
    stride = img.bytesPerLine()
    data = bytes(img.constBits())
    step = max(1, (w * h) // 40_000)
    values = [data[(i // w) * stride + (i % w)] for i in range(0, w * h, step)]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def _wait(
    context: QWidget, condition: Callable[[], bool], then: Callable[[], None], deadline: float
) -> None:
    """Poll ``condition`` on the event loop; call ``then`` when true (or at the deadline).

    The timers belong to ``context``: they die with it, never firing into a closed window.
    """

    def tick() -> None:
        if condition() or time.monotonic() >= deadline:
            then()
        else:
            QTimer.singleShot(15, context, tick)

    QTimer.singleShot(0, context, tick)


def run_demo(
    terminal: Any,
    engine_factory: Callable[[], Any] | None = None,
    *,
    screenshot: Path | None = None,
    exit_after: float | None = None,
    lang: str | None = None,
    layout: str | None = None,
    view: str = "customer",
    member_code: Callable[[], str] | None = None,
    member_code_text: str | None = None,
    demo_codes: Callable[[], list[tuple[str, str]]] | None = None,
    staff_id: str | None = None,
) -> int:
    """Open the demo on ``view`` (scan | customer | redeem | offline).

    With ``screenshot`` the window is rendered (offscreen when ``QT_QPA_PLATFORM=offscreen``)
    and saved as a PNG once the view is fully painted; the app then exits — 0 when the PNG
    was written, 1 when the view was not ready within ``exit_after`` seconds (default 30).
    Without it the demo runs interactively (with the member-code window) until closed or for
    ``exit_after`` seconds.
    """
    from ui import app as app_mod

    if (
        screenshot is not None
        and "QT_QPA_PLATFORM" not in os.environ
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    layout_mode = layout or "desktop"
    if screenshot is not None and layout_mode == "handheld" and QApplication.instance() is None:
        os.environ.setdefault("QT_SCALE_FACTOR", "2")  # a phone's pixel density
    offline = view == "offline"
    term = _OfflineTerminal(terminal) if offline else terminal
    app = app_mod.create_application()
    session = app_mod.build_window(term, lang=lang, layout=layout_mode, staff_id=staff_id)
    window = session.window
    window.resize(*app_mod.initial_size(layout_mode))
    window.show()
    window.status.start()
    codes_window: DemoCodesWindow | None = None
    if screenshot is None:
        if demo_codes is not None:
            codes_window = DemoCodesWindow(demo_codes)
            codes_window.show()
        if engine_factory is not None and not offline:
            interval = float(terminal.settings.get("sync_interval_s") or 30)
            QTimer.singleShot(
                0, window, lambda: app_mod.start_sync(session, engine_factory, interval)
            )

    result = {"code": 0 if screenshot is None else 1}
    limit = exit_after if exit_after is not None else (30.0 if screenshot is not None else None)
    deadline = time.monotonic() + (limit if limit is not None else 3600.0)
    text = member_code_text or (member_code() if member_code is not None else None)

    # A local event loop, not QApplication.exec(): quitting it leaves the application usable
    # (after app.quit() Qt ends every later event loop at once — fatal to a test process).
    loop = QEventLoop()
    app.lastWindowClosed.connect(loop.quit)

    def finish() -> None:
        if screenshot is not None:
            loop.quit()

    def shoot() -> None:
        if screenshot is None:
            return
        window.repaint()
        image = window.grab().toImage()
        if image.isNull() or image_variance(image) < 1.0:
            log.error("demo screenshot: the window rendered blank")
        else:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if image.save(str(screenshot), "PNG"):  # type: ignore[call-overload]  # stub: bytes
                result["code"] = 0
        finish()

    def settle(then: Callable[[], None]) -> None:
        # Status bar filled, no task in flight, toasts gone: a clean picture.
        def ready() -> bool:
            return (
                window.status.status is not None
                and window.runners.terminal.pending == 0
                and window.runners.decode.pending == 0
            )

        def clear_toasts() -> None:
            for toast in window.toasts.toasts():
                toast.hide()
            window.toasts.hide()
            QTimer.singleShot(50, window, then)

        _wait(window, ready, clear_toasts, deadline)

    def open_customer(then: Callable[[], None]) -> None:
        if text is None:
            log.error("demo: no member code to open a customer with")
            finish()
            return
        painted = {"done": False}
        window.customer_page.painted.connect(lambda: painted.__setitem__("done", True))
        window.scan.submit_text(text, "demo")
        _wait(window, lambda: window.page == "customer" and painted["done"], then, deadline)

    def after_customer() -> None:
        if view == "redeem":
            window.customer.open_redeem()
        if offline and window.customer.member_id is not None:
            window.customer.record(
                "note", {"text": translate("Demo", "Asked about the watch strap in blue.")}
            )
        settle(shoot)

    def start() -> None:
        if view in ("customer", "redeem", "offline"):
            open_customer(after_customer)
        elif view == "scan" and text is not None:
            # Serve the hero once so "last customers" is not empty, then the next customer.
            def back_to_scan() -> None:
                window.next_customer()
                settle(shoot)

            open_customer(back_to_scan)
        else:
            settle(shoot)

    QTimer.singleShot(0, window, start)
    stopper = QTimer(window)
    stopper.setSingleShot(True)
    stopper.timeout.connect(loop.quit)
    if limit is not None:
        stopper.start(int(limit * 1000))
    try:
        loop.exec()
    finally:
        stopper.stop()
        app.lastWindowClosed.disconnect(loop.quit)
        if codes_window is not None:
            codes_window.close()
        session.close()
    return int(result["code"])
