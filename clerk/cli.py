"""The ``clerk`` command: the composition root.

It wires clerk/ (domain), sync/ (client, engine, hub) and ui/ (PySide6) together, importing
sync/ and ui/ lazily inside the commands that need them, so ``clerk hub …``, ``clerk sync``
and ``clerk lookup`` never load Qt. Every error a person can cause ends as one clear line on
stderr (or a JSON object with --json) and a non-zero exit — never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk import __version__, paths
from clerk.errors import ClerkError, IdentifyError, NotEnrolledError

if TYPE_CHECKING:
    from clerk.model import Identity
    from clerk.terminal import Terminal
    from sync.local import HomeEngine

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INPUT = 2  # bad or unknown input (lookup of garbage, unknown member)
EXIT_NOT_CAUGHT_UP = 3  # sync --once finished but the outbox is not empty / pull not caught up

RECORD_KINDS = ("visit", "note", "interest", "redeem", "sale", "consent")


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str, sort_keys=False))


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"clerk: {message}", file=sys.stderr)
    return code


# -- wiring ----------------------------------------------------------------------------------


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


def _engine(home: Path) -> HomeEngine:
    from sync.local import engine_for

    return engine_for(home)


# -- commands --------------------------------------------------------------------------------


def cmd_app(args: argparse.Namespace) -> int:
    import logging

    from clerk import instance
    from ui.app import run_app

    logging.getLogger("clerk.app").info("omni-clerk %s starting", __version__)
    lock = None
    try:
        lock = instance.acquire(paths.data_dir())
        terminal = open_terminal()
    except BaseException:
        if lock is not None:
            lock.release()
        _open_log_file()  # what was logged so far goes to the file, then the error is shown
        raise
    try:
        return run_app(
            terminal,
            lambda: _engine(terminal.home),
            lang=args.lang,
            layout=args.layout,
            after_first_paint=[_open_log_file],
        )
    finally:
        _open_log_file()  # the app ended before its first screen: the records still go out
        terminal.close()
        lock.release()


def _show_start_error(exc: ClerkError) -> None:
    """The app did not open: besides the stderr line, a message on screen (a terminal started
    from its desktop icon has no visible stderr)."""
    try:
        from ui.app import show_start_error

        show_start_error(exc)
    except Exception as gui_exc:  # no display, no Qt: the stderr line stands alone
        print(f"clerk: (no window for this message: {gui_exc})", file=sys.stderr)


def _open_log_file() -> None:
    """The log file, with what was logged since start-up (the app opens it once its first
    screen is up; ``main`` buffers until then). Does nothing once it is open."""
    from clerk import logs

    if not logs.logging_buffered():
        return
    try:
        logs.setup_logging("terminal")
    except OSError as exc:
        print(f"clerk: cannot write logs ({exc}); continuing without a log file", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    """The demo: an embedded hub on 127.0.0.1 with seeded data, this terminal enrolled and
    synced, demo member codes as PNG files and in a window, and the app."""
    import os

    from clerk import instance
    from demoworld.app import run as run_demo_app

    home = (
        Path(os.environ["CLERK_HOME"])
        if "CLERK_HOME" in os.environ
        else (paths.data_dir() / "demo")
    )
    home.mkdir(parents=True, exist_ok=True)
    with instance.acquire(home):
        return run_demo_app(args, home, open_terminal)


def cmd_enroll(args: argparse.Namespace) -> int:
    from clerk.settings import _url
    from sync.errors import SyncError
    from sync.local import enroll

    home = paths.data_dir()
    hub = _url(args.hub)
    try:
        creds = enroll(home, hub, args.store, args.code, device_name=args.name)
    except SyncError as exc:
        return _fail(f"enrolment failed: {exc}")
    print(f"enrolled device {creds.device_id} to store {creds.store_id} at {args.hub}")
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from sync.errors import SyncError
    from sync.local import engine_for
    from sync.scheduler import Scheduler

    engine = engine_for(paths.data_dir())
    try:
        if not args.once:
            import threading

            from clerk import instance

            lock = instance.acquire(paths.data_dir())  # one long-running syncer per terminal
            stop = threading.Event()
            scheduler = Scheduler(
                engine,
                on_report=lambda r: print(_report_line(r), flush=True),
                on_error=lambda e: print(
                    f"clerk: sync failed, will retry: {e}", file=sys.stderr, flush=True
                ),
            )
            try:
                scheduler.run_forever(stop)
            except KeyboardInterrupt:
                stop.set()
            finally:
                lock.release()
            return EXIT_OK
        progress = None if args.json or not sys.stderr.isatty() else _progress_bar()
        try:
            report = engine.sync_once(progress=progress)
        except SyncError as exc:
            if progress is not None:
                print(file=sys.stderr)
            status = engine.status()
            if args.json:
                _print_json({"error": str(exc), "reason": exc.reason, "status": status})
            else:
                print(
                    f"clerk: sync failed: {exc} ({status['pending']} pending, kept for "
                    "the next sync)",
                    file=sys.stderr,
                )
            return EXIT_ERROR
        if progress is not None:
            print(file=sys.stderr)
        if args.json:
            _print_json(dataclasses.asdict(report))
        else:
            print(_report_line(report))
        return EXIT_OK if report.caught_up else EXIT_NOT_CAUGHT_UP
    finally:
        engine.close()


def _report_line(report: Any) -> str:
    p = report.pushed
    return (
        f"pushed {p.sent} (accepted {p.accepted}, duplicate {p.duplicate}, conflict "
        f"{p.conflict}, rejected {p.rejected}); pulled {report.pulled.changes} changes; "
        f"pending {report.pending}; {'caught up' if report.caught_up else 'not caught up'}"
    )


def _progress_bar() -> Callable[[int, int | None, float | None], None]:
    def show(done: int, remaining: int | None, eta_s: float | None) -> None:
        total = done + (remaining or 0)
        pct = 100.0 * done / total if total else 100.0
        filled = int(pct / 4)
        eta = f" ETA {int(eta_s)} s" if eta_s is not None else ""
        print(
            f"\r[{'#' * filled}{'.' * (25 - filled)}] {pct:5.1f}% {done}/{total}{eta}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show


def _view_json(view: Any) -> Any:
    return dataclasses.asdict(view)


def cmd_lookup(args: argparse.Namespace) -> int:
    terminal = open_terminal()
    try:
        try:
            identity = terminal.identify(args.text)
        except IdentifyError as exc:
            from clerk.identify import MESSAGES

            if args.json:
                _print_json({"error": MESSAGES.get(exc.reason, str(exc)), "reason": exc.reason})
            else:
                print(f"clerk: {MESSAGES.get(exc.reason, str(exc))}", file=sys.stderr)
            return EXIT_INPUT
        member_id = terminal.resolve(identity)
        reason = None
        if member_id is None and terminal.fetch_member is not None:
            try:
                member_id = terminal.fetch_member(identity)
                reason = None if member_id else "unknown_member"
            except ClerkError:
                reason = "not_cached"
        elif member_id is None:
            reason = "not_cached"
        if member_id is None:
            msg = {
                "not_cached": "not in this store's cache and the hub is unreachable — will sync",
                "unknown_member": "no member has this identity",
            }[reason or "unknown_member"]
            if args.json:
                _print_json({"error": msg, "reason": reason, "ref": identity.label})
            else:
                print(f"clerk: {msg}", file=sys.stderr)
            return EXIT_INPUT
        view = terminal.view(member_id, lang=args.lang)
        if view is None:
            return _fail("member vanished from the cache during lookup", EXIT_INPUT)
        if args.json:
            _print_json(_view_json(view))
        else:
            _print_view(view, args.lang)
        return EXIT_OK
    finally:
        terminal.close()


def _print_view(view: Any, lang: str) -> None:
    from clerk.talking_points import describe

    p = view.profile
    print(f"{p.name} ({p.member_id}) · {p.tier} · {p.points} pts · {p.phone_masked or ''}")
    for tp in view.talking_points:
        print(f"  * {describe(tp, lang)}")
    if view.cart:
        print("Cart:")
        for line in view.cart:
            print(f"  {line.product.title(lang)} ×{line.qty}  ¥{line.price_cents / 100:,.2f}")
    if view.coupons:
        print("Coupons:")
        for c in view.coupons:
            print(f"  [{c.status}] {c.title(lang)}")


def _record_payload(args: argparse.Namespace) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if args.text:
        payload["text"] = args.text
    if args.kind == "interest":
        if not args.sku:
            raise ClerkError("record interest needs --sku", reason="usage")
        payload["sku"] = args.sku
        payload["action"] = args.action or "asked_about"
    elif args.kind == "redeem":
        if not args.coupon:
            raise ClerkError("record redeem needs --coupon", reason="usage")
        payload["coupon_id"] = args.coupon
    elif args.kind == "sale":
        if not args.sku or args.amount is None:
            raise ClerkError("record sale needs --sku (repeatable) and --amount", reason="usage")
        if args.amount <= 0:
            raise ClerkError("record sale needs a positive --amount", reason="usage")
        payload["items"] = [{"sku": s, "qty": 1} for s in args.sku_list]
        payload["amount_cents"] = round(args.amount * 100)
    elif args.kind == "consent":
        if args.marketing is None and args.browsing is None:
            raise ClerkError("record consent needs --marketing and/or --browsing", reason="usage")
        if args.marketing is not None:
            payload["marketing"] = args.marketing == "yes"
        if args.browsing is not None:
            payload["browsing"] = args.browsing == "yes"
    elif args.kind == "note" and not args.text:
        raise ClerkError("record note needs --text", reason="usage")
    return payload


def _priced(terminal: Terminal, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sale lines with the catalogue price of each product (the hub needs it per item)."""
    out = []
    for item in items:
        row = terminal.cache.execute(
            "SELECT price_cents FROM products WHERE sku = ?", (item["sku"],)
        ).fetchone()
        if row is None:
            raise ClerkError(f"unknown product {item['sku']!r}", reason="usage")
        out.append({**item, "price_cents": int(row[0])})
    return out


def cmd_record(args: argparse.Namespace) -> int:
    args.sku_list = args.sku or []
    args.sku = args.sku_list[0] if args.sku_list else None
    payload = _record_payload(args)
    terminal = open_terminal(online_fetch=False)
    try:
        if args.kind == "sale":
            payload["items"] = _priced(terminal, payload["items"])
        rec = terminal.record(
            args.kind, member_id=args.member, staff_id=args.staff, payload=payload
        )
    finally:
        terminal.close()
    if args.json:
        _print_json(rec.wire())
    else:
        print(f"saved {args.kind} {rec.id} · pending sync")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    terminal = open_terminal(online_fetch=False)
    try:
        st = terminal.status()
    finally:
        terminal.close()
    now = int(time.time())
    data = dataclasses.asdict(st)
    data["oldest_pending_age_s"] = (
        now - st.oldest_pending_at if st.oldest_pending_at is not None else None
    )
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key:22} {value}")
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    from clerk.settings import Settings

    settings = Settings(paths.settings_path())
    if args.action == "list":
        for name, value, help_text in settings.items():
            print(f"{name:20} {json.dumps(value, ensure_ascii=False):24} {help_text}")
    elif args.action == "get":
        if not args.name:
            return _fail("config get needs a setting name", EXIT_INPUT)
        print(settings.get(args.name))
    else:
        if not args.name or args.value is None:
            return _fail("config set needs a setting name and a value", EXIT_INPUT)
        value = settings.set(args.name, args.value)
        print(f"{args.name} = {value}")
    return EXIT_OK


def cmd_decode(args: argparse.Namespace) -> int:
    from clerk.decode import decode_file

    worst = EXIT_OK
    for name in args.files:
        try:
            codes = decode_file(Path(name), backend=args.backend)
        except ClerkError as exc:
            _print_json({"file": name, "codes": [], "error": str(exc), "reason": exc.reason})
            worst = EXIT_INPUT
            continue
        _print_json({"file": name, "codes": [dataclasses.asdict(c) for c in codes]})
    return worst


def cmd_purge(args: argparse.Namespace) -> int:
    from clerk.purge import purge

    terminal = open_terminal(online_fetch=False)
    try:
        counts = purge(
            terminal.cache,
            now=int(time.time()),
            browse_days=int(terminal.settings.get("retention_days")),
            member_idle_days=int(terminal.settings.get("member_idle_days")),
        )
    finally:
        terminal.close()
    _print_json(counts) if args.json else print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return EXIT_OK


def cmd_hub(args: argparse.Namespace) -> int:
    from sync.hub.cli import run_hub

    return run_hub(args)


# -- parser ----------------------------------------------------------------------------------


def _app_parser() -> argparse.ArgumentParser:
    """The options of the app itself (no command): shared by the full parser and the fast
    start path."""
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


def _is_app_start(argv: Sequence[str]) -> bool:
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


def build_parser() -> argparse.ArgumentParser:
    parser = _app_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    p.add_argument("--port", type=int, default=0, help="hub port (default: a free one)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "enroll",
        help="enrol this terminal to a store at a hub",
        description="Enrol this terminal with a one-time enrolment code.",
    )
    p.add_argument("--hub", required=True, help="hub URL, e.g. http://127.0.0.1:8765")
    p.add_argument("--store", required=True, help="store id, e.g. S001")
    p.add_argument("--code", required=True, help="one-time enrolment code from the hub")
    p.add_argument("--name", default="terminal", help="device name reported to the hub")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser(
        "sync",
        help="push the outbox and pull changes",
        description="Push recorded interactions and pull the store's changes. "
        "With --once: exit 0 only when the outbox is empty and the pull caught "
        "up (3 otherwise); without it, keep syncing until interrupted.",
    )
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser(
        "lookup",
        help="show a member's 360 view for a code, card or phone",
        description="Identify a member code, card number or phone number and "
        "print the customer view. Unknown or invalid input exits 2.",
    )
    p.add_argument("text", help="MC1 member code, card number or phone number")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of titles")
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser(
        "record",
        help="record an interaction in the outbox",
        description="Record an interaction durably in the outbox (it syncs later).",
    )
    p.add_argument("kind", choices=RECORD_KINDS, help="what happened")
    p.add_argument("--member", required=True, help="member id")
    p.add_argument("--staff", default=None, help="staff id who served")
    p.add_argument("--text", default=None, help="note text")
    p.add_argument("--sku", action="append", help="product (interest, sale; repeatable)")
    p.add_argument("--action", choices=("tried_on", "asked_about"), help="interest action")
    p.add_argument("--coupon", help="coupon id (redeem)")
    p.add_argument("--amount", type=float, help="sale amount in yuan")
    p.add_argument("--marketing", choices=("yes", "no"), help="consent to marketing")
    p.add_argument("--browsing", choices=("yes", "no"), help="consent to browsing history use")
    p.add_argument("--json", action="store_true", help="print the recorded interaction")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser(
        "status",
        help="pending, last push/pull, cursor, last error",
        description="Show the terminal's sync status.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "config",
        help="get, set or list settings",
        description="Terminal settings (validated). See `clerk config list`.",
    )
    p.add_argument("action", choices=("get", "set", "list"))
    p.add_argument("name", nargs="?", help="setting name")
    p.add_argument("value", nargs="?", help="new value (set)")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser(
        "decode",
        help="decode barcodes in image files",
        description="Print one JSON line per file: {file, codes: [{format, text}]}.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--backend", choices=("zxing", "pyzbar"), default="zxing")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser(
        "purge",
        help="apply the retention policy to the cache",
        description="Delete browse events older than retention_days and members "
        "not seen for member_idle_days. Never touches the outbox.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_purge)

    from clerk.audit import add_audit_parser
    from clerk.doctor import add_doctor_parser
    from clerk.reports import add_report_parser

    add_report_parser(sub)
    add_audit_parser(sub)
    add_doctor_parser(sub, make_hub_check=_doctor_hub_check)
    _add_hub(sub)
    return parser


def _doctor_hub_check(home: Path) -> Callable[[], float] | None:
    """For `clerk doctor`: an authenticated round trip to the hub, returning the clock offset."""
    import sqlite3

    from clerk import db
    from clerk import outbox as ob

    try:
        conn = db.inspect(home / "outbox.db")
    except (sqlite3.DatabaseError, ClerkError):
        return None
    try:
        url, token = ob.get_meta(conn, ob.META_HUB_URL), ob.get_meta(conn, ob.META_TOKEN)
    finally:
        conn.close()
    if not url or not token:
        return None

    def check() -> float:
        from sync.client import HubClient

        with HubClient(url, token) as client:
            client.keys()
            return client.last_clock_offset or 0.0

    return check


def _add_hub(sub: Any) -> None:
    try:
        from sync.hub.cli import add_hub_parser
    except ImportError:  # the hub extra is not installed on this terminal
        p = sub.add_parser("hub", help="the reference hub (needs the 'hub' extra)")
        p.set_defaults(func=lambda _a: _fail("the hub needs: pip install 'omni-clerk[hub]'"))
        return
    add_hub_parser(sub)
    # add_hub_parser sets its own func defaults per subcommand when it can; fall back to ours.


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app_start = _is_app_start(argv)
    if app_start:
        import gc

        # Collections during the start-up's allocations would find nothing to free; the app
        # collects on its own schedule from then on (ui.workers.GuiThreadGc).
        gc.disable()
    parser = _app_parser() if app_start else build_parser()
    args = parser.parse_args(argv)
    if app_start:  # the log file is opened once the first screen is up (cmd_app)
        from clerk.logs import buffer_logging

        buffer_logging()
    elif getattr(args, "command", None) != "hub":  # the hub logs JSON lines to stderr
        from clerk.logs import setup_logging

        try:
            setup_logging("terminal")
        except OSError as exc:
            print(
                f"clerk: cannot write logs ({exc}); continuing without a log file", file=sys.stderr
            )
    try:
        result: int = args.func(args)
        return result
    except ClerkError as exc:
        if getattr(args, "json", False):
            _print_json({"error": str(exc), "reason": exc.reason})
            return EXIT_INPUT if exc.reason in ("usage", "config") else EXIT_ERROR
        code = _fail(str(exc), EXIT_INPUT if exc.reason in ("usage", "config") else EXIT_ERROR)
        if app_start:
            _show_start_error(exc)
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if not app_start:
            raise  # a command run from a shell: the traceback is for whoever runs it
        # The app, perhaps from its desktop icon: the traceback goes to the log, the person
        # gets one line and a window saying what to do.
        import logging

        logging.getLogger("clerk.app").exception("the app stopped")
        code = _fail(f"the app stopped: {type(exc).__name__}: {exc} (details in the log)")
        _show_start_error(ClerkError(f"{type(exc).__name__}: {exc}"))
        return code


if __name__ == "__main__":
    sys.exit(main())
