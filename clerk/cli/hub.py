"""``clerk hub …``: the reference hub's commands (seed, serve, …), built by ``sync.hub.cli``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clerk.cli.common import fail

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    try:
        from sync.hub.cli import add_hub_parser
    except ImportError:  # the hub extra is not installed on this terminal
        p = sub.add_parser("hub", help="the reference hub (needs the 'hub' extra)")
        p.set_defaults(func=lambda _a: fail("the hub needs: pip install 'omni-clerk[hub]'"))
        return
    add_hub_parser(sub)  # its subcommands dispatch to sync.hub.cli.run_hub
