"""``clerk demo``: an embedded hub on 127.0.0.1 with seeded data, this terminal enrolled and
synced, demo member codes as PNG files and in a window, and the app (or, with --screenshot,
one view rendered offscreen)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

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
        "enrol this terminal, sync, write demo member-code PNGs and open the app. "
        "Interactively, a simulated online shopper sends Segment events for the hero member "
        "(the first code) through the hub's ingest API: open that customer and watch the "
        "cart and browsing change.",
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
        choices=(
            "scan",
            "search",
            "customer",
            "redeem",
            "sale_form",
            "signup_form",
            "signed_up",
            "link_form",
            "task_form",
            "clientbook",
            "followups",
            "message",
            "offline",
            "signin",
            "dashboard",
            "settings",
            "rejected",
            "fix",
        ),
        default="customer",
        help="which view the screenshot shows",
    )
    p.add_argument("--members", type=int, default=300, help="demo members to seed (first run)")
    p.add_argument(
        "--no-shopper",
        action="store_true",
        help="no simulated online shopper (it runs only in the interactive demo: every few "
        "seconds the hero member browses, carts and wishes online, and the open customer "
        "repaints)",
    )
    p.add_argument(
        "--shopper-every",
        metavar="SECONDS",
        type=_seconds,
        default=11.5,
        help="the simulated shopper's pace: a round every SECONDS ±30%% (default 11.5: 8 to 15 s)",
    )
    p.set_defaults(func=cmd_demo)


def _seconds(text: str) -> float:
    value = float(text)
    if not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError("between 0.05 and 3600 seconds")
    return value


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
        from demoworld.app import run as run_demo_app

        return run_demo_app(args, home, open_terminal)
