"""``clerk demo``: an embedded hub on 127.0.0.1 with seeded data, this terminal enrolled and
synced, demo member codes as PNG files and in a window, and the app (or, with --screenshot,
one view rendered offscreen)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk import paths
from clerk.cli.common import open_terminal

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers

DEMO_STORE = "S001"
DEMO_STAFF = "A01"


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "demo",
        help="run the demo: embedded hub, seeded data, the app",
        description="Start an embedded hub on 127.0.0.1 with seeded demo data, "
        "enrol this terminal, sync, write demo member-code PNGs and open the app.",
    )
    p.add_argument("--screenshot", metavar="FILE", help="render offscreen, save a PNG, exit")
    p.add_argument(
        "--exit-after",
        metavar="SECONDS",
        type=float,
        help="quit after this many seconds (with --screenshot: the time limit)",
    )
    p.add_argument("--lang", choices=("zh_CN", "en"), default=None, help="UI language")
    p.add_argument("--layout", choices=("handheld", "desktop"), default=None, help="layout")
    p.add_argument(
        "--view",
        choices=("scan", "customer", "redeem", "offline", "signin", "dashboard", "settings"),
        default="customer",
        help="which view the screenshot shows",
    )
    p.add_argument("--members", type=int, default=300, help="demo members to seed (first run)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """The demo on the demo data directory ($CLERK_HOME, else <data dir>/demo), one at a time."""
    import os

    from clerk import instance

    home = (
        Path(os.environ["CLERK_HOME"])
        if "CLERK_HOME" in os.environ
        else (paths.data_dir() / "demo")
    )
    home.mkdir(parents=True, exist_ok=True)
    with instance.acquire(home):
        return _demo(args, home)


def _demo(args: argparse.Namespace, home: Path) -> int:
    from clerk import barcodes
    from clerk import outbox as outbox_mod
    from sync.hub.testing import running_hub
    from sync.local import engine_for, enroll
    from ui.demo import run_demo, seed_demo_day

    hub_db = home / "demo-hub.db"
    first_run = not hub_db.exists()
    if first_run:
        print(f"demo: seeding {args.members} members into {hub_db} …", file=sys.stderr)
    with running_hub(str(hub_db), seed_members=args.members, seed=1) as hub:
        terminal = open_terminal(home)
        try:
            device = outbox_mod.get_meta(terminal.outbox, outbox_mod.META_DEVICE_ID)
            if device is None:
                enroll(
                    home,
                    hub.url,
                    DEMO_STORE,
                    hub.enrol_code(DEMO_STORE),
                    device_name="demo terminal",
                )
            else:  # the embedded hub listens on a new port each run
                outbox_mod.set_meta(terminal.outbox, {outbox_mod.META_HUB_URL: hub.url})
                terminal.settings.set("hub_url", hub.url)
            engine = engine_for(home)
            try:
                engine.sync_once()  # the store's data first: the demo day is made from it
                # A business day of this terminal's work (and one a week before) for the
                # manager's dashboard and the recent customers, pushed with the next sync.
                seed_demo_day(terminal)
                engine.sync_once()
            finally:
                engine.close()
            members = demo_members(hub.store, DEMO_STORE, 6)
            codes_dir = home / "codes"
            codes_dir.mkdir(exist_ok=True)
            for member_id in members:
                barcodes.member_code_qr_png(
                    hub.member_code(member_id, ttl=120), codes_dir / f"{member_id}.png"
                )
            print(f"demo: hub at {hub.url}; member-code PNGs in {codes_dir}", file=sys.stderr)
            hero = members[0] if members else None
            return run_demo(
                terminal,
                lambda: engine_for(home),
                screenshot=Path(args.screenshot) if args.screenshot else None,
                exit_after=args.exit_after,
                lang=args.lang,
                layout=args.layout,
                view=args.view,
                member_code=(lambda: hub.member_code(hero, ttl=120)) if hero else None,
                demo_codes=lambda: [(m, hub.member_code(m, ttl=120)) for m in members],
                staff_id=DEMO_STAFF,
            )
        finally:
            terminal.close()


def demo_members(store: Any, store_id: str, limit: int) -> list[str]:
    """The first members of the demo store (the hero first), for demo member codes."""
    ids: list[str] = store.member_ids(store_id, limit=limit)
    return ids
