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
from datetime import date
from pathlib import Path
from typing import Any

from ui.qt import (
    QApplication,
    QDate,
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
        from clerk.shared import membercode

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
    from clerk import demo
    from clerk import outbox as outbox_mod
    from clerk.cache import apply_changes, open_cache, set_state
    from clerk.db import Transaction
    from clerk.shared import membercode

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


# --- a day at the demo store (the dashboard's figures) --------------------------------------

DEMO_NOTES = (
    "想看新款的其他颜色",
    "问了会员积分怎么抵现",
    "下周带家人再来试穿",
    "对比了线上价格，当场下单",
    "需要大一码，已帮忙调货",
)


def seed_demo_day(terminal: Any, *, now: int | None = None) -> date:
    """Demo only: a business day of this terminal's work — visits through the day by the
    store's associates, notes, products asked about, coupons redeemed on online carts and the
    sales that followed — and a quieter one a week before, so the manager's dashboard has a
    day to show and to compare. Today when it is afternoon already, else yesterday (10:00 to
    21:30). Written to the outbox (they sync to the demo hub like any record), once per day
    (a day with records of the seeded members is left as it is); the first ten members (the
    demo's member codes, the hero) are left alone. Returns the day to show."""
    from datetime import datetime, timedelta

    now = int(terminal.clock()) if now is None else now
    local = datetime.fromtimestamp(now).astimezone()
    day = local.date() if local.hour >= 13 else local.date() - timedelta(days=1)
    for offset, visits, skip in ((0, 28, 10), (7, 19, 40)):
        opening = datetime.combine(day - timedelta(days=offset), datetime.min.time())
        start = int(opening.astimezone().timestamp())
        _seed_day(terminal, start, min(now - 600, start + 21 * 3600 + 1800), visits, skip)
    return day


def _seed_day(terminal: Any, day_start: int, closing: int, visits: int, skip: int) -> int:
    import random

    from clerk import outbox as outbox_mod
    from clerk.cache import open_cache

    outbox = terminal.outbox
    cache = open_cache(terminal.cache_path, readonly=True)
    try:
        staff = [
            str(r[0])
            for r in cache.execute(
                "SELECT id FROM staff WHERE role = 'associate' AND active = 1 ORDER BY id"
            )
        ]
        members = [
            str(r[0])
            for r in cache.execute(
                "SELECT id FROM members ORDER BY id LIMIT ? OFFSET ?", (visits, skip)
            )
        ]
    finally:
        cache.close()
    if not staff or not members:
        return 0
    marks = ",".join("?" * len(members))
    if outbox.execute(  # seeded before (the hero's scans today do not count)
        f"SELECT 1 FROM interactions WHERE created_at >= ? AND created_at < ? "
        f"AND member_id IN ({marks}) LIMIT 1",
        (day_start, day_start + 86_400, *members),
    ).fetchone():
        return 0
    rng = random.Random(day_start)
    opening = day_start + 10 * 3600
    written = 0

    def put(kind: str, member_id: str, sid: str, at: int, payload: dict[str, Any]) -> None:
        nonlocal written
        outbox_mod.record(
            outbox, kind, member_id=member_id, staff_id=sid, payload=payload, now=min(at, closing)
        )
        written += 1

    span = max(600, closing - 900 - opening)
    for i, member_id in enumerate(members):
        at = opening + int(span * rng.betavariate(2.2, 1.6))  # busier in the afternoon
        sid = staff[i % len(staff)]
        via = ("member_code", "member_code", "card", "phone")[i % 4]
        put("visit", member_id, sid, at, {"via": via})
        view = terminal.view(member_id, lang="zh")
        if view is None:
            continue
        # Usable now, and already valid when this (perhaps last week's) redemption happens:
        # the hub refuses a coupon redeemed before its start.
        redeem_at = min(at + 240, closing)
        usable = {
            c.id
            for c in view.coupons
            if c.status in ("usable", "expiring") and c.valid_from <= redeem_at < c.expires_at
        }
        line = next((c for c in view.cart if c.coupon_id in usable), None)
        if line is not None and rng.random() < 0.6:
            put("redeem", member_id, sid, at + 240, {"coupon_id": line.coupon_id})
            items = [{"sku": line.product.sku, "qty": line.qty, "price_cents": line.price_cents}]
            sale = {
                "items": items,
                "amount_cents": line.price_cents * line.qty,
                "cart_item_ids": [line.id],
            }
            put("sale", member_id, sid, at + 420, sale)
        elif view.browsing and rng.random() < 0.7:
            browsed = view.browsing[int(rng.random() * min(3, len(view.browsing)))]
            action = "tried_on" if rng.random() < 0.5 else "asked_about"
            wish = {"sku": browsed.product.sku, "action": action}
            put("interest", member_id, sid, at + 120, wish)
        if rng.random() < 0.35:
            put("note", member_id, sid, at + 60, {"text": DEMO_NOTES[i % len(DEMO_NOTES)]})
    return written


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
        from clerk.shared import barcodes

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

    def open_customer(self, identity: Any, staff_id: str | None = None, *, lang: str = "zh") -> Any:
        fetch, self._t.fetch_member = self._t.fetch_member, None
        try:
            opened = self._t.open_customer(identity, staff_id, lang=lang)
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


def demo_session(auth: Any, staff_id: str | None, *, manager: bool = False) -> Any:
    """The demo's signed-in staff member: ``staff_id`` (or the store's first manager when
    ``manager``), from the terminal's staff list; None when there is nobody to sign in."""
    from clerk.staff import Session

    roster = auth.roster()
    chosen = next((m for m in roster if manager and m.role == "manager"), None)
    if chosen is None:
        chosen = next((m for m in roster if m.id == staff_id), None)
    if chosen is not None:
        return Session(chosen.id, chosen.name, chosen.role, int(time.time()))
    if staff_id:
        return Session(staff_id, staff_id, "manager" if manager else "associate", int(time.time()))
    return None


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
    """Open the demo on ``view``: scan | customer | redeem | offline (signed in as the
    associate ``staff_id``), dashboard | settings (signed in as the store's manager), or
    signin (nobody signed in yet). The demo signs its staff member in without a PIN; the idle
    lock then works as in the app (the demo hub's staff have their demo PINs).

    With ``screenshot`` the window is rendered (offscreen when ``QT_QPA_PLATFORM=offscreen``)
    and saved as a PNG once the view is fully painted; the app then exits — 0 when the PNG
    was written, 1 when the view was not ready within ``exit_after`` seconds (default 30).
    Without it the demo runs interactively (with the member-code window) until closed or for
    ``exit_after`` seconds.
    """
    from clerk.staff import StaffAuth
    from ui import app as app_mod
    from ui.controllers.access import AccessController

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
    session = app_mod.build_window(term, lang=lang, layout=layout_mode)
    window = session.window
    access = AccessController(
        window,
        StaffAuth.open(terminal.home),
        idle_minutes=float(terminal.settings.get("idle_lock_minutes") or 5),
        parent=window,
    )
    session.access = access
    demo_day = seed_demo_day(terminal) if view == "dashboard" else None
    staff = (
        None
        if view == "signin"
        else demo_session(access.auth, staff_id, manager=view in ("dashboard", "settings"))
    )
    if staff is not None:
        access.sign_in_without_pin(staff)
    else:
        access.show_signin()
        if staff_id:  # the associate's name already chosen, as they would
            chooser = access.page.controller
            chooser.roster_loaded.connect(lambda _n: chooser.select(staff_id))
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
            dashboard = window.dashboard
            return (
                window.status.status is not None
                and window.runners.terminal.pending == 0
                and window.runners.decode.pending == 0
                and access.page.runner.pending == 0
                and access.page.view.staff_model.rowCount() > 0
                and (
                    dashboard is None
                    or (
                        dashboard.runner.pending == 0
                        and dashboard.controller.data is not None
                        and dashboard.controller.data.summary.day == dashboard.controller.day()
                    )
                )
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
        if view == "dashboard":
            window.show_dashboard()
            dashboard = window.dashboard
            if dashboard is not None and demo_day is not None:
                dashboard.view.date.setDate(QDate(demo_day.year, demo_day.month, demo_day.day))
            settle(shoot)
        elif view == "settings":
            window.show_settings()
            settle(shoot)
        elif view in ("customer", "redeem", "offline"):
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
