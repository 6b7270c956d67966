"""``clerk`` with no command: the terminal app.

This is the start path the associate waits through, so it loads nothing else of the CLI:
:func:`is_app_start` tells ``main`` that only ``--lang/--layout`` were given, and
:func:`app_parser` parses them without building the command tree.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clerk import __version__, paths
from clerk.cli.common import open_terminal
from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.instance import InstanceLock
    from sync.local import HomeEngine


def app_parser() -> argparse.ArgumentParser:
    """The options of the app itself (no command): the root of the full parser too."""
    parser = argparse.ArgumentParser(
        prog="clerk",
        description="Omni Clerk — the in-store clerk terminal. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"omni-clerk {__version__}")
    parser.add_argument(
        "--lang",
        choices=("auto", "zh_CN", "en"),
        default="auto",
        help="UI language (default: the setting, else the system locale)",
    )
    parser.add_argument(
        "--layout",
        choices=("auto", "handheld", "desktop"),
        default="auto",
        help="screen layout (default: the setting, else by window size)",
    )
    parser.set_defaults(func=cmd_app, command=None)
    return parser


def is_app_start(argv: Sequence[str]) -> bool:
    """True for `clerk`, `clerk --lang en`, `clerk --layout=handheld …`: the app, no command.

    The app then starts without building the whole command tree (whose modules — reports,
    doctor, the hub — cost start-up time the associate waits through)."""
    args = list(argv)
    while args:
        head = args.pop(0)
        if head in ("--lang", "--layout"):
            if not args:
                return False
            args.pop(0)
        elif not head.startswith(("--lang=", "--layout=")):
            return False
    return True


def cmd_app(args: argparse.Namespace) -> int:
    import logging

    from clerk import instance
    from ui.app import run_app

    logging.getLogger("clerk.app").info("omni-clerk %s starting", __version__)
    home = paths.data_dir()
    lock = None
    try:
        lock = lock_or_ring(home)
        if lock is None:  # the app already open on this directory came forward
            open_log_file()
            print(
                "clerk: Omni Clerk is already open on this data directory; "
                "its window was brought to the front",
                file=sys.stderr,
            )
            return 0
        terminal = open_terminal()
    except BaseException:
        if lock is not None:
            lock.release()
        open_log_file()  # what was logged so far goes to the file, then the error is shown
        raise
    try:
        return run_app(
            terminal,
            lambda: _engine(terminal.home),
            lang=args.lang,
            layout=args.layout,
            after_first_paint=[open_log_file],
            doorbell=instance.doorbell_name(home),
        )
    finally:
        open_log_file()  # the app ended before its first screen: the records still go out
        terminal.close()
        lock.release()


RING_WAIT_S = 15.0  # how long a second launch waits for the open app's doorbell


def lock_or_ring(home: Path) -> InstanceLock | None:
    """The instance lock on ``home`` for this app (which then answers its doorbell); or, when
    the app already runs there, None once its window came forward (``ui.doorbell.ring``).
    An app still starting has no doorbell yet: rung again until ``RING_WAIT_S`` — or until
    it ended and the lock is free. InstanceLockedError when the holder has no doorbell (a
    ``clerk sync``) or never answers."""
    import logging
    import time

    from clerk import instance
    from clerk.instance import InstanceLockedError

    deadline = time.monotonic() + RING_WAIT_S
    while True:
        try:
            return instance.acquire(home, doorbell=True)
        except InstanceLockedError as exc:
            if not exc.doorbell:
                raise
            from ui.doorbell import ring

            if ring(instance.doorbell_name(home)):
                logging.getLogger("clerk.app").info(
                    "already open (process %s): its window was brought to the front", exc.pid
                )
                return None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # the open app is still starting: its doorbell comes with its screen


def _engine(home: Path) -> HomeEngine:
    """The sync engine, loaded when the app first asks for it (after its first screen)."""
    from sync.local import engine_for

    return engine_for(home)


def show_start_error(exc: ClerkError) -> None:
    """The app did not open: besides the stderr line, a message on screen (a terminal started
    from its desktop icon has no visible stderr)."""
    try:
        from ui.app import show_start_error as show

        show(exc)
    except Exception as gui_exc:  # no display, no Qt: the stderr line stands alone
        print(f"clerk: (no window for this message: {gui_exc})", file=sys.stderr)


def open_log_file() -> None:
    """The log file, with what was logged since start-up (the app opens it once its first
    screen is up; ``main`` buffers until then). Does nothing once it is open."""
    from clerk import logs

    if not logs.logging_buffered():
        return
    try:
        logs.setup_logging("terminal")
    except OSError as exc:
        print(f"clerk: cannot write logs ({exc}); continuing without a log file", file=sys.stderr)
