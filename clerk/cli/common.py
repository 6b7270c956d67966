"""What every ``clerk`` command shares: the exit codes, JSON output, the one-line failure, and
the terminal on the data directory with its cache misses fetched from the hub.

Exit codes (README, docs/decisions.md): 0 ok, 1 error, 2 bad or unknown input, 3 ``sync --once``
not caught up. A :class:`~clerk.errors.ClerkError` whose reason is ``usage`` or ``config`` is
bad input (2); any other is an error (1).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk import paths
from clerk.errors import ClerkError, NotEnrolledError

if TYPE_CHECKING:
    import argparse

    from clerk.model import Identity
    from clerk.terminal import Terminal

    # what each command module's ``add_parser(sub)`` is given: ``add_subparsers()``'s result
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INPUT = 2  # bad or unknown input (lookup of garbage, unknown member, a bad option value)
EXIT_NOT_CAUGHT_UP = 3  # sync --once finished but the outbox is not empty / pull not caught up

INPUT_REASONS = ("usage", "config")


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str, sort_keys=False))


def fail(message: str, code: int = EXIT_ERROR) -> int:
    """One line on stderr, ``clerk: <message>``; returns ``code`` for the command to exit with."""
    print(f"clerk: {message}", file=sys.stderr)
    return code


def exit_code(exc: ClerkError) -> int:
    """The exit code of a command that failed with ``exc``."""
    return EXIT_INPUT if exc.reason in INPUT_REASONS else EXIT_ERROR


def fail_with(exc: ClerkError) -> int:
    """:func:`fail` with the error's message and its :func:`exit_code`."""
    return fail(str(exc), exit_code(exc))


def read_pin(args: argparse.Namespace) -> str:
    """The staff member's PIN for a command that signs in (``--pin``, else ``$CLERK_PIN``,
    else typed on the terminal); a usage error when there is none."""
    if getattr(args, "pin", None):
        return str(args.pin)
    env = os.environ.get("CLERK_PIN")
    if env:
        return env
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("PIN: ")
    raise ClerkError("a PIN is needed: --pin, $CLERK_PIN or a terminal to type it", reason="usage")


def open_terminal(home: Path | None = None, *, online_fetch: bool = True) -> Terminal:
    """A Terminal on the data directory, with cache misses fetched from the hub if enrolled."""
    from clerk.terminal import Terminal

    home = home or paths.data_dir()
    terminal = Terminal(home)
    if online_fetch:
        terminal.fetch_member = _member_fetcher(terminal)
    return terminal


def _member_fetcher(terminal: Terminal) -> Callable[[Identity], str | None]:
    def fetch(identity: Identity) -> str | None:
        from sync.errors import SyncError
        from sync.local import engine_for

        try:
            engine = engine_for(terminal.home)
        except NotEnrolledError as exc:
            raise ClerkError(str(exc), reason="offline") from exc
        try:
            return engine.fetch_member(identity)
        except SyncError as exc:
            raise ClerkError(f"hub unreachable: {exc}", reason="offline") from exc
        finally:
            engine.close()

    return fetch
