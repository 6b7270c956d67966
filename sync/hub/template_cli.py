"""``clerk hub template list|set``: the outreach messages' wording (hub table
``message_templates``, feed entity ``template``; clerk/outreach.py drafts from it).

:mod:`sync.hub.cli` adds the parser (:func:`add_parser`) and dispatches to :func:`cmd_template`;
errors are its to print.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from sync.hub.errors import InvalidInputError

Opener = Callable[[argparse.Namespace], Any]
REASONS = ("inactive", "cart_coupon", "birthday", "unserved_visit", "manual", "any")
MAX_TEXT = 500


def add_parser(sub: Any, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``template`` to the ``clerk hub`` subparsers ``sub``."""
    p = sub.add_parser(
        "template",
        help="the outreach message templates: list, set",
        description="The wording, in Chinese and English, of the message a terminal drafts "
        "to contact a member, per reason (a task rule's name, manual, or any: the fallback). "
        "Placeholders: {name}, {reason}, {days}, {date}, {coupon}, {product}; one a task does "
        "not give is left out. Every terminal receives a change with its next sync.",
    )
    actions = p.add_subparsers(dest="template_command", metavar="ACTION", required=True)
    s = actions.add_parser("list", help="each template", description="List the templates.")
    add_db(s)
    s.add_argument("--json", action="store_true", help="one JSON object per line")
    s = actions.add_parser(
        "set",
        help="add or change a template",
        description="Add or change the template ID for a reason, in both languages.",
    )
    add_db(s)
    s.add_argument("id", help="the template's id (1-32 characters), e.g. birthday")
    s.add_argument("--reason", required=True, help=", ".join(REASONS))
    s.add_argument("--zh", required=True, metavar="TEXT", help="the Chinese wording")
    s.add_argument("--en", required=True, metavar="TEXT", help="the English wording")


def _check(args: argparse.Namespace) -> None:
    if not 1 <= len(args.id) <= 32 or not args.id.replace("_", "").replace("-", "").isalnum():
        raise InvalidInputError(f"template id {args.id!r}: 1-32 letters, digits, - or _")
    if args.reason not in REASONS:
        raise InvalidInputError(f"--reason {args.reason!r}: one of {', '.join(REASONS)}")
    for flag, text in (("--zh", args.zh), ("--en", args.en)):
        if not text.strip() or len(text) > MAX_TEXT:
            raise InvalidInputError(f"{flag}: give 1-{MAX_TEXT} characters")


def cmd_template(args: argparse.Namespace, opener: Opener) -> int:
    if args.template_command == "set":
        _check(args)
    store = opener(args)
    try:
        if args.template_command == "list":
            with store.read() as conn:
                rows = conn.rows(
                    "SELECT id, reason, text_zh, text_en, updated_at FROM message_templates "
                    "ORDER BY reason, id"
                )
            for r in rows:
                if args.json:
                    keys = ("id", "reason", "text_zh", "text_en", "updated_at")
                    print(json.dumps(dict(zip(keys, r, strict=True)), ensure_ascii=False))
                else:
                    print(f"{r[0]:16} {r[1]:14} {r[2]}\n{'':31} {r[3]}")
        else:
            with store.write() as tx:
                tx.conn.execute(
                    "INSERT INTO message_templates (id, reason, text_zh, text_en, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    "reason = excluded.reason, text_zh = excluded.text_zh, "
                    "text_en = excluded.text_en, updated_at = excluded.updated_at",
                    (args.id, args.reason, args.zh.strip(), args.en.strip(), int(time.time())),
                )
                tx.emit("template", args.id, "upsert", None)
            print(f"template {args.id} saved")
    finally:
        store.close()
    return 0
