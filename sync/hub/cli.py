"""``clerk hub …``: run and administer the reference hub.

``clerk/cli/hub.py`` calls :func:`add_hub_parser` and dispatches to :func:`run_hub`;
``python -m sync.hub.cli …`` runs the same commands standalone. Every error a person can cause
(a bad argument, an unknown store or member, a database that cannot be opened) ends as one line
on stderr and a non-zero exit, never a traceback.

The tree is built here; the command families with actions of their own live beside it — staff
(:mod:`sync.hub.staff_cli`), devices, their audit flags and admin tokens
(:mod:`sync.hub.devices_cli`), Segment sources and identities (:mod:`sync.hub.segment.cli`),
points and recommendations (:mod:`sync.hub.loyalty_cli`), task rules, templates and imports.
What they share — the ``--db`` options, the store for one command, who runs it, a group's
actions declared — is :mod:`sync.hub.cli_common`.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from sync.hub import devices_cli, logs, staff_cli
from sync.hub.cli_common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    actor,
    add_db,
    open_store,
    opened,
)
from sync.hub.errors import HubServiceError, InvalidInputError

if TYPE_CHECKING:
    from sync.hub.app import HubConfig
    from sync.hub.rules import WriteBounds
    from sync.hub.store import HubStore


def add_hub_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``hub`` command and its subcommands to a ``clerk`` argument parser."""
    hub = subparsers.add_parser(
        "hub",
        help="run and administer the reference hub (central CRM)",
        description="The reference central-CRM hub: FastAPI over SQLite or PostgreSQL.",
    )
    hub.set_defaults(func=run_hub, hub_command=None)
    sub = hub.add_subparsers(dest="hub_command", metavar="COMMAND")

    p = sub.add_parser(
        "seed",
        help="fill an empty hub with the demo world",
        description="Stream the deterministic demo world (demoworld) into an empty hub: "
        "stores, staff, products, members with browse events, carts, coupons and visits.",
    )
    add_db(p)
    p.add_argument("--members", type=int, required=True, help="number of members")
    p.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    p.add_argument(
        "--events-per-member",
        type=float,
        default=40.0,
        help="mean browse events per member (default 40)",
    )
    p.add_argument("--products", type=int, default=3000, help="catalogue size (default 3000)")
    p.add_argument(
        "--stores",
        type=int,
        default=3,
        help="stores in the chain (default 3: the demo stores; more are numbered S004 …)",
    )
    p.add_argument(
        "--now", type=int, default=None, help="the world's clock, unix seconds (default: now)"
    )

    p = sub.add_parser(
        "serve",
        help="serve the hub API",
        description="Serve the hub API with uvicorn (migrates the database first).",
        epilog=(
            "Capacity knobs, from the environment for one process or several (docs/hub.md): "
            "CLERK_HUB_MAX_INFLIGHT (requests inside a process before 503, 48), "
            "CLERK_HUB_RETRY_AFTER_MAX (the longest Retry-After a 503 tells, 8; 1: always 1 s), "
            "CLERK_HUB_MAX_THREADS (3), CLERK_HUB_MAX_PENDING_WRITES (12) and "
            "CLERK_HUB_MAX_PENDING_WRITES_BURST (24), CLERK_HUB_RECONNECT_RATE (50). "
            "A value that is not a number is refused before the database is opened."
        ),
    )
    add_db(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--ssl-certfile", default=None, help="TLS certificate (PEM) to serve HTTPS")
    p.add_argument("--ssl-keyfile", default=None, help="TLS private key (PEM)")
    p.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="log level (default info; each request is one JSON line at info)",
    )
    p.add_argument(
        "--loop",
        default=os.environ.get("CLERK_HUB_LOOP") or "auto",
        choices=("auto", "asyncio", "uvloop"),
        help="the workers' event loop (default: $CLERK_HUB_LOOP or auto — uvloop when it is "
        "installed, as the hub extra installs it on Linux and macOS; asyncio otherwise)",
    )
    p.add_argument(
        "--keep-alive",
        type=int,
        default=None,
        metavar="S",
        help="seconds an idle connection is kept open (default: $CLERK_HUB_KEEP_ALIVE_S or 75; "
        "the terminals close theirs after 60)",
    )
    p.add_argument(
        "--token-ttl",
        type=int,
        default=int(os.environ.get("CLERK_HUB_TOKEN_TTL_S") or 900),
        metavar="S",
        help="lifetime of a device's access token in seconds (default: "
        "$CLERK_HUB_TOKEN_TTL_S or 900)",
    )
    p.add_argument(
        "--rules-every",
        type=int,
        default=3600,
        metavar="S",
        help="run the follow-up task rules and escalation every S seconds in this process "
        "(default 3600; 0: never — `clerk hub rules run` from cron instead)",
    )
    # The windows of what a device may write (sync/hub/rules.py; docs/hub.md, "Write bounds").
    p.add_argument(
        "--clock-skew",
        type=int,
        default=None,
        metavar="S",
        help="seconds a record's time may be ahead of the hub's clock (default 300)",
    )
    p.add_argument(
        "--max-age-days",
        type=int,
        default=None,
        metavar="D",
        help="oldest record taken, in days before now: a terminal this long offline (default 30)",
    )
    p.add_argument(
        "--enrolment-grace-days",
        type=int,
        default=None,
        metavar="D",
        help="days before its enrolment a device's records are taken (default 10)",
    )
    p.add_argument(
        "--served-window",
        type=int,
        default=None,
        metavar="S",
        help="seconds after a member of another store was served by proof that records about "
        "them are taken (default 14400)",
    )

    p = sub.add_parser(
        "enrol-code",
        help="print a one-time enrolment code for a store",
        description="Create a one-time enrolment code for a store (valid 24 hours) and print it. "
        "Only its hash is stored.",
    )
    add_db(p)
    p.add_argument("--store", required=True, help="store id, e.g. S001")
    p.add_argument("--png", default=None, help="also write the code as a QR code PNG here")

    p = sub.add_parser(
        "member-code",
        help="print a signed member code (MC1) for a member",
        description="Issue a dynamic member code for a member, signed by the active key.",
    )
    add_db(p)
    p.add_argument("member", help="member id, e.g. M00000001")
    p.add_argument("--ttl", type=int, default=120, help="seconds until it expires (default 120)")
    p.add_argument("--png", default=None, help="also write the code as a QR code PNG here")

    p = sub.add_parser(
        "export",
        help="export members or interactions",
        description="Write members (id, card_no, name, store, phone_masked, code_id) or "
        "interactions as JSON lines or CSV.",
    )
    p.add_argument("what", choices=("members", "interactions"), help="what to export")
    add_db(p)
    p.add_argument(
        "--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default jsonl)"
    )
    p.add_argument("--out", default="-", help="output file (default: stdout)")

    staff_cli.add_parser(sub)
    devices_cli.add_parsers(sub)

    from sync.hub.segment.cli import add_parsers as add_segment_parsers

    add_segment_parsers(sub)

    from sync.hub.imports.cli import add_parser as add_import_parser

    add_import_parser(sub, add_db)

    p = sub.add_parser(
        "setting",
        help="read or set a hub setting (the chain's policies)",
        description="Read a hub setting, or set it to VALUE: consent.unconsented_browsing_days "
        "(days the browsing of members without consent is kept at the hub only; 0, the "
        "default: dropped at intake).",
    )
    add_db(p)
    p.add_argument("key", help="the setting, e.g. consent.unconsented_browsing_days")
    p.add_argument("value", nargs="?", default=None, help="its new value")

    p = sub.add_parser(
        "purge",
        help="delete what the chain's policy no longer lets the hub keep",
        description="Delete the browsing of members without browsing consent older than "
        "consent.unconsented_browsing_days (clerk hub serve does this hourly).",
    )
    add_db(p)
    from sync.hub.loyalty_cli import add_parsers as add_loyalty_parsers

    add_loyalty_parsers(sub)
    from sync.hub.task_cli import add_parser as add_rules_parser

    add_rules_parser(sub, add_db)
    from sync.hub.template_cli import add_parser as add_template_parser

    add_template_parser(sub, add_db)

    p = sub.add_parser(
        "migrate",
        help="create or upgrade the hub database schema",
        description="Apply pending schema migrations (a schema_version table records them).",
    )
    add_db(p)

    p = sub.add_parser(
        "signup-text",
        help="publish the chain's consent wording a sign-up shows",
        description="Publish the consent wording VERSION in Chinese and/or English (read from "
        "files, UTF-8): every terminal receives it with its next sync and shows it, with its "
        "version, at a sign-up at the counter; the version shown is stored with the answer.",
    )
    add_db(p)
    p.add_argument("version", help="the wording's version (1-32 characters), e.g. 2026-12-v1")
    p.add_argument("--zh", metavar="FILE", help="the Chinese wording")
    p.add_argument("--en", metavar="FILE", help="the English wording")

    p = sub.add_parser(
        "rotate-key",
        help="make a new member-code signing key",
        description="Create a new active signing key, its private half written to the key "
        "file (never the database); the old one stops signing and is accepted by terminals for "
        "5 more minutes.",
    )
    add_db(p)


# --- commands ------------------------------------------------------------------------------------


def _cmd_seed(args: argparse.Namespace) -> int:
    # The one place the hub loads the demo world: only when asked to seed it.
    from demoworld.seed import seed_demo

    if args.members < 0 or args.products < 1 or args.events_per_member < 0:
        raise InvalidInputError("--members, --products and --events-per-member must be positive")
    with opened(args) as store:
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 2.0 or done == total:
                last[0] = now
                print(f"seed: {done}/{total} members", file=sys.stderr)

        stats = seed_demo(
            store,
            members=args.members,
            seed=args.seed,
            now=args.now,
            products=args.products,
            events_per_member=args.events_per_member,
            progress=progress,
            stores=args.stores,
        )
    print("stores: " + " ".join(stats.stores))
    for table, n in stats.counts.items():
        print(f"{table}: {n}")
    print(f"seconds: {stats.seconds:.1f}")
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from sync.hub.retention import Purger

    if (args.ssl_certfile is None) != (args.ssl_keyfile is None):
        raise InvalidInputError("give both --ssl-certfile and --ssl-keyfile, or neither")
    if args.token_ttl < 1:
        raise InvalidInputError("--token-ttl must be at least 1 second")
    if args.rules_every < 0:
        raise InvalidInputError("--rules-every must be 0 (never) or more seconds")
    from sync.hub.app import config_from_env

    bounds = _write_bounds(args)
    args.keep_alive = _keep_alive(args)  # checked before the database is opened
    config = config_from_env(os.environ, token_ttl_s=args.token_ttl, bounds=bounds)  # and these
    logs.configure(args.log_level, sys.stderr)  # the lines written by a thread (sync.hub.logs)
    store = open_store(args)  # migrates; fails here, with one line, if the database is unusable
    # The chain's retention policy, applied hourly (sync/hub/retention.py), on its own store.
    try:
        purger = Purger(open_store(args), on_error=_log_purge_error)
    except BaseException:
        store.close()
        raise
    purger.start()
    try:
        return _serve(args, store, config)
    finally:
        purger.stop()
        purger.store.close()


def _log_purge_error(exc: BaseException) -> None:
    logging.getLogger("sync.hub").warning("retention purge failed: %s", exc)


GRACEFUL_STOP_S = 2  # seconds a stopping hub gives the requests in flight


def _serve(args: argparse.Namespace, store: HubStore, config: HubConfig) -> int:
    import uvicorn

    from sync.hub.app import create_app, freeze_heap

    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "access_log": False,
        "log_level": args.log_level,
        "loop": args.loop,
        "http": _http_protocol(),
        "ssl_certfile": args.ssl_certfile,
        "ssl_keyfile": args.ssl_keyfile,
        # Told to stop, the app answers its parked long-polls and closes each connection after
        # its answer (sync.hub.app: drain); what is still running after this is cancelled —
        # its terminal retries it (a batch is idempotent).
        "timeout_graceful_shutdown": GRACEFUL_STOP_S,
        "timeout_keep_alive": args.keep_alive,
    }
    if args.workers > 1:
        store.close()
        os.environ["CLERK_HUB_DB"] = args.db
        os.environ["CLERK_HUB_LOG_LEVEL"] = args.log_level
        os.environ["CLERK_HUB_TOKEN_TTL_S"] = str(args.token_ttl)
        os.environ.update(config.bounds.env())  # the capacity knobs: already in the environment
        if args.keys_file:
            os.environ["CLERK_HUB_KEYS_FILE"] = args.keys_file
        uvicorn.run("sync.hub.app:app_from_env", factory=True, workers=args.workers, **common)
        return EXIT_OK
    try:
        scheme = "https" if args.ssl_certfile else "http"
        print(f"hub: serving {args.db} at {scheme}://{args.host}:{args.port}", file=sys.stderr)
        from sync.hub.tasks import RulesSchedule

        with RulesSchedule(store, args.rules_every):
            app = create_app(store, config)
            app.router.on_startup.append(freeze_heap)
            uvicorn.run(app, **common)
    finally:
        store.close()
    return EXIT_OK


def _keep_alive(args: argparse.Namespace) -> int:
    """Seconds an idle connection is kept: ``--keep-alive``, else $CLERK_HUB_KEEP_ALIVE_S, else
    :data:`sync.hub.app.KEEP_ALIVE_S`."""
    from sync.hub.app import KEEP_ALIVE_S

    if args.keep_alive is not None:
        seconds, given = int(args.keep_alive), "--keep-alive"
    else:
        raw = os.environ.get("CLERK_HUB_KEEP_ALIVE_S") or str(KEEP_ALIVE_S)
        given = "CLERK_HUB_KEEP_ALIVE_S"
        try:
            seconds = int(raw)
        except ValueError:
            raise InvalidInputError(f"{given} is not a whole number of seconds: {raw!r}") from None
    if seconds < 1:
        raise InvalidInputError(f"{given} must be at least 1 second, got {seconds}")
    return seconds


def _http_protocol() -> str:
    """uvicorn's HTTP protocol for the hub: httptools with each answer in one send
    (:mod:`sync.hub.http_protocol`); ``CLERK_HUB_HTTP`` names another (``httptools``, ``auto``:
    uvicorn's own, for capacity work)."""
    chosen = os.environ.get("CLERK_HUB_HTTP")
    if chosen:
        return chosen
    try:
        from sync.hub.http_protocol import PROTOCOL
    except ImportError:  # no httptools (the hub extra brings it): uvicorn's own choice
        return "auto"
    return PROTOCOL


def _write_bounds(args: argparse.Namespace) -> WriteBounds:
    """The write windows of ``clerk hub serve``: an option given, else its environment
    variable (CLERK_HUB_SKEW_S …), else the default."""
    from sync.hub.rules import DAY_S, WriteBounds

    given: dict[str, int] = {}
    for option, name, unit in (
        ("clock_skew", "skew_s", 1),
        ("max_age_days", "max_age_s", DAY_S),
        ("enrolment_grace_days", "enrolment_grace_s", DAY_S),
        ("served_window", "served_window_s", 1),
    ):
        value = getattr(args, option)
        if value is not None:
            if value < 0:
                raise InvalidInputError(f"--{option.replace('_', '-')} must not be negative")
            given[name] = value * unit
    try:
        base = WriteBounds.from_env(os.environ)
    except ValueError as exc:
        raise InvalidInputError(f"a CLERK_HUB_… window is not a whole number: {exc}") from exc
    return dataclasses.replace(base, **given)


def _cmd_enrol_code(args: argparse.Namespace) -> int:
    with opened(args) as store:
        code = store.devices.create_enrol_code(args.store)
    if args.png:
        _qr_png(code, args.png)
    print(code)
    return EXIT_OK


def _cmd_member_code(args: argparse.Namespace) -> int:
    if not 1 <= args.ttl <= 24 * 3600:
        raise InvalidInputError("--ttl must be between 1 and 86400 seconds")
    with opened(args) as store:
        code = store.keys.member_code(args.member, ttl=args.ttl)
    if args.png:
        from clerk.shared import barcodes

        barcodes.member_code_qr_png(code, args.png)
    print(code)
    return EXIT_OK


def _qr_png(text: str, path: str) -> None:
    from clerk.shared import barcodes

    barcodes.qr_png(text, path)


EXPORT_FIELDS = {
    "members": ("id", "card_no", "name", "store", "phone_masked", "code_id"),
    "interactions": (
        "id",
        "device_id",
        "store_id",
        "device_seq",
        "kind",
        "member_id",
        "member_ref",
        "staff_id",
        "created_at",
        "received_at",
        "status",
        "reason",
        "conflict_with",
        "resolved_by",
        "payload",
    ),
}


def _cmd_export(args: argparse.Namespace) -> int:
    with opened(args) as store:
        rows: Iterator[dict[str, Any]] = (
            store.members.iter_rows() if args.what == "members" else store.interactions.iter_rows()
        )
        if args.out == "-":
            n = _write_rows(sys.stdout, rows, args.what, args.format)
        else:
            with open(args.out, "w", encoding="utf-8", newline="") as out:
                n = _write_rows(out, rows, args.what, args.format)
    print(f"export: {n} {args.what}", file=sys.stderr)
    return EXIT_OK


def _write_rows(out: TextIO, rows: Iterator[dict[str, Any]], what: str, fmt: str) -> int:
    fields = EXPORT_FIELDS[what]
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            n += 1
        return n
    for row in rows:
        record = {f: row.get(f) for f in fields}
        if what == "interactions" and isinstance(record["payload"], str):
            record["payload"] = json.loads(record["payload"])
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n


def _cmd_migrate(args: argparse.Namespace) -> int:
    from sync.hub.store import HubStore

    store = HubStore.open(args.db, migrate=False, keys_file=args.keys_file)
    try:
        applied = store.migrate()
        version = store.schema_version()
    finally:
        store.close()
    done = ", ".join(str(v) for v in applied) if applied else "none"
    print(f"schema version {version} (applied: {done})")
    return EXIT_OK


def _cmd_rotate_key(args: argparse.Namespace) -> int:
    with opened(args) as store:
        key = store.keys.rotate()
    print(f"active key: kid {key.kid} {key.public_key}")
    print(f"its private key is in {store.key_source.describe()}: back it up", file=sys.stderr)
    return EXIT_OK


def _cmd_signup_text(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sync.hub import signups

    texts = {
        lang: Path(path).read_text(encoding="utf-8").strip()
        for lang, path in (("zh", args.zh), ("en", args.en))
        if path
    }
    if not texts:
        raise ValueError("give the wording: --zh FILE and/or --en FILE")
    with opened(args) as store, store.write() as tx:
        signups.publish_signup_text(tx, args.version, texts)
    print(f"consent wording {args.version} published ({', '.join(texts)})")
    return EXIT_OK


def _cmd_source(args: argparse.Namespace) -> int:
    from sync.hub.segment.cli import cmd_source

    return cmd_source(args, open_store, actor())


def _cmd_identity(args: argparse.Namespace) -> int:
    from sync.hub.segment.cli import cmd_identity

    return cmd_identity(args, open_store, actor())


def _cmd_setting(args: argparse.Namespace) -> int:
    from sync.hub import retention

    with opened(args) as store:
        if args.value is not None:
            retention.set_setting(store, args.key, args.value)
        print(f"{args.key} = {retention.get_setting(store, args.key)}")
    return EXIT_OK


def _cmd_purge(args: argparse.Namespace) -> int:
    from sync.hub import retention

    with opened(args) as store:
        n = retention.purge(store)
    print(f"purged {n} browse events of members without browsing consent")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from sync.hub.imports.cli import cmd_import

    return cmd_import(args, open_store)


def _cmd_points(args: argparse.Namespace) -> int:
    from sync.hub.loyalty_cli import cmd_points

    return cmd_points(args, open_store)


def _cmd_recommend(args: argparse.Namespace) -> int:
    from sync.hub.loyalty_cli import cmd_recommend

    return cmd_recommend(args, open_store)


def _cmd_rules(args: argparse.Namespace) -> int:
    from sync.hub.task_cli import cmd_rules

    return cmd_rules(args, open_store)


def _cmd_template(args: argparse.Namespace) -> int:
    from sync.hub.template_cli import cmd_template

    return cmd_template(args, open_store)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "seed": _cmd_seed,
    "serve": _cmd_serve,
    "enrol-code": _cmd_enrol_code,
    "member-code": _cmd_member_code,
    "export": _cmd_export,
    "staff": staff_cli.cmd_staff,
    "audit": devices_cli.cmd_audit,
    "device": devices_cli.cmd_device,
    "admin-token": devices_cli.cmd_admin_token,
    "source": _cmd_source,
    "identity": _cmd_identity,
    "import": _cmd_import,
    "setting": _cmd_setting,
    "purge": _cmd_purge,
    "points": _cmd_points,
    "recommend": _cmd_recommend,
    "rules": _cmd_rules,
    "template": _cmd_template,
    "migrate": _cmd_migrate,
    "rotate-key": _cmd_rotate_key,
    "signup-text": _cmd_signup_text,
}


def run_hub(args: argparse.Namespace) -> int:
    """Run one ``clerk hub`` subcommand; errors become one line on stderr and exit 1 (2: usage)."""
    command = getattr(args, "hub_command", None)
    if command is None:
        print(
            "clerk hub: give a command: " + ", ".join(COMMANDS) + " (see --help)", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        return COMMANDS[command](args)
    except BrokenPipeError:
        # `clerk hub export … | head`: the reader has what it wanted; not an error.
        _silence_stdout()
        return EXIT_OK
    except HubServiceError as exc:
        print(f"clerk hub {command}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE if exc.reason in ("usage", "bad_pin", "invalid") else EXIT_ERROR
    except (OSError, ValueError) as exc:
        print(f"clerk hub {command}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return run_hub(args)


if __name__ == "__main__":
    sys.exit(main())
