"""``clerk demo``: the app on an embedded hub seeded with the demo world.

The hub runs on 127.0.0.1 in this process (``sync.hub.embedded``) over ``demo-hub.db`` in the
demo's data directory, seeded on the first run. This terminal is enrolled to the demo store (or,
on later runs, pointed at the hub's new port), synced, given a business day of work behind it
(``demoworld.day``) and synced again; the first members' member codes are written as PNGs to
``codes/`` and shown, rotating, in a window. Then the app (``ui.demo.run_demo``) takes over.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clerk.terminal import Terminal
    from demoworld.shopper import Shopper
    from sync.hub.embedded import HubHandle
    from sync.hub.store import HubStore

DEMO_STORE = "S001"
DEMO_STAFF = "A01"
CODE_MEMBERS = 6  # members whose codes the demo shows (the hero first)
CODE_TTL_S = 120


def hero_orders_and_case(store: HubStore, now: int | None = None) -> None:
    """Demo only: the hero's orders of the last weeks (one returned) and an open repair, as
    the Segment intake and the CRM would have sent them (once: kept on later runs)."""
    import json
    import time

    from demoworld import world
    from sync.hub import cases

    t = int(time.time()) if now is None else now
    hero = world.HERO_MEMBER_ID
    with store.write() as tx:
        if tx.conn.scalar("SELECT 1 FROM orders WHERE member_id = ?", (hero,)) is not None:
            return
        home = tx.conn.scalar("SELECT home_store FROM members WHERE id = ?", (hero,))
        if home is None:
            return
        picks = {}
        for category in ("shoes", "headphones", "apparel", "phones"):
            row = tx.conn.row(
                "SELECT sku, price_cents FROM products WHERE category = ? AND active = 1 "
                "ORDER BY sku LIMIT 1",
                (category,),
            )
            if row is not None:
                picks[category] = (str(row[0]), int(row[1]))
        day = 86_400
        orders = [
            ("OH-0001", "shoes", t - 12 * day, None),
            ("OH-0002", "headphones", t - 33 * day, None),
            ("OH-0003", "apparel", t - 9 * day, t - 4 * day),
        ]
        for order_id, category, at, refunded_at in orders:
            if category not in picks:
                continue
            sku, price = picks[category]
            tx.conn.execute(
                "INSERT INTO orders (id, member_id, total_cents, state, items, at, refunded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    order_id,
                    hero,
                    price,
                    "completed" if refunded_at is None else "refunded",
                    json.dumps([{"sku": sku, "qty": 1, "price_cents": price}]),
                    at,
                    refunded_at,
                ),
            )
            tx.emit("order", order_id, "upsert", home)
        phone = picks.get("phones")
        cases.upsert(
            tx,
            [
                {
                    "id": "R-1024",
                    "member_id": hero,
                    "case_type": "repair",
                    "subject": "屏幕更换 screen replacement",
                    "status": "open",
                    "sku": phone[0] if phone else None,
                    "store_name": "上海静安店",
                    "opened_at": t - 3 * day - 3_600,
                }
            ],
        )


def run(args: argparse.Namespace, home: Path, open_terminal: Callable[[Path], Terminal]) -> int:
    """Run the demo in the data directory ``home`` with ``clerk demo``'s options
    (``members``, ``screenshot``, ``exit_after``, ``lang``, ``layout``, ``view``) on the
    terminal ``open_terminal(home)`` gives (the CLI's, which fetches cache misses from the
    hub); returns the exit code."""
    from clerk import outbox as outbox_mod
    from clerk.shared import barcodes
    from demoworld.day import seed_demo_day
    from demoworld.seed import seed_if_empty, seed_related
    from sync.hub.embedded import running_hub
    from sync.hub.store import HubStore
    from sync.local import engine_for, enroll
    from ui.demo import run_demo

    hub_db = home / "demo-hub.db"
    if not hub_db.exists():
        print(f"demo: seeding {args.members} members into {hub_db} …", file=sys.stderr)
    seed_if_empty(str(hub_db), members=args.members, seed=1)
    store = HubStore.open(str(hub_db))
    try:
        seed_related(store, seed=1)  # what to offer: the demo hub has no order history yet
    finally:
        store.close()
    with running_hub(str(hub_db)) as hub:
        hero_orders_and_case(hub.store)
        terminal = open_terminal(home)
        try:
            device = outbox_mod.get_meta(terminal.outbox, outbox_mod.META_DEVICE_ID)
            if device is None:
                code = hub.enrol_code(DEMO_STORE)
                enroll(home, hub.url, DEMO_STORE, code, device_name="demo terminal")
            else:  # the embedded hub listens on a new port each run
                outbox_mod.set_meta(terminal.outbox, {outbox_mod.META_HUB_URL: hub.url})
                terminal.settings.set("hub_url", hub.url)
            engine = engine_for(home)
            try:
                engine.sync_once()  # the store's data first: the demo day is made from it
                # A business day of this terminal's work (and one a week before) for the
                # manager's dashboard and the recent customers, pushed with the next sync.
                day = seed_demo_day(terminal)
                if args.view in ("rejected", "fix"):
                    _a_note_the_hub_rejects(terminal, hub.store.members.ids(DEMO_STORE, limit=1))
                engine.sync_once()
            finally:
                engine.close()
            members = hub.store.members.ids(DEMO_STORE, limit=CODE_MEMBERS)
            codes_dir = home / "codes"
            codes_dir.mkdir(exist_ok=True)
            for member_id in members:
                barcodes.member_code_qr_png(
                    hub.member_code(member_id, ttl=CODE_TTL_S), codes_dir / f"{member_id}.png"
                )
            print(f"demo: hub at {hub.url}; member-code PNGs in {codes_dir}", file=sys.stderr)
            hero = members[0] if members else None
            shopper = _start_shopper(args, hub, home, members)
            try:
                return run_demo(
                    terminal,
                    lambda: engine_for(home),
                    screenshot=Path(args.screenshot) if args.screenshot else None,
                    exit_after=args.exit_after,
                    lang=args.lang,
                    layout=args.layout,
                    view=args.view,
                    member_code=(lambda: hub.member_code(hero, ttl=CODE_TTL_S)) if hero else None,
                    demo_codes=lambda: [(m, hub.member_code(m, ttl=CODE_TTL_S)) for m in members],
                    staff_id=DEMO_STAFF,
                    dashboard_day=day,
                )
            finally:
                if shopper is not None and not shopper.stop():
                    print("demo: the shopper did not stop in time", file=sys.stderr)
        finally:
            terminal.close()


def _start_shopper(
    args: argparse.Namespace, hub: HubHandle, home: Path, members: list[str]
) -> Shopper | None:
    """The simulated online shopper (``demoworld.shopper``) for the interactive demo, unless
    ``--no-shopper`` or ``--screenshot``; None without it."""
    if args.screenshot or getattr(args, "no_shopper", False):
        return None
    from demoworld.shopper import DEFAULT_EVERY_S, start_shopper

    try:
        shopper = start_shopper(
            hub.store,
            hub.url,
            home / "demo-shop.key",
            members,
            every_s=getattr(args, "shopper_every", DEFAULT_EVERY_S),
        )
    except ImportError as exc:  # segment-analytics-python comes with the dev extras
        print(f"demo: no simulated shopper ({exc})", file=sys.stderr)
        return None
    if shopper is not None:
        print(
            f"demo: a simulated online shopper sends events for {shopper.hero} "
            f"every ~{shopper.every_s:g} s",
            file=sys.stderr,
        )
    return shopper


def _a_note_the_hub_rejects(terminal: Terminal, members: list[str]) -> None:
    """For the "rejected" and "fix" views: the hero's note over the length limit, as an older
    terminal saved it without checking (the next sync gets it rejected by the hub) — once."""
    import json

    from clerk.ids import uuid7_str
    from clerk.shared.interactions import MAX_TEXT

    if not members:
        return

    def write(conn: object) -> None:
        import sqlite3

        assert isinstance(conn, sqlite3.Connection)
        kept = conn.execute(
            "SELECT 1 FROM interactions WHERE kind = 'note' AND state = 'rejected'"
            " AND member_id = ?",
            (members[0],),
        ).fetchone()
        if kept is not None:
            return
        text = "Asked about the watch strap in blue. " * (MAX_TEXT // 37 + 1)
        seq = conn.execute("SELECT coalesce(max(device_seq), 0) + 1 FROM interactions")
        with conn:
            conn.execute(
                "INSERT INTO interactions (id, device_seq, kind, member_id, staff_id, payload,"
                " created_at) VALUES (?, ?, 'note', ?, ?, ?, ?)",
                (
                    uuid7_str(),
                    int(seq.fetchone()[0]),
                    members[0],
                    DEMO_STAFF,
                    json.dumps({"text": text}, ensure_ascii=False),
                    int(terminal.clock()),
                ),
            )

    terminal.write(write)
