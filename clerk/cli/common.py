"""What every ``clerk`` command shares: the exit codes, JSON output, the one-line failure, the
terminal on the data directory with its cache misses fetched from the hub, and a staff member
signed in for one command.

Exit codes (README, docs/decisions.md): 0 ok, 1 error, 2 bad or unknown input, 3 ``sync --once``
not caught up. A :class:`~clerk.errors.ClerkError` whose reason is ``usage`` or ``config`` is
bad input (2), and so is a refused sign-in or a role that may not (2); any other is an error
(1).

The commands that record, read a customer or change settings follow the app's rules
(:func:`staff_session`): a staff id (``--staff``) and that person's PIN, with the role the app
requires, signed in and out like the app (the lockout, the same audit rows). The PIN comes from
``--pin-stdin`` (one line on standard input), ``$CLERK_PIN``, or a prompt on a terminal —
never an argument that every user of the machine sees in ``ps`` (``clerk report`` still takes
``--pin`` for scripts written before).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk import paths
from clerk.errors import ClerkError, NotEnrolledError, PermissionDeniedError

if TYPE_CHECKING:
    from clerk.model import Identity
    from clerk.staff import Session
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
    from clerk.staff import SignInError

    if exc.reason in INPUT_REASONS or isinstance(exc, SignInError | PermissionDeniedError):
        return EXIT_INPUT
    return EXIT_ERROR


def fail_with(exc: ClerkError) -> int:
    """:func:`fail` with the error's message and its :func:`exit_code`."""
    return fail(str(exc), exit_code(exc))


def open_terminal(home: Path | None = None, *, online_fetch: bool = True) -> Terminal:
    """A Terminal on the data directory, with cache misses fetched from the hub if enrolled."""
    from clerk.terminal import Terminal

    home = home or paths.data_dir()
    terminal = Terminal(home)
    if online_fetch:
        terminal.fetch_member = _member_fetcher(terminal)
    return terminal


def _member_fetcher(terminal: Terminal) -> Callable[[Identity, str | None], str | None]:
    """A cache miss looked up at the hub: a member of this store by id, one from elsewhere by
    the proof of presence the identity carries, for the signed-in staff member."""

    def fetch(identity: Identity, staff_id: str | None) -> str | None:
        from sync.errors import NoProofError, SyncError
        from sync.local import engine_for

        try:
            engine = engine_for(terminal.home)
        except NotEnrolledError as exc:
            raise ClerkError(str(exc), reason="offline") from exc
        try:
            return engine.fetch_member(identity, staff_id)
        except NoProofError as exc:
            raise ClerkError(str(exc), reason="no_proof") from exc
        except SyncError as exc:
            raise ClerkError(f"hub unreachable: {exc}", reason="offline") from exc
        finally:
            engine.close()

    return fetch


# -- sub-commands, declared ---------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of a sub-command: what ``add_argument`` takes."""

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OneOf:
    """Arguments of which at most one is given (exactly one when ``required``)."""

    args: tuple[Arg, ...]
    required: bool = False


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


def one_of(*args: Arg, required: bool = False) -> OneOf:
    return OneOf(args, required)


def add_group(sub: Subparsers, name: str, *, summary: str, description: str) -> Subparsers:
    """A command with sub-commands (``clerk NAME SUBCOMMAND …``, one required); the
    sub-command's name is ``args.<name>_command``."""
    p = sub.add_parser(name, help=summary, description=description)
    return p.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", required=True)


def add_command(
    sub: Subparsers,
    name: str,
    func: Callable[[argparse.Namespace], int],
    *,
    summary: str,
    description: str,
    args: tuple[Arg | OneOf, ...] = (),
    staff: str | None = None,
    json_help: str | None = None,
) -> argparse.ArgumentParser:
    """One sub-command as declared: its help (``summary``) and description, its arguments in
    their order, then — when ``staff`` names who runs it — ``--staff``/``--pin-stdin``
    (:func:`add_staff_arguments`), then ``--json`` (``json_help``), dispatching to ``func``."""
    p = sub.add_parser(name, help=summary, description=description)
    for item in args:
        if isinstance(item, OneOf):
            group = p.add_mutually_exclusive_group(required=item.required)
            for a in item.args:
                group.add_argument(*a.flags, **a.options)
        else:
            p.add_argument(*item.flags, **item.options)
    if staff is not None:
        add_staff_arguments(p, who=staff)
    if json_help is not None:
        p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=func)
    return p


# -- a staff member, for one command ----------------------------------------------------------

PIN_ENV = "CLERK_PIN"


def add_staff_arguments(p: argparse.ArgumentParser, *, who: str = "staff id") -> None:
    """``--staff ID`` and ``--pin-stdin``: who runs the command, and how the PIN is given."""
    p.add_argument("--staff", metavar="ID", help=f"{who} (with a PIN)")
    p.add_argument(
        "--pin-stdin",
        action="store_true",
        help=f"read the PIN from the first line of standard input (else ${PIN_ENV}, else asked "
        "on the terminal)",
    )


def read_pin(args: argparse.Namespace) -> str:
    """The PIN from ``--pin-stdin``, ``--pin`` (``clerk report``), ``$CLERK_PIN`` or a prompt
    on a terminal; ClerkError (usage) when there is none."""
    if getattr(args, "pin_stdin", False):
        line = sys.stdin.readline()
        if not line.strip():
            raise ClerkError("--pin-stdin: no PIN on standard input", reason="usage")
        return line.strip()
    given = getattr(args, "pin", None)
    if given:
        return str(given)
    env = os.environ.get(PIN_ENV)
    if env:
        return env
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("PIN: ")
    raise ClerkError(
        f"a PIN is needed: --pin-stdin, ${PIN_ENV} or a terminal to type it", reason="usage"
    )


@contextmanager
def signed_in(
    args: argparse.Namespace, action: str | None = None
) -> Iterator[tuple[Terminal, Session]]:
    """The terminal (no hub fetch) with ``--staff`` signed in for the command
    (:func:`staff_session`); both closed when it ends."""
    terminal = open_terminal(online_fetch=False)
    try:
        with staff_session(terminal, args, action) as session:
            yield terminal, session
    finally:
        terminal.close()


@contextmanager
def staff_session(
    terminal: Terminal, args: argparse.Namespace, action: str | None = None
) -> Iterator[Session]:
    """Sign ``--staff`` in with their PIN for the command (lockout and audit as in the app),
    require the role ``action`` needs (:data:`clerk.staff.ACTIONS`; None: any staff), and
    sign out when the command ends. SignInError / PermissionDeniedError refuse it (exit 2)."""
    from clerk.staff import require

    staff_id = getattr(args, "staff", None)
    if not staff_id:
        raise ClerkError(
            "this command needs --staff ID and that person's PIN (as the app asks)",
            reason="usage",
        )
    session = terminal.sign_in(str(staff_id), read_pin(args))
    try:
        if action is not None:
            require(session, action)
        yield session
    finally:
        terminal.sign_out(session, "command")
