"""Master data in: ``clerk hub import members`` rows per second, and its peak memory.

A members CSV (id, name, phone, card, store, consent, joined_at, tags — every row valid) is
imported into a fresh hub with three stores, on SQLite, then on PostgreSQL when
CLERK_TEST_PG_URL is set: rows/s of the import (:class:`sync.hub.imports.run.Importer`, batches
of 1000, in-process), of a re-import of the same file (every row unchanged: a no-op), and as the
reference, in the same run, the same member rows — hashed phone columns and all, computed
beforehand — inserted directly with executemany, one transaction per 1000 rows. Then the peak
RSS of the whole ``clerk hub import`` process (a subprocess, its own rusage) at 100k and 1M rows
(SQLite): flat when the import streams.

    python bench/import.py            # 100k rows (RSS at 100k and 1M)
    python bench/import.py --quick    # 10k rows (RSS at 10k and 100k)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from clerk.shared import phones  # noqa: E402
from sync.hub.imports.fields import luhn_valid  # noqa: E402
from sync.hub.imports.members import member_id  # noqa: E402
from sync.hub.imports.run import Importer  # noqa: E402
from sync.hub.members import phone_columns  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "import.json"
COLUMNS = ("id", "name", "phone", "card_no", "home_store", "consent_browsing", "joined_at", "tags")
STORES = ("S001", "S002", "S003")
BATCH = 1000


def card(i: int) -> str:
    body = f"62{i:012d}"
    return next(body + str(d) for d in range(10) if luhn_valid(body + str(d)))


def row(i: int) -> list[str]:
    return [
        f"crm-{i}",
        f"会员{i}号",
        f"166{i:08d}",
        card(i),
        STORES[i % 3],
        str(i % 2),
        "2026-01-02T03:04:05+08:00",
        "vip|新客",
    ]


def write_file(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(n):
            w.writerow(row(i))


def fresh_store(db: str) -> HubStore:
    store = HubStore.open(db)
    store.upsert_stores([{"id": s, "name": s} for s in STORES])
    return store


def bare_insert(db: str, n: int) -> float:
    """rows/s of the same member rows inserted with executemany (values computed before)."""
    store = fresh_store(db)
    try:
        hash_key, bucket_key = store.phone_hash_key, store.phone_bucket_key
        cols = (
            "id, code_id, card_no, phone, phone_hash, phone_last4, phone_bucket, phone_masked, "
            "name, tier, points, consent_marketing, consent_browsing, tags, home_store, "
            "joined_at, updated_at"
        )
        rows = []
        for i in range(n):
            r = row(i)
            e164 = phones.normalize_phone(r[2])
            assert e164 is not None
            pc = phone_columns(e164, hash_key=hash_key, bucket_key=bucket_key)
            rows.append(
                (
                    member_id("crm", r[0]),
                    i,
                    r[3],
                    e164,
                    pc["phone_hash"],
                    pc["phone_last4"],
                    pc["phone_bucket"],
                    pc["phone_masked"],
                    r[1],
                    "basic",
                    0,
                    0,
                    int(r[5]),
                    '["vip", "新客"]',
                    r[4],
                    1767294245,
                    1767294245,
                )
            )
        marks = ", ".join("?" for _ in cols.split(", "))
        started = time.perf_counter()
        for k in range(0, n, BATCH):
            with store.write() as tx:
                tx.conn.many(f"INSERT INTO members ({cols}) VALUES ({marks})", rows[k : k + BATCH])
        return n / (time.perf_counter() - started)
    finally:
        store.close()


def timed_import(db: str, path: Path, n: int) -> tuple[float, float]:
    """(rows/s of the first import, rows/s of the same file again)."""
    store = fresh_store(db)
    try:
        rates = []
        for _ in range(2):
            started = time.perf_counter()
            with open(path, "rb") as f:
                out = Importer(store, "members", "crm", batch_size=BATCH).run(f, "csv")
            rates.append(n / (time.perf_counter() - started))
            assert out.refused == 0 and out.inserted + out.unchanged == n, out
        return rates[0], rates[1]
    finally:
        store.close()


def peak_rss(tmp: Path, path: Path) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of ``clerk hub import members`` as its own process."""
    db = tmp / f"rss-{path.stem}.db"
    fresh_store(str(db)).close()
    cmd = [
        sys.executable,
        "-m",
        "sync.hub.cli",
        "hub",
        "import",
        "members",
        str(path),
        "--db",
        str(db),
        "--source",
        "crm",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    # A small launcher forks the import and reports its own rusage: a child forked from this
    # (large) process would count this one's pages until it execs.
    launcher = (
        "import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL);"
        " _, st, ru = os.wait4(p.pid, 0); print(os.waitstatus_to_exitcode(st), ru.ru_maxrss)"
    )
    found = subprocess.run(
        [sys.executable, "-c", launcher, *cmd],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    code, maxrss = (int(x) for x in found.stdout.split())
    if code != 0:
        raise RuntimeError(f"clerk hub import exited {code}")
    return maxrss / 1024, time.perf_counter() - started


def pg_database(base: str, name: str) -> str:
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(base)._replace(path="/" + name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="rows of the big RSS run")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.big = 10_000, 100_000

    rows: list[list[Any]] = []
    runs: dict[str, Any] = {}
    pg = None if args.no_pg else os.environ.get("CLERK_TEST_PG_URL")
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmpname:
        tmp = Path(tmpname)
        small, big = tmp / f"members-{args.rows}.csv", tmp / f"members-{args.big}.csv"
        write_file(small, args.rows)
        backends = [("SQLite", lambda k: str(tmp / f"{k}.db"))]
        if pg:
            os.environ["CLERK_HUB_KEYS_FILE"] = str(tmp / "pg-hub.keys")
            backends.append(("PostgreSQL", lambda k: pg_database(pg, f"omni_import_{k}")))
        for label, make_db in backends:
            first, again = timed_import(make_db("imp"), small, args.rows)
            bare = bare_insert(make_db("bare"), args.rows)
            runs[label] = {"import": first, "reimport": again, "bare": bare}
            note = f"{args.rows:,} members, batches of {BATCH}"
            rows.append([f"{label}: import members", round(first), "rows/s", note])
            rows.append(
                [
                    f"{label}: the same file again (all unchanged)",
                    round(again),
                    "rows/s",
                    "no writes, no change rows",
                ]
            )
            rows.append(
                [
                    f"{label}: the same rows, executemany",
                    round(bare),
                    "rows/s",
                    "reference: bare inserts, a transaction per 1000",
                ]
            )
            rows.append([f"{label}: import / bare", round(first / bare, 2), "ratio", ""])
        if pg:
            with psycopg.connect(pg, autocommit=True) as admin:
                for k in ("imp", "bare"):
                    admin.execute(f"DROP DATABASE IF EXISTS omni_import_{k} WITH (FORCE)")
            os.environ.pop("CLERK_HUB_KEYS_FILE", None)
        rss_small, secs_small = peak_rss(tmp, small)
        small.unlink()
        write_file(big, args.big)
        rss_big, secs_big = peak_rss(tmp, big)
        runs["rss"] = {str(args.rows): rss_small, str(args.big): rss_big}
        rows.append(
            [
                f"SQLite: peak RSS, clerk hub import of {args.rows:,} rows",
                round(rss_small, 1),
                "MiB",
                f"{secs_small:.0f} s, the whole process",
            ]
        )
        rows.append(
            [
                f"SQLite: peak RSS, clerk hub import of {args.big:,} rows",
                round(rss_big, 1),
                "MiB",
                f"{secs_big:.0f} s, the whole process",
            ]
        )

    print("| measure | value | unit | note |")
    print("| --- | ---: | --- | --- |")
    for label, value, unit, note in rows:
        print(f"| {label} | {value:,} | {unit} | {note} |")
    out = RESULTS.with_name("import-quick.json") if args.quick else RESULTS
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "name": "import",
                "rows": rows,
                "reference": "the same member rows inserted with executemany (a transaction per "
                "1000), in the same run",
                "quick": args.quick,
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
