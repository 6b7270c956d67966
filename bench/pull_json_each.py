"""Rows handed to SQLite as JSON text (``INSERT … SELECT … FROM json_each(?)``) against the
terminal's path today (issue 16: a new terminal's first pull; docs/decisions.md, row format).

Every page of a seeded hub's store slice in the row format (``ChangeFeed.changes_json``, in this
process, no HTTP), on the terminal's side, two ways into two SQLCipher caches without their
secondary indexes (a first download's bulk load), alternating which goes first page by page:

* today: ``protocol.ROWS_PAGE.validate_json`` of the body, ``engine._check_page``,
  ``cache.apply_runs`` and the commit;
* json_each: the body bound once to split it into runs (``json_each(?, '$.runs')``: each run's
  entity, op, columns, seqs and rows as JSON text), and per upsert run whose columns are the
  table's and hold no JSON column, one check query over ``json_each(rows)`` (count, arity,
  key type and length, per column the longest text and any array/object) and one
  ``INSERT OR REPLACE … SELECT value->>0, … FROM json_each(?)``; the other runs (members'
  tags, coupons, orders: JSON columns encoded in Python) parsed and applied as today.

Both are timed whole, per page; today's parse + validate is also timed apart, because in a
real pull it runs on the pull-ahead thread while the applying thread paces the pull — json_each
moves the parse onto the applying thread. Not a test: it prints a table.

    python bench/pull_json_each.py                  # 20,000 members (~300k rows)
    python bench/pull_json_each.py --members 70000  # ~1.06 M rows
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sync_push_pull import DATA, STORE, seeded_hub  # noqa: E402

from clerk import cache as cache_mod  # noqa: E402
from clerk.shared.entities import JSON_COLUMNS  # noqa: E402
from sync import protocol  # noqa: E402
from sync.engine import DEFAULT_PULL_LIMIT, MAX_KEY_LEN, MAX_VALUE_LEN, _check_page  # noqa: E402
from sync.hub.store import HubStore  # noqa: E402

_RUNS_SQL = (
    "SELECT value->>'entity', value->>'op', value->'columns', value->'seqs', value->'rows', "
    "value->'keys' FROM json_each(?, '$.runs')"
)


def _plain(entity: str, columns: list[str]) -> bool:
    """An upsert run json_each can take whole: the table's columns in order, none JSON."""
    table_columns = cache_mod.TABLES[entity][2]
    return tuple(columns) == tuple(table_columns) and not set(columns) & JSON_COLUMNS


def _check_sql(n: int, pk_at: int, int_key: bool) -> str:
    """One query over a run's rows: what _check_run_rows refuses, and nested values."""
    parts = [
        "count(*)",
        f"sum(json_array_length(value) <> {n})",
        f"sum(json_type(value, '$[{pk_at}]') <> '{'integer' if int_key else 'text'}')",
        f"max(length(value->>{pk_at}))",
    ]
    for i in range(n):
        parts.append(f"max(length(value->>{i}))")
        parts.append(f"sum(json_type(value, '$[{i}]') IN ('array', 'object'))")
    return f"SELECT {', '.join(parts)} FROM json_each(?)"


def _apply_json_each(
    conn: sqlite3.Connection, body: str, since: int, limit: int, *, check: bool = True
) -> int:
    """The json_each way (see the module's docstring); returns the rows it took."""
    runs = conn.execute(_RUNS_SQL, (body,)).fetchall()
    head = json.loads("{" + body[body.rindex('"next_cursor"') :])  # the members after runs
    rest: list[dict[str, object]] = []
    plain: list[tuple[str, list[str], str]] = []
    seqs_all: list[int] = []
    for entity, op, columns, seqs, rows, keys in runs:
        seqs_all.extend(json.loads(seqs))
        cols = None if columns is None else json.loads(columns)
        if op == "upsert" and cols is not None and _plain(entity, cols):
            plain.append((entity, cols, rows))
        else:
            run: dict[str, object] = {"entity": entity, "op": op, "seqs": json.loads(seqs)}
            if cols is not None:
                run["columns"] = cols
                run["rows"] = json.loads(rows)
            if keys is not None:
                run["keys"] = json.loads(keys)
            rest.append(run)
    if len(seqs_all) > limit or len(set(seqs_all)) != len(seqs_all) or min(seqs_all) <= since:
        raise ValueError("bad seqs")
    took = 0
    if not check:  # counted apart (not the check): the floor of the way
        took = sum(
            conn.execute("SELECT json_array_length(?)", (r,)).fetchone()[0] for *_, r in plain
        )
    for entity, cols, rows in plain if check else ():
        pk = cache_mod.TABLES[entity][1]
        n = len(cols)
        got = conn.execute(
            _check_sql(n, cols.index(pk), entity in protocol.INTEGER_KEYS), (rows,)
        ).fetchone()
        if got[1] or got[2] or (got[3] or 0) > MAX_KEY_LEN:
            raise ValueError("bad rows")
        if any((got[4 + 2 * i] or 0) > MAX_VALUE_LEN or got[5 + 2 * i] for i in range(n)):
            raise ValueError("bad values")
        took += got[0]
    conn.execute("BEGIN IMMEDIATE")
    for entity, cols, rows in plain:
        table = cache_mod.TABLES[entity][0]
        picks = ", ".join(f"value->>{i}" for i in range(len(cols)))
        conn.execute(
            f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) SELECT {picks} FROM json_each(?)",
            (rows,),
        )
    cache_mod.apply_runs(conn, rest, search_index=False)
    cache_mod.set_state(conn, "cursor", str(head["next_cursor"]))
    conn.execute("COMMIT")
    return took


def _apply_today(conn: sqlite3.Connection, body: str, since: int, limit: int) -> float:
    """Today's way; returns the seconds of its parse + validate (the pull-ahead thread's part
    in a real pull: the rest is the applying thread's)."""
    t = time.perf_counter()
    page = protocol.ROWS_PAGE.validate_json(body)
    parsed = time.perf_counter() - t
    _check_page(since, limit, page)
    conn.execute("BEGIN IMMEDIATE")
    cache_mod.apply_runs(conn, page["runs"], search_index=False)
    cache_mod.set_state(conn, "cursor", str(page["next_cursor"]))
    conn.execute("COMMIT")
    return parsed


def _bulk_cache(path: Path) -> sqlite3.Connection:
    conn = cache_mod.open_cache(path)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND sql NOT LIKE 'CREATE UNIQUE%'"
    ).fetchall():
        conn.execute(f"DROP INDEX {name}")
    return conn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--limit", type=int, default=DEFAULT_PULL_LIMIT)
    parser.add_argument(
        "--no-check", action="store_true", help="json_each without its check query (a floor)"
    )
    args = parser.parse_args()
    label = f"{args.members // 1000}k" if args.members % 1000 == 0 else str(args.members)
    db = seeded_hub(DATA / f"hub-pull-{label}.db", args.members)
    store = HubStore.open(str(db))
    spent = {"today": 0.0, "json_each": 0.0}
    parse = 0.0
    rows = plain_rows = pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        conns = {
            "today": _bulk_cache(Path(tmp) / "today" / "cache.db"),
            "json_each": _bulk_cache(Path(tmp) / "json_each" / "cache.db"),
        }
        since = 0
        try:
            while True:
                body = store.feed.changes_json(STORE, since, args.limit, rows=True).decode()
                order = ("today", "json_each") if pages % 2 == 0 else ("json_each", "today")
                for way in order:
                    t = time.perf_counter()
                    if way == "today":
                        parse += _apply_today(conns[way], body, since, args.limit)
                    else:
                        plain_rows += _apply_json_each(
                            conns[way], body, since, args.limit, check=not args.no_check
                        )
                    spent[way] += time.perf_counter() - t
                page = json.loads(body)
                rows += sum(len(r["seqs"]) for r in page["runs"])
                pages += 1
                since = page["next_cursor"]
                if not page["has_more"]:
                    break
            counts = {
                way: [
                    c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t, _, _ in cache_mod.TABLES.values()
                ]
                for way, c in conns.items()
            }
        finally:
            store.close()
            for c in conns.values():
                c.close()
    same = counts["today"] == counts["json_each"]
    floor = " (json_each without its check query)" if args.no_check else ""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"`bench/pull_json_each.py --members {args.members}`, {when}, load average "
        f"{os.getloadavg()[0]:.1f}{floor}: {rows:,} change rows in {pages} pages, "
        f"{plain_rows:,} of "
        f"them in runs json_each takes; same row counts both ways: {same}\n"
    )
    print("| way | s | µs/row (all rows) |\n| --- | ---: | ---: |")
    for way, s in spent.items():
        print(f"| {way} | {s:.2f} | {s / rows * 1e6:.1f} |")
    print(f"| json_each / today | {spent['json_each'] / spent['today']:.2f}× | |")
    applying = spent["today"] - parse
    print(
        f"| today without its parse + validate (the applying thread's part) | {applying:.2f} "
        f"| {applying / rows * 1e6:.1f} |"
    )
    print(f"| json_each / today's applying thread | {spent['json_each'] / applying:.2f}× | |")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
