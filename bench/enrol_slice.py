"""A new terminal for a whole store slice: enrolment → ready to scan, a kill mid-download and its
resume, and the pull against a bare executemany of the same rows (issue 16, third target).

* The hub: one store (S001) holding ``--members`` members with ``--events`` browse events each
  (the target: 500,000 / 20 M), seeded FAST — the demo seed writes the stores, staff, sign-up
  text and catalogue (``seed_demo`` with no members), then members, their browse events and one
  change row each are generated here from a seeded ``random.Random`` (the style of
  bench/build_cache.py) and bulk-loaded (``store.bulk``: big indexes dropped, built once). Kept
  under bench/.data/ (``hub-slice-<size>.db``) and reused.
* Enrolment → ready: ``clerk enroll`` then ``clerk sync --once`` (the real CLI, the real engine:
  a first download in bulk), each a subprocess on a fresh data directory; ready = the sync
  exited 0 (caught up: indexes and the search index built).
* A kill: ``clerk sync --once`` on a second fresh terminal, SIGKILLed once its cursor passed
  half of the slice (the cursor read from its cache.db meanwhile), then ``clerk sync --once``
  again. Time lost = (enrol + killed run + resumed run) − the uninterrupted enrolment → ready;
  the rows must match the uninterrupted terminal's.
* Reference, same run: the pulled rows executemany'd into a bare file with the cache schema,
  plain and SQLCipher (the cache's key): the floor for this many rows on this machine.
* ``--format objects``: the terminals pull in the object format (the engine's ``row_format``
  off, as against a hub without ``format=rows``); ``--format both``: a terminal in each format,
  the row format first (the kill-and-resume run in the row format), same rows checked.

    python bench/enrol_slice.py            # 500,000 members / 20 M events (tens of minutes)
    python bench/enrol_slice.py --quick    # 5,000 members / 200,000 events (about a minute)
    python bench/enrol_slice.py --no-kill  # skip the kill-and-resume terminal
    python bench/enrol_slice.py --quick --format both  # row format vs object format
    python bench/enrol_slice.py --no-kill --bulk-commit-pages 1  # a commit per bulk page
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hub_ingest import Hub  # noqa: E402
from sync_push_pull import insert_reference  # noqa: E402

from clerk import cache as cache_mod  # noqa: E402
from clerk.identify import luhn_check_digit  # noqa: E402
from demoworld.seed import seed_demo  # noqa: E402
from sync.hub.members import MEMBER_COLUMNS, phone_columns  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
STORE = "S001"
BENCH_SEED = 16
DAY = 86_400
REUSE_DAYS = 7  # events are spread over the last 80 days: still inside the 90-day retention
CHUNK = 5_000  # members per bulk transaction
CHANNELS = ("app", "web", "mini")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华晓雯雨桐欣怡子涵梓萱浩宇"
EN_FIRST = ("Vivian", "Leo", "Amy", "Jack", "Grace", "Tony", "Iris", "Kevin", "Lily", "Sam")
TIERS = ("basic", "silver", "gold", "platinum")
TIMEOUT_S = 3 * 3600


def _label(members: int) -> str:
    return f"{members // 1000}k" if members % 1000 == 0 else str(members)


def _spec(members: int, events: int) -> str:
    return json.dumps({"members": members, "events": events, "seed": BENCH_SEED, "gen": 2})


# -- the hub ------------------------------------------------------------------------------------


def _members(
    rng: random.Random, start: int, n: int, keys: tuple[str, str], now: int
) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(start, start + n):
        mid = f"M{i:08d}"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        phone = f"+86139{i:08d}"
        m: dict[str, Any] = {
            "id": mid,
            "code_id": 10_000_000 + i,
            "card_no": f"62{i:013d}" + luhn_check_digit(f"62{i:013d}"),
            "phone": phone,
            "name": name,
            "name_en": f"{rng.choice(EN_FIRST)} {name[0]}" if rng.random() < 0.3 else None,
            "tier": rng.choice(TIERS),
            "points": rng.randrange(0, 20_000),
            "consent_marketing": int(rng.random() < 0.6),
            "consent_browsing": 1,  # browsing is sent only with consent: all of it, here
            "tags": "[]",
            "home_store": STORE,
            "birthday": f"19{rng.randrange(60, 100)}-{rng.randrange(1, 13):02d}-15",
            "joined_at": now - rng.randrange(0, 5 * 365 * DAY),
            "last_seen": now - rng.randrange(0, 90 * DAY),  # the terminal's purge keeps them
            "updated_at": now,
        }
        m.update(phone_columns(phone, hash_key=keys[0], bucket_key=keys[1]))
        rows.append(tuple(m.get(c) for c in MEMBER_COLUMNS))
    return rows


def _events(
    rng: random.Random, first_member: int, n: int, per: int, next_id: int, skus: list[str], now: int
) -> Iterator[tuple[Any, ...]]:
    for i in range(first_member, first_member + n):
        mid = f"M{i:08d}"
        for _ in range(per):  # within the last 80 days: inside the terminal's 90-day retention
            at = now - rng.randrange(0, 80 * DAY)
            yield (next_id, mid, rng.choice(skus), rng.choice(CHANNELS), at)
            next_id += 1


def seeded_slice(members: int, events: int) -> Path:
    """A hub whose store S001 holds the whole slice; built once and reused."""
    path = DATA / f"hub-slice-{_label(members)}.db"
    spec = _spec(members, events)
    if path.exists():
        store = HubStore.open(str(path))
        try:
            with store.read() as conn:
                found = conn.scalar("SELECT value FROM settings WHERE key = 'bench_spec'")
                at = conn.scalar("SELECT value FROM settings WHERE key = 'bench_seeded_at'")
            if found == spec and at is not None and time.time() - int(at) < REUSE_DAYS * DAY:
                return path
        finally:
            store.close()
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    building = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"seeding {members:,} members × {events} events into {path.name} …", file=sys.stderr)
    started = time.perf_counter()
    store = HubStore.open(str(building))
    try:
        now = int(time.time())
        seed_demo(store, members=0, seed=BENCH_SEED, now=now, stores=1)
        with store.read() as conn:
            skus = [str(r[0]) for r in conn.rows("SELECT sku FROM products ORDER BY sku")]
        keys = (store.phone_hash_key, store.phone_bucket_key)
        rng = random.Random(BENCH_SEED)
        rebuild = store.bulk.drop_indexes()
        next_id = 1
        for start in range(1, members + 1, CHUNK):
            n = min(CHUNK, members + 1 - start)
            member_rows = _members(rng, start, n, keys, now)
            browse = list(_events(rng, start, n, events, next_id, skus, now))
            next_id += len(browse)
            changes = [(STORE, "member", r[0], "upsert") for r in member_rows]
            changes += [(STORE, "browse", str(b[0]), "upsert") for b in browse]
            with store.bulk.transaction() as tx:
                tx.load("members", MEMBER_COLUMNS, member_rows)
                tx.load("browse_events", ("id", "member_id", "sku", "channel", "at"), browse)
                tx.load("changes", ("store_id", "entity", "key", "op"), changes)
            if (start // CHUNK) % 20 == 0:
                print(f"seed: {start + n - 1:,}/{members:,} members", file=sys.stderr)
        store.bulk.create_indexes(rebuild)
        with store.write() as tx:
            for key, value in (("bench_spec", spec), ("bench_seeded_at", str(now))):
                tx.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
        with store.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    building.replace(path)
    Path(f"{building}.keys").replace(f"{path}.keys")
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def slice_rows(db: Path) -> int:
    store = HubStore.open(str(db))
    try:
        with store.read() as conn:
            return int(
                conn.scalar(
                    "SELECT count(*) FROM changes WHERE store_id = ? OR store_id IS NULL", (STORE,)
                )
            )
    finally:
        store.close()


def enrol_code(db: Path) -> str:
    store = HubStore.open(str(db))
    try:
        return store.devices.create_enrol_code(STORE)
    finally:
        store.close()


# -- terminals ----------------------------------------------------------------------------------


# SyncEngine keyword defaults the terminals' CLI runs with (``--bulk-commit-pages``).
ENGINE_DEFAULTS: dict[str, Any] = {}


def _clerk(home: Path, *args: str, objects: bool = False) -> subprocess.Popen[bytes]:
    """The CLI; with the engine's pages in the object format (``row_format`` off) or other
    engine defaults (ENGINE_DEFAULTS) set before it runs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CLERK_HOME": str(home)}
    defaults = {**ENGINE_DEFAULTS, **({"row_format": False} if objects else {})}
    command = ["-m", "clerk.cli"]
    if defaults:
        command = [
            "-c",
            "import runpy, sync.engine as e; "
            f"e.SyncEngine.__init__.__kwdefaults__.update({defaults!r}); "
            "runpy.run_module('clerk.cli', run_name='__main__')",
        ]
    return subprocess.Popen(
        [sys.executable, *command, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _run(home: Path, *args: str, objects: bool = False) -> float:
    started = time.perf_counter()
    proc = _clerk(home, *args, objects=objects)
    _out, err = proc.communicate(timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(
            f"clerk {' '.join(args)} exited {proc.returncode}: {err.decode()[-800:]}"
        )
    return time.perf_counter() - started


def enrol(home: Path, hub: Hub, db: Path) -> float:
    home.mkdir(parents=True)
    return _run(home, "enroll", "--hub", hub.url, "--store", STORE, "--code", enrol_code(db))


def cursor_of(home: Path) -> int:
    try:
        conn = cache_mod.connect_readonly(home / "cache.db")
    except Exception:
        return 0
    try:
        return int(cache_mod.get_state(conn, "cursor") or 0)
    except Exception:
        return 0
    finally:
        conn.close()


def killed_and_resumed(home: Path, hub: Hub, db: Path, half: int) -> dict[str, float]:
    """Enrol, pull until the cursor passes ``half``, SIGKILL, pull again to the end."""
    enrol_s = enrol(home, hub, db)
    started = time.perf_counter()
    proc = _clerk(home, "sync", "--once")
    while cursor_of(home) < half:
        if proc.poll() is not None:
            raise RuntimeError("the sync ended before it could be killed")
        time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
    killed_s = time.perf_counter() - started
    at_kill = cursor_of(home)
    resume_s = _run(home, "sync", "--once")
    return {
        "enrol_s": enrol_s,
        "killed_after_s": killed_s,
        "cursor_at_kill": at_kill,
        "resume_s": resume_s,
    }


def table_rows(home: Path) -> dict[str, int]:
    conn = cache_mod.connect_readonly(home / "cache.db")
    try:
        return {
            t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t, _pk, _c in cache_mod.TABLES.values()
        } | {
            "member_search_ids": int(
                conn.execute("SELECT count(*) FROM member_search_ids").fetchone()[0]
            )
        }
    finally:
        conn.close()


def same_rows(a: Path, b: Path) -> bool:
    """The two terminals' caches hold the same rows (a digest per table, in key order)."""
    import hashlib

    out = []
    for home in (a, b):
        conn = cache_mod.connect_readonly(home / "cache.db")
        try:
            digests = {}
            for table, pk, columns in cache_mod.TABLES.values():
                h = hashlib.blake2b(digest_size=16)
                for r in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {pk}"):
                    h.update(repr(tuple(r)).encode())
                digests[table] = h.hexdigest()
            out.append(digests)
        finally:
            conn.close()
    return out[0] == out[1]


def floor(db: Path, target: Path, *, key: str | None) -> tuple[float, int, float]:
    """The floor without a pull: the slice's members and browse events read from the hub (the
    cache's columns) and executemany'd into a bare file with the cache schema, its secondary
    indexes (not UNIQUE) dropped first and built after, as a first download in bulk does;
    returns (insert s, rows, index build s) — only the inserts and the build are timed."""
    from clerk.db import Transaction, connect, database

    target.parent.mkdir(parents=True, exist_ok=True)
    dst = connect(target, synchronous="NORMAL", key=key)
    cache_mod.migrations.apply(database(dst))
    with Transaction(dst):
        cache_mod.begin_bulk(dst)
    store = HubStore.open(str(db))
    elapsed, count, build = 0.0, 0, 0.0
    try:
        for entity in ("member", "browse"):
            table, _pk, columns = cache_mod.TABLES[entity]
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            with store.read() as conn:
                cur = conn.raw.execute(f"SELECT {', '.join(columns)} FROM {table}")
                while chunk := cur.fetchmany(50_000):
                    started = time.perf_counter()
                    with Transaction(dst):
                        dst.executemany(sql, chunk)
                    elapsed += time.perf_counter() - started
                    count += len(chunk)
        started = time.perf_counter()
        with Transaction(dst):
            cache_mod.finish_bulk(dst)
        build = time.perf_counter() - started
    finally:
        store.close()
        dst.close()
    return elapsed, count, build


# -- main ---------------------------------------------------------------------------------------


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), reverse=True):
        if child.is_dir():
            child.rmdir()
        else:
            child.unlink()
    path.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 members (about a minute)")
    parser.add_argument("--members", type=int, default=500_000)
    parser.add_argument("--events", type=int, default=40, help="browse events per member")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill-and-resume run")
    parser.add_argument(
        "--floor-only", action="store_true", help="only the bare executemany of the slice's rows"
    )
    parser.add_argument(
        "--format",
        choices=["rows", "objects", "both"],
        default="rows",
        help="the changes pages' wire format (both: one terminal in each, rows first)",
    )
    parser.add_argument(
        "--bulk-commit-pages",
        type=int,
        default=None,
        help="the engine's bulk_commit_pages (1: a commit per page, as before issue 16's change)",
    )
    args = parser.parse_args()
    if args.bulk_commit_pages is not None:
        ENGINE_DEFAULTS["bulk_commit_pages"] = args.bulk_commit_pages
    if args.quick:
        args.members = 5_000
    db = seeded_slice(args.members, args.events)
    if args.floor_only:
        with tempfile.TemporaryDirectory(prefix="enrol-floor-", dir=DATA) as tmp_name:
            tmp = Path(tmp_name)
            plain = floor(db, tmp / "plain.db", key=None)
            cipher = floor(db, tmp / "cipher.db", key="ab" * 32)
        print(
            f"floor: {plain[1]:,} rows by executemany without secondary indexes, then built: "
            f"plain {plain[0]:.1f} s + {plain[2]:.1f} s, SQLCipher {cipher[0]:.1f} s + "
            f"{cipher[2]:.1f} s (load average {os.getloadavg()[0]:.1f})"
        )
        return 0
    expected = slice_rows(db)
    load = os.getloadavg()
    runs: dict[str, Any] = {"changes": expected, "loadavg_start": load}
    with tempfile.TemporaryDirectory(prefix="enrol-slice-", dir=DATA) as tmp_name:
        tmp = Path(tmp_name)
        hub = Hub(str(db))
        try:
            home = tmp / "terminal"
            enrol_s = enrol(home, hub, db)
            pull_s = _run(home, "sync", "--once", objects=args.format == "objects")
            runs |= {"enrol_s": enrol_s, "pull_s": pull_s, "rows": table_rows(home)}
            runs["format"] = "objects" if args.format == "objects" else "rows"
            print(
                f"enrolled in {enrol_s:.1f} s, pulled {expected:,} changes in {pull_s:.1f} s "
                f"({runs['format']} format)",
                file=sys.stderr,
            )
            if args.format == "both":
                other = tmp / "objects"
                o_enrol = enrol(other, hub, db)
                o_pull = _run(other, "sync", "--once", objects=True)
                runs["objects"] = {
                    "enrol_s": o_enrol,
                    "pull_s": o_pull,
                    "same_rows": same_rows(home, other),
                }
                print(
                    f"object format: enrolled in {o_enrol:.1f} s, pulled in {o_pull:.1f} s, "
                    f"same rows: {runs['objects']['same_rows']}",
                    file=sys.stderr,
                )
                _remove_tree(other)
            if not args.no_kill:
                killed = killed_and_resumed(tmp / "killed", hub, db, expected // 2)
                killed["same_rows"] = same_rows(home, tmp / "killed")
                runs["kill"] = killed
                print(f"kill: {killed}", file=sys.stderr)
        finally:
            hub.stop()
        runs["loadavg_end"] = os.getloadavg()
        plain_s, count = insert_reference(home / "cache.db", tmp / "ref-plain.db")
        cipher_s, _ = insert_reference(
            home / "cache.db", tmp / "ref-cipher" / "ref.db", encrypted=True
        )
        runs |= {
            "executemany_plain_s": plain_s,
            "executemany_cipher_s": cipher_s,
            "ref_rows": count,
        }
    total = runs["enrol_s"] + runs["pull_s"]
    size = f"{args.members:,} members / {runs['rows']['browse_events']:,} events"
    rows: list[list[Any]] = [
        [
            f"enrolment → ready to scan ({size})",
            round(total, 1),
            "s",
            "clerk enroll + clerk sync --once; target ≤ 600 s at 500k / 20 M",
        ],
        [
            "pull (clerk sync --once)",
            round(runs["pull_s"], 1),
            "s",
            f"{expected:,} change rows, first download in bulk",
        ],
        ["pull throughput", round(expected / runs["pull_s"]), "rows/s", ""],
        [
            "same rows by executemany, plain file",
            round(plain_s, 1),
            "s",
            f"reference: {count:,} rows, cache schema, no HTTP/JSON",
        ],
        [
            "same rows by executemany, SQLCipher file",
            round(cipher_s, 1),
            "s",
            "reference: the same, encrypted with the cache's key",
        ],
        ["pull / executemany plain", round(runs["pull_s"] / plain_s, 2), "ratio", "target ≤ 3"],
        ["pull / executemany SQLCipher", round(runs["pull_s"] / cipher_s, 2), "ratio", ""],
    ]
    if "objects" in runs:
        o = runs["objects"]
        rows += [
            [
                "pull in the object format (clerk sync --once)",
                round(o["pull_s"], 1),
                "s",
                f"same run, after the row format; same rows: {o['same_rows']}",
            ],
            [
                "object format: pull / executemany plain",
                round(o["pull_s"] / plain_s, 2),
                "ratio",
                "",
            ],
            [
                "pull: row format / object format",
                round(runs["pull_s"] / o["pull_s"], 2),
                "ratio",
                "",
            ],
        ]
    if "kill" in runs:
        k = runs["kill"]
        interrupted = k["enrol_s"] + k["killed_after_s"] + k["resume_s"]
        rows.append(
            [
                "enrolment → ready with a SIGKILL mid-download",
                round(interrupted, 1),
                "s",
                f"killed at cursor {k['cursor_at_kill']:,} after {k['killed_after_s']:.0f} s;"
                f" same rows: {k['same_rows']}",
            ]
        )
        rows.append(
            [
                "time lost to the kill",
                round(interrupted - total, 1),
                "s",
                "restart, the page in flight, the indexes built once either way",
            ]
        )
    rows.append(
        [
            "load average (1 min) at start / end",
            f"{load[0]:.1f} / {runs['loadavg_end'][0]:.1f}",
            "",
            f"{os.cpu_count()} cores, shared",
        ]
    )
    print("| measure | value | unit | note |")
    print("| --- | ---: | --- | --- |")
    for name, value, unit, note in rows:
        shown = f"{value:,}" if isinstance(value, int | float) else value
        print(f"| {name} | {shown} | {unit} | {note} |")
    name = "enrol_slice" + ("-quick" if args.quick else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(
        json.dumps(
            {
                "name": name,
                "rows": rows,
                "reference": "the same rows inserted with executemany into a bare file with the "
                "cache schema, plain and SQLCipher — in the same run",
                "target": {"enrol_to_ready_s": 600, "pull_over_executemany": 3},
                "quick": args.quick,
                "cpus": os.cpu_count(),
                "runs": runs,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
