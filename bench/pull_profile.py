"""Where the time of a bulk pull goes, stage by stage (issue 16: a new terminal's first pull).

Every page of a seeded hub's store slice is taken through the pull's stages one at a time, each
timed on its own (``perf_counter``), in this one process — so the stages do not overlap as they
do in a real pull (hub and terminal share the machine's cores, and the engine fetches the next
page while it applies one):

* hub: render the page (``ChangeFeed.changes_json``: the change rows, the rows' JSON from SQL),
  in the object format and in the row format (``format=rows``) — every stage below in both;
* HTTP: the same pages fetched through ``HubClient.changes_page`` from a ``clerk hub serve``
  subprocess (render + HTTP + parse + validation), minus the stages measured apart;
* parse: ``json.loads`` of the body alone; parse + validation: ``protocol.CHANGES_PAGE``
  (``protocol.ROWS_PAGE``);
  the engine's page checks (``_check_page``: seqs, cursor, value lengths);
* Python per row: grouping by entity and ``row_values`` (the tuples bound); for the row format
  ``cache.apply_runs`` whole (its rows bound as they came), into the cache without its
  secondary indexes, beside the object format's same stage;
* SQLite: the ``executemany`` per (entity, op) run and the commit, into the terminal's
  SQLCipher cache.db (all of its indexes), into the same cache as a plain file, and into the
  SQLCipher cache without its secondary indexes (then built once at the end);
* the search index: ``search.on_members`` per page of members (or one ``search.rebuild``).

Then the whole pull as the engine does it (``SyncEngine.pull_once``, real hub on loopback) under
cProfile, the top functions printed. Reference, same run: the pulled rows executemany'd into a
bare file with the cache schema, plain and SQLCipher.

    python bench/pull_profile.py                 # 20,000 members (~290k rows in the slice)
    python bench/pull_profile.py --members 70000 # the sync bench's hub (~1.06 M rows)
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import itertools
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from hub_ingest import Hub  # noqa: E402
from sync_push_pull import (  # noqa: E402
    DATA,
    RESULTS,
    STORE,
    Till,
    enrol_codes,
    insert_reference,
    seeded_hub,
)

from clerk import cache as cache_mod  # noqa: E402
from clerk import search  # noqa: E402
from clerk.db import Transaction, connect, database  # noqa: E402
from sync import protocol  # noqa: E402
from sync.engine import DEFAULT_PULL_LIMIT, _check_page  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402


class Clock:
    """Seconds per named section."""

    def __init__(self) -> None:
        self.s: dict[str, float] = defaultdict(float)

    def add(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.s[name] += now - started
        return now


def _secondary_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND sql NOT LIKE 'CREATE UNIQUE%'"
        )
    ]


def _apply(
    conn: sqlite3.Connection,
    page: protocol.ChangesPageDict,
    clock: Clock,
    tag: str,
    *,
    with_search: bool = True,
) -> None:
    """apply_changes with a timer per section (the same statements, the same order)."""
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    by_entity: dict[str, list[protocol.ChangeDict]] = {}
    for c in page["changes"]:
        by_entity.setdefault(c["entity"], []).append(c)
    runs = itertools.groupby(
        itertools.chain.from_iterable(by_entity.values()), lambda c: (c["entity"], c["op"])
    )
    t = clock.add(f"{tag}: python per row (group)", t)
    for (entity, op), run in runs:
        if op == "upsert":
            batch = [cache_mod.row_values(entity, cache_mod._upsert_data(entity, c)) for c in run]
            t = clock.add(f"{tag}: python per row (row_values)", t)
            conn.executemany(cache_mod._UPSERT_SQL[entity], batch)
        else:
            batch = [(c["key"],) for c in run]
            conn.executemany(cache_mod._DELETE_SQL[entity], batch)
        t = clock.add(f"{tag}: sqlite {cache_mod.TABLES[entity][0]}", t)
        if entity == "member" and with_search:
            search.on_members(conn, op, batch)
            t = clock.add(f"{tag}: search index", t)
    cache_mod.set_state(conn, "cursor", str(page["next_cursor"]))
    conn.execute("COMMIT")
    clock.add(f"{tag}: commit + state", t)


def _apply_rows(
    conn: sqlite3.Connection, page: protocol.RowsPageDict, clock: Clock, tag: str
) -> None:
    """cache.apply_runs in its own transaction, timed whole (Python and SQLite together)."""
    t = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    cache_mod.apply_runs(conn, page["runs"], search_index=False)
    cache_mod.set_state(conn, "cursor", str(page["next_cursor"]))
    conn.execute("COMMIT")
    clock.add(f"{tag}: apply_runs + commit", t)


def stages(db: Path, tmp: Path, limit: int) -> tuple[Clock, int, int]:
    """Each page through the stages (in this process); returns the clock, rows and pages."""
    clock = Clock()
    store = HubStore.open(str(db))
    cipher = cache_mod.open_cache(tmp / "stages-cipher" / "cache.db")
    plain = connect(tmp / "stages-plain.db", synchronous="NORMAL", key=None)
    cache_mod.migrations.apply(database(plain))
    bulk = cache_mod.open_cache(tmp / "stages-bulk" / "cache.db")
    dropped = _secondary_indexes(bulk)
    for name, _sql in dropped:
        bulk.execute(f"DROP INDEX {name}")
    bulk_rows = cache_mod.open_cache(tmp / "stages-bulk-rows" / "cache.db")
    for name, _sql in dropped:
        bulk_rows.execute(f"DROP INDEX {name}")
    since, rows, pages = 0, 0, 0
    try:
        while True:
            t = time.perf_counter()
            body = store.feed.changes_json(STORE, since, limit)
            t = clock.add("hub: render page (SQL + JSON text)", t)
            json.loads(body)
            t = clock.add("terminal: json.loads alone", t)
            page = protocol.CHANGES_PAGE.validate_json(body)
            t = clock.add("terminal: parse + validate (CHANGES_PAGE)", t)
            _check_page(since, limit, page)
            clock.add("terminal: page checks (_check_page)", t)
            _apply(cipher, page, clock, "sqlcipher, all indexes")
            _apply(plain, page, clock, "plain, all indexes")
            _apply(bulk, page, clock, "sqlcipher, no 2nd indexes, no search", with_search=False)
            t = time.perf_counter()
            body = store.feed.changes_json(STORE, since, limit, rows=True)
            t = clock.add("rows format — hub: render page (SQL + JSON text)", t)
            json.loads(body)
            t = clock.add("rows format — terminal: json.loads alone", t)
            rows_page = protocol.ROWS_PAGE.validate_json(body)
            t = clock.add("rows format — terminal: parse + validate (ROWS_PAGE)", t)
            _check_page(since, limit, rows_page)
            clock.add("rows format — terminal: page checks (_check_page)", t)
            _apply_rows(bulk_rows, rows_page, clock, "rows format — sqlcipher, no 2nd indexes")
            rows += len(page["changes"])
            pages += 1
            since = page["next_cursor"]
            if not page["has_more"]:
                break
        t = time.perf_counter()
        with Transaction(bulk):
            for _name, sql in dropped:
                bulk.execute(sql)
        t = clock.add("sqlcipher, no 2nd indexes, no search: CREATE INDEX at the end", t)
        with Transaction(bulk):
            search.rebuild(bulk)
        clock.add("sqlcipher, no 2nd indexes, no search: search.rebuild at the end", t)
    finally:
        store.close()
        for c in (cipher, plain, bulk, bulk_rows):
            c.close()
    return clock, rows, pages


def fetch_only(hub: Hub, db: Path, tmp: Path, limit: int, *, rows: bool) -> float:
    """Every page fetched by the engine's client (render + HTTP + parse + validation), none
    applied: one request at a time."""
    till = Till(tmp / "fetch-only", hub.url, enrol_codes(db, 1)[0])
    try:
        since = 0
        started = time.perf_counter()
        while True:
            page = till.engine.client.changes_page(since, limit, rows=rows)
            since = page["next_cursor"]
            if not page["has_more"]:
                return time.perf_counter() - started
    finally:
        till.close()


def profiled_pull(
    hub: Hub, db: Path, tmp: Path, limit: int, *, rows: bool
) -> tuple[float, str, Path]:
    till = Till(tmp / "pull", hub.url, enrol_codes(db, 1)[0])
    till.engine.row_format = rows
    prof = cProfile.Profile()
    try:
        gc.collect()
        started = time.perf_counter()
        prof.enable()
        till.engine.pull_once(limit=limit)
        prof.disable()
        elapsed = time.perf_counter() - started
    finally:
        till.close()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(18)
    return elapsed, out.getvalue(), till.root / "cache.db"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=DEFAULT_PULL_LIMIT)
    args = parser.parse_args()
    label = f"{args.members // 1000}k" if args.members % 1000 == 0 else str(args.members)
    db = seeded_hub(DATA / f"hub-pull-{label}.db", args.members)
    with tempfile.TemporaryDirectory(prefix="pull-profile-") as name:
        tmp = Path(name)
        clock, rows, pages = stages(db, tmp, args.limit)
        hub = Hub(str(db))
        try:
            # Each format twice, in the order objects, rows, rows, objects: the mean of two
            # (neither format always the first, on a cold hub process).
            fetches: dict[bool, list[float]] = {False: [], True: []}
            pulls: dict[bool, list[float]] = {False: [], True: []}
            for i, rows_format in enumerate((False, True, True, False)):
                fetches[rows_format].append(
                    fetch_only(hub, db, tmp / f"f{i}", args.limit, rows=rows_format)
                )
            for i, rows_format in enumerate((False, True, True, False)):
                took, text, pulled = profiled_pull(
                    hub, db, tmp / f"p{i}", args.limit, rows=rows_format
                )
                pulls[rows_format].append(took)
                if rows_format:
                    prof = text
                else:
                    cache = pulled
            fetch_s, fetch_rows_s = statistics.mean(fetches[False]), statistics.mean(fetches[True])
            pull_s, pull_rows_s = statistics.mean(pulls[False]), statistics.mean(pulls[True])
        finally:
            hub.stop()
        plain_s, count = insert_reference(cache, tmp / "ref-plain.db")
        cipher_s, _ = insert_reference(cache, tmp / "ref-cipher" / "ref.db", encrypted=True)
    render = clock.s["hub: render page (SQL + JSON text)"]
    validate = clock.s["terminal: parse + validate (CHANGES_PAGE)"]
    http = fetch_s - render - validate
    render_rows = clock.s["rows format — hub: render page (SQL + JSON text)"]
    validate_rows = clock.s["rows format — terminal: parse + validate (ROWS_PAGE)"]
    table = [(name, s) for name, s in sorted(clock.s.items()) if s >= 0.005]
    bulk_tag = "sqlcipher, no 2nd indexes, no search: "
    table.append(
        (
            f"{bulk_tag}per page in all (python + sqlite + commit; apply_runs' counterpart)",
            sum(s for n, s in clock.s.items() if n.startswith(bulk_tag) and "at the end" not in n),
        )
    )
    table += [
        ("fetch only (client: render + HTTP + parse + validate), mean of 2", fetch_s),
        ("→ HTTP + server framework (fetch − render − validate)", http),
        ("rows format — fetch only (client: …), mean of 2", fetch_rows_s),
        ("rows format — → HTTP + server framework", fetch_rows_s - render_rows - validate_rows),
        ("whole pull (engine, cProfile on), object format, mean of 2", pull_s),
        ("whole pull (engine, cProfile on), rows format, mean of 2", pull_rows_s),
        (f"reference: executemany, plain file ({count:,} rows)", plain_s),
        ("reference: executemany, SQLCipher file", cipher_s),
    ]
    load = os.getloadavg()[0]
    lines = [
        f"Where the pull's time goes (`bench/pull_profile.py --members {args.members}`, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load:.1f} on "
        f"{os.cpu_count()} cores): {rows:,} change rows in {pages} pages of {args.limit}, each "
        "stage timed alone in one process.",
        "",
        "| stage | s | µs/row |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {s:.2f} | {s / rows * 1e6:.1f} |" for name, s in table),
    ]
    note = "\n".join(lines)
    print(note + "\n\n" + prof)
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"name": "pull_profile", "note": note, "rows": rows}
    (RESULTS / "pull_profile.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
