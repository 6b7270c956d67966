"""``clerk …`` run in-process through the real parser, with the exit code ``clerk`` would exit
with — what the CLI tests drive."""

from __future__ import annotations

from argon2 import PasswordHasher

from clerk.cli import build_parser
from clerk.cli.common import fail_with
from clerk.errors import ClerkError

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # tests only


def clerk(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    try:
        result: int = args.func(args)
    except ClerkError as exc:
        return fail_with(exc)
    return result
