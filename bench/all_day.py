"""All day long: one running app through 10,000 scans, the recordings they lead to and the
syncs that carry them — does anything grow, does anything slow down?

    python bench/all_day.py [--quick] [--scans 10000]

The app is the real one (``ui.app.build_app``: the window, its controllers and views, the
associate signed in, the sync worker on its thread), offscreen, on a terminal enrolled to a
real hub on loopback (``sync.hub.embedded``, the demo world seeded, in the parent process).
Each scan is a fresh member code signed with the hub's key (a card number one time in four)
submitted as the keyboard wedge does; about one customer in three leads to a record through
the customer screen's forms — a note, a product interest, an assisted sale, a coupon
redemption — and every record wakes the sync worker, which pushes it (and pulls) through the
hub. A form that refuses (no product to pick for this member) is closed and counted, not
waited on. ``--quick`` (``make bench --quick``): 1,000 scans, 300 members.

Checkpoints (after 500 scans, then every quarter, and at the end): resident memory (RSS),
Python objects, Qt widgets (``QApplication.allWidgets``) and the window's QObjects
(``findChildren(QObject)``), open file descriptors (/proc/self/fd), threads (the OS's count,
Qt's and Python's), after a garbage collection on the GUI thread. Scan → customer painted
p95 over the first 500 scans and over the last 500. Targets: RSS growth from the 500-scan
checkpoint to the end ≤ 20 MB; objects, descriptors and threads flat; p95 unchanged.

Reference, in the same run: an idle app beside it over the same wall time — the same set-up,
500 scans before the busy app starts and 500 after it ended, nothing in between but its sync
rounds (it locks when idle, as the app does; the associate signs in again).

Each app runs in a child process of its own (``--role busy|idle``) so neither inherits the
other's memory, and the hub's memory is not counted in either. Prints a markdown table;
writes bench/results/all_day[-quick].json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from report import pct, write

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STORE = "S001"
STAFF = "A01"
WINDOW = 500  # scans in the "start" and "end" p95 windows; the first checkpoint
RSS_TARGET_MB = 20.0


# --- what a checkpoint measures --------------------------------------------------------------


def _status_field(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return -1


def checkpoint(label: str, window: Any, scans: int, started: float) -> dict[str, Any]:
    """The process's figures now, after a full collection on the GUI thread."""
    from ui.qt import QApplication, QObject, QThreadPool

    gc.collect()
    return {
        "label": label,
        "scans": scans,
        "elapsed_s": round(time.monotonic() - started, 1),
        "rss_mb": round(_status_field("VmRSS") / 1024, 1),
        "py_objects": len(gc.get_objects()),
        "widgets": len(QApplication.allWidgets()),
        "qobjects": len(window.findChildren(QObject)),
        "fds": len(os.listdir("/proc/self/fd")),
        "os_threads": _status_field("Threads"),
        "py_threads": threading.active_count(),
        "pool_threads": QThreadPool.globalInstance().activeThreadCount(),
    }


# --- one app (a child process) ----------------------------------------------------------------


class Driver:
    """The app on a terminal enrolled to the hub at ``world["url"]``, driven like an
    associate with a scanner. Member codes are signed here with the hub's key (as the
    members' phones get them from the hub): fresh for every scan, no hub call."""

    def __init__(self, tmp: Path, world: dict[str, Any], seed: int) -> None:
        from clerk.cli.common import open_terminal
        from clerk.shared import membercode
        from sync.local import engine_for, enroll
        from ui.app import build_app, create_application
        from ui.workers import GuiThreadGc

        self.rng = random.Random(seed)
        self.kid = int(world["kid"])
        self.key = membercode.private_key_from_hex(world["private_key"])
        self.code_ids: dict[str, int] = world["code_ids"]
        self.members = sorted(self.code_ids)
        home = tmp / "home"
        enroll(home, world["url"], STORE, world["enrol_code"], device_name="all day")
        with engine_for(home) as engine:
            engine.sync_once()
        self.terminal = open_terminal(home)
        self.terminal.settings.set("sync_interval_s", 10)
        create_application()
        self.session = build_app(
            self.terminal, lambda: engine_for(home), lang="zh_CN", layout="desktop"
        )
        self.window = self.session.window
        self.app = self.session.app
        self.window.resize(1366, 860)
        self.window.show()
        for step in self.window.deferred_steps():
            step()
        self.window.status.start()
        self.sign_ins = 0
        self.sign_in()
        self.session.start_sync()
        guard = self.app.findChild(GuiThreadGc)
        if guard is not None:
            guard.freeze()  # as run_app does once started
        self.cards = dict(
            self.terminal.cache.execute("SELECT id, card_no FROM members WHERE card_no IS NOT NULL")
        )
        self.syncs = 0
        self.window.status.synced.connect(lambda _r: setattr(self, "syncs", self.syncs + 1))
        self.records: dict[str, int] = {}
        self.unsaved: dict[str, int] = {}
        self.failed_paints = 0
        self.wait_until(lambda: self.session.sync is not None, 30_000)

    def sign_in(self) -> None:
        """The associate signs in (again, after the idle lock: an app left alone locks)."""
        from clerk.staff import Session

        access = self.session.access
        assert access is not None
        name = self.terminal.staff_name(STAFF) or STAFF
        access.sign_in_without_pin(Session(STAFF, name, "associate", int(time.time())))
        self.sign_ins += 1

    def signed_in(self) -> bool:
        access = self.session.access
        return access is not None and access.session is not None

    # waiting on the event loop, never sleeping

    def wait_until(self, condition: Any, timeout_ms: int) -> bool:
        from ui.qt import QEventLoop, QTimer

        if condition():
            return True
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(5)
        poll.timeout.connect(lambda: loop.quit() if condition() else None)
        QTimer.singleShot(timeout_ms, loop.quit)
        poll.start()
        loop.exec()
        poll.stop()
        return bool(condition())

    def wait_signal(self, signal: Any, timeout_ms: int) -> bool:
        from ui.qt import QEventLoop, QTimer

        hit = {"v": False}
        loop = QEventLoop()

        def done(*_args: Any) -> None:
            hit["v"] = True
            loop.quit()

        signal.connect(done)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        signal.disconnect(done)
        return hit["v"]

    def idle(self, seconds: float) -> None:
        """Let the app run (its timers, its sync rounds) for ``seconds``."""
        from ui.qt import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    # one scan, maybe a record

    def scan_text(self) -> str:
        from clerk.shared import membercode

        member = self.rng.choice(self.members)
        card = self.cards.get(member)
        if card and self.rng.random() < 0.25:
            return str(card)
        exp = int(time.time()) + 120
        return membercode.issue(self.key, self.kid, self.code_ids[member], exp=exp)

    def scan(self) -> float | None:
        """A code scanned → the customer painted, in ms (None: not painted in time)."""
        from ui.qt import QEventLoop, QTimer

        window = self.window
        if window.nav.page != "scan":
            window.nav.next_customer()
        page = window.screens.customer_view
        painted = {"v": False}
        loop = QEventLoop()

        def hit() -> None:
            painted["v"] = True
            loop.quit()

        page.painted.connect(hit)
        QTimer.singleShot(5000, loop.quit)
        t0 = time.perf_counter()
        window.screens.scan.submit_text(self.scan_text(), "wedge")
        if not painted["v"]:
            loop.exec()
        elapsed = (time.perf_counter() - t0) * 1000
        page.painted.disconnect(hit)
        if not painted["v"]:
            self.failed_paints += 1
            return None
        return elapsed

    def maybe_record(self) -> None:
        from ui.qt import Qt, QTest

        customer = self.window.screens.customer
        if customer.member_id is None:
            return
        composer = self.window.screens.customer_view.composer
        roll = self.rng.random()
        if roll < 0.18:
            customer.action("note")
            composer.note.text.setPlainText(f"asked about sizes #{self.rng.randint(1, 999)}")
        elif roll < 0.28:
            customer.action("interest")
            if composer.interest.product.count() == 0:
                customer.cancel()  # no product to pick for this member
                return
        elif roll < 0.32:
            customer.action("sale")
            products = composer.sale.products
            model = products.model()
            if model is None or model.rowCount() == 0:
                customer.cancel()
                return
            if not customer.models.sale_products.checked():  # (the cart's lines come ticked)
                row = model.index(self.rng.randrange(model.rowCount()), 0)
                QTest.mouseClick(  # the associate ticks what was sold
                    products.viewport(),
                    Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier,
                    products.visualRect(row).center(),
                )
            composer.sale.amount.setText(f"{self.rng.randint(50, 3000)}.00")
        elif roll < 0.35:
            customer.action("redeem")
            if composer.form != "redeem":
                return  # no coupon to redeem for this member
        else:
            return
        kind = composer.form
        if not kind:
            return
        customer.save()
        if composer.form:  # the form refused it (a toast said why): nothing to wait for
            self.unsaved[kind] = self.unsaved.get(kind, 0) + 1
            customer.cancel()
        elif self.wait_signal(customer.recorded, 5000):
            self.records[kind] = self.records.get(kind, 0) + 1
        else:  # not saved in time
            self.unsaved[kind] = self.unsaved.get(kind, 0) + 1

    def close(self) -> None:
        self.session.runners.wait()
        self.session.close()
        for _ in range(5):
            self.app.processEvents()
        self.terminal.close()


def run_child(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    tmp = Path(tempfile.mkdtemp(prefix=f"all-day-{args.role}-"))
    world = json.loads(Path(args.world).read_text(encoding="utf-8"))
    driver = Driver(tmp, world, seed=11 if args.role == "busy" else 12)
    started = time.monotonic()
    points: list[dict[str, Any]] = []
    first: list[float] = []
    last: list[float] = []
    record_s = 0.0
    if args.role == "busy":
        marks = {WINDOW, *(args.scans * k // 4 for k in (1, 2, 3)), args.scans}
        for i in range(args.scans):
            ms = driver.scan()
            if ms is not None:
                if i < WINDOW:
                    first.append(ms)
                elif i >= args.scans - WINDOW:
                    last.append(ms)
            t0 = time.monotonic()
            driver.maybe_record()
            record_s += time.monotonic() - t0
            if i + 1 in marks:
                points.append(checkpoint(f"after {i + 1:,} scans", driver.window, i + 1, started))
                print(json.dumps(points[-1]), file=sys.stderr, flush=True)
    else:
        for _ in range(WINDOW):
            ms = driver.scan()
            if ms is not None:
                first.append(ms)
        points.append(checkpoint(f"after {WINDOW} scans", driver.window, WINDOW, started))
        Path(args.ready).touch()  # the busy app starts now …
        last_point = time.monotonic()
        while not Path(args.until).exists():  # … and the idle one idles until it is done
            driver.idle(2.0)
            if time.monotonic() - last_point >= 60:
                last_point = time.monotonic()
                label = f"idle, {last_point - started:,.0f} s"
                points.append(checkpoint(label, driver.window, WINDOW, started))
        if not driver.signed_in():  # the idle lock: the associate signs in again
            driver.sign_in()
        for _ in range(WINDOW):
            ms = driver.scan()
            if ms is not None:
                last.append(ms)
        points.append(checkpoint("end", driver.window, 2 * WINDOW, started))
    result = {
        "role": args.role,
        "wall_s": round(time.monotonic() - started, 1),
        "points": points,
        "p95_first": pct(first, 0.95),
        "p50_first": pct(first, 0.5),
        "p95_last": pct(last, 0.95),
        "p50_last": pct(last, 0.5),
        "records": driver.records,
        "unsaved": driver.unsaved,
        "record_s": round(record_s, 1),
        "syncs": driver.syncs,
        "failed_paints": driver.failed_paints,
        "sign_ins": driver.sign_ins,
        "outbox": driver.terminal.status().pending,
    }
    driver.close()
    shutil.rmtree(tmp, ignore_errors=True)
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --- the parent: both apps, one table ---------------------------------------------------------


def start_child(
    role: str, args: argparse.Namespace, hub: Any, tmp: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start one app (``role``) in a process of its own against ``hub``; the process and
    the file its results will be in."""
    from clerk.shared import membercode

    key = hub.store.keys.active()
    world = {
        "url": hub.url,
        "enrol_code": hub.enrol_code(STORE),
        "kid": key.kid,
        "private_key": membercode.private_key_to_hex(hub.store.keys.private_key(key.kid)),
        "code_ids": {
            m: hub.store.members.code_id(m)
            for m in hub.store.members.ids(STORE, limit=args.members)
        },
    }
    world_file, out = tmp / f"{role}-world.json", tmp / f"{role}.json"
    world_file.write_text(json.dumps(world), encoding="utf-8")
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--role",
        role,
        "--scans",
        str(args.scans),
        "--world",
        str(world_file),
        "--out",
        str(out),
        "--ready",
        str(tmp / "idle-ready"),
        "--until",
        str(tmp / "busy-done"),
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, cwd=ROOT, env=env), out


def finish_child(proc: subprocess.Popen[bytes], out: Path) -> dict[str, Any]:
    code = proc.wait()
    if code:
        raise SystemExit(f"all day: an app ended with exit code {code}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    """Until ``path`` exists (a child's sign), or the child ended without making it."""
    while not path.exists():
        if proc.poll() is not None:
            raise SystemExit(f"all day: the idle app ended early (exit {proc.returncode})")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 scans")
    parser.add_argument("--scans", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=0, help="hub members (default 2,000)")
    parser.add_argument("--role", choices=("busy", "idle"), help=argparse.SUPPRESS)
    parser.add_argument("--ready", help=argparse.SUPPRESS)
    parser.add_argument("--until", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--world", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick and args.scans == 10_000:
        args.scans = 1_000
    args.members = args.members or (300 if args.quick else 2_000)
    if args.role:
        return run_child(args)

    from demoworld.seed import seed_if_empty
    from sync.hub.embedded import running_hub

    tmp = Path(tempfile.mkdtemp(prefix="all-day-"))
    db = tmp / "hub.db"
    print(f"all day: seeding {args.members:,} members into the hub …", flush=True)
    seed_if_empty(str(db), members=args.members, seed=1)
    # The hub runs here, in this process; each app in a process of its own. The idle app
    # makes its first 500 scans, idles while the busy app runs, then makes its last 500.
    try:
        with running_hub(str(db)) as hub:
            idle_proc, idle_out = start_child("idle", args, hub, tmp)
            wait_for(tmp / "idle-ready", idle_proc)
            busy_proc, busy_out = start_child("busy", args, hub, tmp)
            busy = finish_child(busy_proc, busy_out)
            (tmp / "busy-done").touch()
            idle = finish_child(idle_proc, idle_out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = table(busy, idle)
    write(
        "all_day",
        f"All day long: {args.scans:,} scans through one app ({args.members:,} members)",
        rows,
        quick=args.quick,
        reference=(
            f"an idle app beside it over the same wall time ({idle['wall_s']:,.0f} s): the "
            f"same set-up, {WINDOW} scans before the busy app starts and {WINDOW} after it "
            "ended, nothing but its sync rounds (and its idle lock) in between"
        ),
        targets={"rss growth mb": RSS_TARGET_MB},
        busy=busy,
        idle=idle,
        notes=[checkpoints_table(busy, idle)],
    )
    return 0


def _base(result: dict[str, Any]) -> dict[str, Any]:
    """The checkpoint after the first 500 scans (where growth is measured from)."""
    return next(p for p in result["points"] if p["scans"] == WINDOW)


def _growth(result: dict[str, Any], key: str) -> float:
    return float(result["points"][-1][key] - _base(result)[key])


def table(busy: dict[str, Any], idle: dict[str, Any]) -> list[list[Any]]:
    b0, b1 = _base(busy), busy["points"][-1]
    i0, i1 = _base(idle), idle["points"][-1]
    records = ", ".join(f"{k} {v:,}" for k, v in sorted(busy["records"].items()))
    unsaved = busy.get("unsaved") or {}
    if unsaved:
        records += "; not saved: " + ", ".join(f"{k} {v:,}" for k, v in sorted(unsaved.items()))
    rows: list[list[Any]] = [
        ["RSS after 500 scans", b0["rss_mb"], "MB", f"idle app: {i0['rss_mb']} MB"],
        ["RSS at the end", b1["rss_mb"], "MB", f"idle app: {i1['rss_mb']} MB"],
        [
            "RSS growth, 500 scans → end",
            round(_growth(busy, "rss_mb"), 1),
            "MB",
            f"target ≤ {RSS_TARGET_MB:g} MB; idle app: {_growth(idle, 'rss_mb'):+.1f} MB",
        ],
    ]
    for key, label in (
        ("py_objects", "Python objects"),
        ("widgets", "Qt widgets (allWidgets)"),
        ("qobjects", "QObjects under the window"),
        ("fds", "open file descriptors"),
        ("os_threads", "threads (OS)"),
    ):
        rows.append(
            [
                f"{label}: 500 scans → end",
                f"{b0[key]:,} → {b1[key]:,}",
                "",
                f"idle app: {i0[key]:,} → {i1[key]:,}",
            ]
        )
    rows += [
        [
            "scan → painted p95, first 500",
            round(busy["p95_first"], 1),
            "ms",
            f"p50 {busy['p50_first']:.1f} ms; idle app: {idle['p95_first']:.1f} ms",
        ],
        [
            "scan → painted p95, last 500",
            round(busy["p95_last"], 1),
            "ms",
            f"p50 {busy['p50_last']:.1f} ms; idle app (after idling): {idle['p95_last']:.1f} ms",
        ],
        ["records made", sum(busy["records"].values()), "", records],
        ["sync rounds", busy["syncs"], "", f"idle app: {idle['syncs']}"],
        ["left unsynced at the end", busy["outbox"], "records", ""],
        [
            "scans not painted within 5 s",
            busy["failed_paints"],
            "",
            f"idle app: {idle['failed_paints']} (signed in {idle.get('sign_ins', 1)}×)",
        ],
        ["wall time", busy["wall_s"], "s", ""],
    ]
    return rows


def checkpoints_table(busy: dict[str, Any], idle: dict[str, Any]) -> str:
    lines = [
        "Checkpoints (after a garbage collection on the GUI thread):",
        "",
        "| app | checkpoint | s | RSS MB | Python objects | widgets | QObjects | fds | threads |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in (("busy", busy), ("idle", idle)):
        for p in result["points"]:
            lines.append(
                f"| {name} | {p['label']} | {p['elapsed_s']:,.0f} | {p['rss_mb']} | "
                f"{p['py_objects']:,} | {p['widgets']:,} | {p['qobjects']:,} | {p['fds']} | "
                f"{p['os_threads']} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
