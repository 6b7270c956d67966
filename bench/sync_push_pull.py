"""Sync throughput of the terminal engine against a hub on loopback (issue 6, terminal side).

* push: 10,000 interactions queued in a real outbox.db are pushed by ``SyncEngine.push_once``
  (batches of 500: next_batch → mark_sent → HTTP → apply_results) to a ``clerk hub serve``
  subprocess. Median of 3 runs, a fresh terminal each. Target ≤ 5 s.
  Reference, same run: the same number of interactions POSTed by bare httpx in the same batch
  sizes (no outbox bookkeeping) — the HTTP + hub floor.
* pull: the store's slice of a big seeded hub (≥ 1,000,000 change rows; 70,000 members × ~40
  events, one third of them homed at S001) pulled by ``SyncEngine.pull_once`` into a fresh
  cache.db, in pages of the engine's default size (5000, the protocol's largest; the next page
  is fetched while one is applied). Median time of 3 runs; RSS growth after the pull and peak
  RSS growth during it. Targets ≤ 60 s and ≤ 100 MB. Reference, same run: the very same rows
  inserted with ``executemany`` into a bare SQLite file with the cache schema (plain, no HTTP,
  no JSON; the terminal's cache.db is encrypted with SQLCipher, so the ratio includes that too).
  ``--format both`` (the default) pulls in the compact row format (``format=rows``, what the
  engine asks for) and in the object format in each run, alternating which goes first.

The seeded hub database is kept under bench/.data/ and reused when its member count matches.

    python bench/sync_push_pull.py            # the target sizes
    python bench/sync_push_pull.py --quick    # a small smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from hub_ingest import Hub  # noqa: E402  (the `clerk hub serve` subprocess helper)

from clerk import cache as cache_mod  # noqa: E402
from clerk import keystore  # noqa: E402
from clerk import outbox as outbox_mod  # noqa: E402
from clerk.db import Transaction, connect, database  # noqa: E402
from clerk.ids import uuid7_str  # noqa: E402
from sync.client import HubClient  # noqa: E402
from sync.engine import DEFAULT_PULL_LIMIT, SyncEngine  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

DATA = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results"
BENCH_NOW = 1_763_900_000
BENCH_SEED = 6
STORE = "S001"
PUSH_BATCH = 500


# -- memory -------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    return _status_kb("VmHWM") / 1024


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


# -- hubs ----------------------------------------------------------------------------------------


def seeded_hub(path: Path, members: int, *, events: float = 40.0) -> Path:
    """A hub database with ``members`` seeded members, built once and reused."""
    if path.exists():
        store = HubStore.open(str(path))
        try:
            if store.count("members") == members:
                return path
        finally:
            store.close()
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm", ".keys"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    print(f"seeding {members:,} members into {path.name} …", file=sys.stderr)
    started = time.perf_counter()
    # In a subprocess (the hub's CLI), so this process's heap stays as small as a terminal's
    # and the RSS measured around the pull is the pull's own.
    cmd = [sys.executable, "-m", "sync.hub.cli", "hub", "seed", "--db", str(building)]
    cmd += ["--members", str(members), "--seed", str(BENCH_SEED), "--now", str(BENCH_NOW)]
    cmd += ["--events-per-member", str(events)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    store = HubStore.open(str(building))
    try:
        with store.read() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    building.replace(path)
    Path(f"{building}.keys").replace(f"{path}.keys")  # the hub's key file goes with it
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def enrol_codes(db: Path, n: int) -> list[str]:
    store = HubStore.open(str(db))
    try:
        return [store.devices.create_enrol_code(STORE) for _ in range(n)]
    finally:
        store.close()


def slice_size(db: Path) -> int:
    store = HubStore.open(str(db))
    try:
        with store.read() as conn:
            return int(
                conn.scalar(
                    "SELECT count(*) FROM changes WHERE store_id = ? OR store_id IS NULL",
                    (STORE,),
                )
            )
    finally:
        store.close()


class Till:
    """A fresh terminal (cache.db + outbox.db) enrolled at the hub."""

    def __init__(self, root: Path, hub_url: str, code: str) -> None:
        root.mkdir(parents=True)
        self.root = root
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub_url))
        self.engine.enroll(hub_url, STORE, code, device_name=root.name)

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


# -- push ----------------------------------------------------------------------------------------


def members_of(db: Path, n: int) -> list[str]:
    """Up to ``n`` members of the bench's store: a terminal records only about those (the
    hub refuses the others, ``member_not_served``)."""
    store = HubStore.open(str(db))
    try:
        with store.read() as conn:
            return [
                str(r[0])
                for r in conn.rows(
                    "SELECT id FROM members WHERE home_store = ? ORDER BY id LIMIT ?", (STORE, n)
                )
            ]
    finally:
        store.close()


def queue(outbox: sqlite3.Connection, members: list[str], n: int) -> None:
    """Queue n interactions the way the app records them (one transaction each is slow to
    set up, so they go in one transaction here: only the push is timed)."""
    now = int(time.time())
    rows = []
    for i in range(n):
        kind, payload = ("visit", {"via": "card"}) if i % 3 else ("note", {"text": f"note {i}"})
        rows.append(
            (uuid7_str(), i + 1, kind, members[i % len(members)], "A01", json.dumps(payload), now)
        )
    with Transaction(outbox):
        outbox.executemany(
            "INSERT INTO interactions (id, device_seq, kind, member_id, staff_id, payload, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def push_run(hub: Hub, db: Path, tmp: Path, run: int, n: int, members: list[str]) -> float:
    till = Till(tmp / f"push-{run}", hub.url, enrol_codes(db, 1)[0])
    try:
        queue(till.outbox, members, n)
        started = time.perf_counter()
        settled = 0
        while True:
            step = till.engine.push_once()
            if step.sent == 0:
                break
            settled += step.settled
        elapsed = time.perf_counter() - started
        st = outbox_mod.status(till.outbox)
        if settled != n or st.acked != n or st.pending != 0:
            raise RuntimeError(f"push run {run}: settled {settled}, acked {st.acked} of {n}")
        return elapsed
    finally:
        till.close()


def push_reference(hub: Hub, db: Path, n: int, members: list[str]) -> float:
    """The same volume POSTed by bare httpx: no outbox reads or writes."""
    code = enrol_codes(db, 1)[0]
    token = httpx.post(
        hub.url + "/v1/devices/enroll",
        json={"store_id": STORE, "code": code, "device_name": "reference"},
        timeout=30,
    ).json()["token"]
    now = int(time.time())
    items = [
        {
            "id": uuid7_str(),
            "kind": "visit" if i % 3 else "note",
            "member_id": members[i % len(members)],
            "staff_id": "A01",
            "created_at": now,
            "device_seq": i + 1,
            "payload": {"via": "card"} if i % 3 else {"text": f"note {i}"},
        }
        for i in range(n)
    ]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=hub.url, headers=headers, timeout=60) as client:
        started = time.perf_counter()
        for k in range(0, n, PUSH_BATCH):
            resp = client.post("/v1/interactions", json={"interactions": items[k : k + PUSH_BATCH]})
            resp.raise_for_status()
        return time.perf_counter() - started


# -- pull ----------------------------------------------------------------------------------------


def pull_run(
    hub: Hub, db: Path, tmp: Path, run: int, limit: int, *, rows: bool = True
) -> dict[str, Any]:
    till = Till(tmp / f"pull-{run}", hub.url, enrol_codes(db, 1)[0])
    till.engine.row_format = rows
    try:
        gc.collect()
        before = rss_mb()
        peak_ok = reset_peak_rss()
        started = time.perf_counter()
        result = till.engine.pull_once(limit=limit)
        elapsed = time.perf_counter() - started
        after = rss_mb()
        peak = peak_rss_mb()
        if not result.caught_up:
            raise RuntimeError("pull did not catch up")
        return {
            "seconds": elapsed,
            "changes": result.changes,
            "pages": result.pages,
            "rss_growth_mb": after - before,
            "peak_growth_mb": (peak - before) if peak_ok else None,
            "cache": till.root / "cache.db",
        }
    finally:
        till.close()


def insert_reference(source: Path, target: Path, *, encrypted: bool = False) -> tuple[float, int]:
    """executemany of the pulled rows into a bare SQLite file with the cache schema — plain,
    or (``encrypted``) SQLCipher with the pulled cache's key; only the inserts are timed."""
    src = cache_mod.connect_readonly(source)
    key = keystore.key_for(source.parent, create=False) if encrypted else None
    if encrypted and key is None:
        raise RuntimeError(f"no database key next to {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    dst = connect(target, synchronous="NORMAL", key=key)
    cache_mod.migrations.apply(database(dst))
    elapsed = 0.0
    count = 0
    try:
        for table, _pk, columns in cache_mod.TABLES.values():
            cols = ", ".join(columns)
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' for _ in columns)})"
            cur = src.execute(f"SELECT {cols} FROM {table}")
            while True:
                chunk = [tuple(r) for r in cur.fetchmany(50_000)]
                if not chunk:
                    break
                started = time.perf_counter()
                with Transaction(dst):
                    dst.executemany(sql, chunk)
                elapsed += time.perf_counter() - started
                count += len(chunk)
    finally:
        src.close()
        dst.close()
    return elapsed, count


# -- main ----------------------------------------------------------------------------------------


def bench_pull(args: argparse.Namespace, tmp: Path, rows: list[list[Any]]) -> dict[str, Any]:
    """Pull the big seeded hub's slice (the hub db is reused across invocations), in each of
    the formats asked for (``--format``), alternating their order from run to run."""
    label = f"{args.members // 1000}k" if args.members % 1000 == 0 else str(args.members)
    pull_db = seeded_hub(DATA / f"hub-pull-{label}.db", args.members)
    expected = slice_size(pull_db)
    formats = ["rows", "objects"] if args.format == "both" else [args.format]
    hub = Hub(str(pull_db))
    pulls: dict[str, list[dict[str, Any]]] = {f: [] for f in formats}
    refs: list[float] = []
    cipher_refs: list[float] = []
    try:
        for run in range(args.runs):
            for fmt in formats if run % 2 == 0 else formats[::-1]:
                tag = f"{run}-{fmt}"
                p = pull_run(hub, pull_db, tmp, run, args.limit, rows=fmt == "rows")
                if p["changes"] != expected:
                    raise RuntimeError(f"pulled {p['changes']:,}, hub slice is {expected:,}")
                pulls[fmt].append(p)
                print(
                    f"pull run {run + 1} ({fmt} format): {p['changes']:,} changes in "
                    f"{p['seconds']:.1f} s, RSS +{p['rss_growth_mb']:.1f} MB "
                    f"(peak +{_fmt(p['peak_growth_mb'])} MB)",
                    file=sys.stderr,
                )
                if fmt == formats[0]:
                    ref, count = insert_reference(p["cache"], tmp / f"ref-{tag}.db")
                    cipher, _ = insert_reference(
                        p["cache"], tmp / f"ref-c{tag}" / "ref.db", encrypted=True
                    )
                    refs.append(ref)
                    cipher_refs.append(cipher)
                    print(
                        f"  reference: executemany of {count:,} rows {ref:.1f} s plain, "
                        f"{cipher:.1f} s SQLCipher",
                        file=sys.stderr,
                    )
                for f in (tmp / f"pull-{run}", tmp / f"ref-{tag}.db", tmp / f"ref-c{tag}"):
                    if f.exists():
                        _remove(f)
    finally:
        hub.stop()
    ref_med = statistics.median(refs)
    cipher_med = statistics.median(cipher_refs)
    out: dict[str, Any] = {
        "changes": expected,
        "executemany_s": refs,
        "executemany_sqlcipher_s": cipher_refs,
    }
    for fmt in formats:
        runs_fmt = pulls[fmt]
        pull_med = statistics.median(p["seconds"] for p in runs_fmt)
        growth = max(p["rss_growth_mb"] for p in runs_fmt)
        peaks = [p["peak_growth_mb"] for p in runs_fmt if p["peak_growth_mb"] is not None]
        out[fmt] = {
            "pages": runs_fmt[0]["pages"],
            "seconds": [p["seconds"] for p in runs_fmt],
            "rss_growth_mb": [p["rss_growth_mb"] for p in runs_fmt],
            "peak_growth_mb": peaks,
            "median_s": pull_med,
            "max_rss_growth_mb": growth,
        }
        note = f"{fmt} format, pages of {args.limit}, median of {args.runs}; target ≤ 60 s"
        rows.append(
            [f"pull {expected:,} change rows (engine, {fmt})", round(pull_med, 1), "s", note]
        )
        rows.append(
            [f"pull ({fmt}): engine / executemany", round(pull_med / ref_med, 1), "ratio", "plain"]
        )
        rows.append(
            [
                f"pull ({fmt}): engine / executemany SQLCipher",
                round(pull_med / cipher_med, 1),
                "ratio",
                "",
            ]
        )
        rows.append([f"pull throughput (engine, {fmt})", round(expected / pull_med), "rows/s", ""])
        rows.append(
            [
                f"RSS growth after pull ({fmt}, max of runs)",
                round(growth, 1),
                "MB",
                "target ≤ 100 MB",
            ]
        )
        if peaks:
            rows.append(
                [
                    f"peak RSS growth during pull ({fmt}, max)",
                    round(max(peaks), 1),
                    "MB",
                    "one page applied while the next is fetched",
                ]
            )
    rows.append(
        [
            "same rows by executemany into a bare SQLite file",
            round(ref_med, 1),
            "s",
            "reference: same schema, plain, no HTTP/JSON",
        ]
    )
    rows.append(
        [
            "same rows by executemany into an SQLCipher file",
            round(cipher_med, 1),
            "s",
            "reference: the same, encrypted with the cache's key",
        ]
    )
    if len(formats) == 2:
        ratio = out["rows"]["median_s"] / out["objects"]["median_s"]
        rows.append(["pull: rows format / object format", round(ratio, 2), "ratio", "same run"])
    out["median_s"] = out[formats[0]]["median_s"]
    out["max_rss_growth_mb"] = max(out[f]["max_rss_growth_mb"] for f in formats)
    return out


def bench_push(args: argparse.Namespace, tmp: Path, rows: list[list[Any]]) -> dict[str, Any]:
    """Push queued interactions to a small fresh hub; bare httpx as the reference."""
    push_db = seeded_hub(tmp / "push-hub.db", 500, events=2.0)
    members = members_of(push_db, 500)
    hub = Hub(str(push_db))
    push_s: list[float] = []
    ref_s: list[float] = []
    try:
        for run in range(args.runs):
            push_s.append(push_run(hub, push_db, tmp, run, args.push, members))
            ref_s.append(push_reference(hub, push_db, args.push, members))
            print(
                f"push run {run + 1}: {args.push:,} in {push_s[-1]:.2f} s "
                f"(bare httpx {ref_s[-1]:.2f} s)",
                file=sys.stderr,
            )
    finally:
        hub.stop()
    push_med, ref_med = statistics.median(push_s), statistics.median(ref_s)
    runs_push = {"engine_s": push_s, "bare_httpx_s": ref_s, "median_s": push_med}
    note = f"batches of {PUSH_BATCH}, median of {args.runs}; target ≤ 5 s"
    rows.append([f"push {args.push:,} interactions (engine)", round(push_med, 2), "s", note])
    rows.append(
        [
            "same volume POSTed by bare httpx",
            round(ref_med, 2),
            "s",
            "reference: no outbox bookkeeping",
        ]
    )
    rows.append(["push: engine / bare httpx", round(push_med / ref_med, 2), "ratio", ""])
    rows.append(["push throughput (engine)", round(args.push / push_med), "interactions/s", ""])
    return runs_push


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--push", type=int, default=10_000, help="interactions pushed per run")
    parser.add_argument("--members", type=int, default=70_000, help="members in the pull hub")
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_PULL_LIMIT, help="changes per pull page"
    )
    parser.add_argument(
        "--format",
        choices=["both", "rows", "objects"],
        default="both",
        help="the changes pages' wire format (both: each run pulls in both, alternating)",
    )
    parser.add_argument("--no-push", action="store_true", help="the pull only")
    args = parser.parse_args()
    if args.quick:
        args.push, args.members = 1_000, 3_000

    rows: list[list[Any]] = []
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp_name:
        tmp = Path(tmp_name)
        # Pull first, so the first run's RSS growth is measured in a fresh process.
        runs["pull"] = bench_pull(args, tmp, rows)
        if not args.no_push:
            runs["push"] = bench_push(args, tmp, rows)
    push_med = runs["push"]["median_s"] if "push" in runs else 0.0
    pull_med = runs["pull"]["median_s"]
    growth = runs["pull"]["max_rss_growth_mb"]

    print("| measure | value | unit | note |")
    print("| --- | ---: | --- | --- |")
    for name, value, unit, note in rows:
        print(f"| {name} | {value:,} | {unit} | {note} |")
    pushed = "not run" if args.no_push else "meets" if push_med <= 5 else "misses"
    print(
        f"\nTargets: push ≤ 5 s: {pushed}; "
        f"pull ≤ 60 s: {'meets' if pull_med <= 60 else 'misses'}; "
        f"memory ≤ 100 MB: {'meets' if growth <= 100 else 'misses'}."
    )
    name = "sync_push_pull" + ("-quick" if args.quick else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(
        json.dumps(
            {
                "name": name,
                "rows": rows,
                "reference": "push: the same volume POSTed by bare httpx; pull: the same rows "
                "inserted with executemany into a bare SQLite file (cache schema), plain and "
                "SQLCipher — both in the same run",
                "notes": _profile_notes(),
                "target": {"push_s": 5, "pull_s": 60, "pull_rss_mb": 100},
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


def _profile_notes() -> list[str]:
    """Where the pull's time goes: bench/pull_profile.py's last table, when there is one."""
    found = RESULTS / "pull_profile.json"
    if not found.exists():
        return []
    profile = json.loads(found.read_text())
    return [str(profile["note"])]


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
