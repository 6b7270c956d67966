"""What the ``clerk hub`` commands share: the exit codes, the database options, who runs a
command (for the hub's audit), the store opened for one command, and the shape of a command
group — ``clerk hub GROUP ACTION …``, each action with ``--db``/``--keys-file``, its own
arguments and perhaps ``--json`` — declared once (:func:`add_group`, :func:`add_action`).

:mod:`sync.hub.cli` builds the tree and prints the errors; the command families
(:mod:`sync.hub.staff_cli`, :mod:`sync.hub.devices_cli`, :mod:`sync.hub.segment.cli`,
:mod:`sync.hub.loyalty_cli` …) declare their parsers with these.
"""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sync.hub.errors import InvalidInputError

if TYPE_CHECKING:
    from sync.hub.store import HubStore

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
DB_HELP = (
    "hub database: a SQLite file path or a postgresql:// URL (default: $CLERK_HUB_DB or hub.db)"
)
KEYS_HELP = (
    "the hub's key file (signing keys, token secret; default: $CLERK_HUB_KEYS_FILE, the "
    "contents in $CLERK_HUB_SIGNING_KEYS, else <db>.keys beside a SQLite database)"
)


def default_db() -> str:
    return os.environ.get("CLERK_HUB_DB", "hub.db")


def add_db(p: argparse.ArgumentParser) -> None:
    """``--db`` and ``--keys-file``: the hub a command works on."""
    p.add_argument("--db", default=default_db(), help=DB_HELP)
    p.add_argument("--keys-file", default=None, metavar="FILE", help=KEYS_HELP)


def actor() -> str:
    """Who runs a ``clerk hub`` command, for the hub's audit."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name for this uid (a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return f"cli:{user}"


def open_store(args: argparse.Namespace) -> HubStore:
    """The hub of ``--db`` (migrated), with the keys of ``--keys-file``."""
    from sync.hub.store import HubStore

    return HubStore.open(args.db, keys_file=args.keys_file)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[HubStore]:
    """:func:`open_store` for one command, closed when it ends."""
    store = open_store(args)
    try:
        yield store
    finally:
        store.close()


def action_of(args: argparse.Namespace, dest: str, actions: str) -> str:
    """The action given to a command group (``args.<dest>``); InvalidInputError (usage)
    naming ``actions`` when there is none."""
    action: str | None = getattr(args, dest, None)
    if action is None:
        raise InvalidInputError(f"give an action: {actions}", reason="usage")
    return action


# -- command groups, declared -----------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of an action: what ``add_argument`` takes."""

    flags: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


def add_group(
    sub: Any, name: str, *, summary: str, description: str, dest: str | None = None
) -> Any:
    """``clerk hub NAME ACTION …``: the group's parser; returns its actions' subparsers (the
    action given is ``args.<dest>``, by default ``<name>_command``; None when left out)."""
    p = sub.add_parser(name, help=summary, description=description)
    return p.add_subparsers(dest=dest or f"{name}_command", metavar="ACTION")


def add_action(
    sub: Any,
    name: str,
    *,
    summary: str,
    description: str,
    args: tuple[Arg, ...] = (),
    json_help: str | None = None,
) -> argparse.ArgumentParser:
    """One action as declared: ``--db``/``--keys-file``, its arguments in their order, then
    ``--json`` (``json_help``) when it prints JSON."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=description)
    add_db(p)
    for a in args:
        p.add_argument(*a.flags, **a.options)
    if json_help is not None:
        p.add_argument("--json", action="store_true", help=json_help)
    return p
