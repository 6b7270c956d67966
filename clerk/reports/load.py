"""The reading side of the reports: a range of counted interactions from the two files
(this terminal's outbox, the store's hub rows in the cache), merged by time, and the lookups
the figures need (names, coupons, carts, products, earlier records)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from clerk.reports.model import HUB, LOCAL
from clerk.shared.interactions import COUNTED_KINDS

# rejected by the hub, or archived (clerk.outbox.ARCHIVED): never a visit, a sale or a figure
NOT_COUNTED = frozenset(("rejected", "corrected", "withdrawn", "dismissed"))

_CHUNK = 500
# A report reads a month of both files, some pages twice: a page cache that holds them means
# each encrypted page is decrypted once (SQLite's default would evict and decrypt again).
REPORT_CACHE_KIB = 64 * 1024


@dataclass(slots=True)
class Event:
    """One counted interaction, from this terminal's outbox or a hub row in the cache."""

    id: str
    kind: str
    at: int
    member_id: str | None
    member_ref: str | None
    staff_id: str | None
    staff_name: str | None
    raw: str | None  # this terminal: the payload JSON; the hub: the row's facts JSON
    source: str
    state: str | None
    lane: str  # local, or hub:<associate> — a visit's interactions stay in one lane
    key: str | None  # member id, or "ref:<member_ref>" for a walk-in
    parsed: dict[str, Any] | None = None

    @property
    def payload(self) -> dict[str, Any]:
        """The record's facts — the payload's fields (a hub row's ``facts`` are those of the
        payload it was accepted with) — parsed on first use (most rows are never asked)."""
        if self.parsed is None:
            try:
                body = json.loads(self.raw) if self.raw else {}
            except ValueError:
                body = {}
            self.parsed = body if isinstance(body, dict) else {}
        return self.parsed


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class Reader:
    """Reads the two files for one computation (the caller's connections, read only)."""

    def __init__(
        self, cache: sqlite3.Connection, outbox: sqlite3.Connection, store_id: str | None
    ) -> None:
        self.cache = cache
        self.outbox = outbox
        self.store_id = store_id
        self.staff_names: dict[str, str] = {}
        by_name: dict[str, list[str]] = defaultdict(list)
        for sid, name in cache.execute("SELECT id, name FROM staff"):
            self.staff_names[str(sid)] = str(name)
            by_name[str(name)].append(str(sid))
        self.staff_by_name = {n: ids[0] for n, ids in by_name.items() if len(ids) == 1}

    def events(self, start: int, end: int) -> list[Event]:
        """The counted interactions of [start, end) from both files, by time then id."""
        out: list[Event] = []
        append = out.append
        local_ids: set[str] = set()
        names = self.staff_names
        counted = COUNTED_KINDS
        cur = self.outbox.cursor()
        cur.row_factory = None  # plain tuples: this loop sees every row of the range
        cur.execute(
            "SELECT id, kind, member_id, member_ref, staff_id, payload, created_at, state "
            "FROM interactions WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
            (start, end),
        )
        for iid, kind, mid, ref, sid, payload, at, state in cur:
            local_ids.add(iid)
            if kind not in counted or state in NOT_COUNTED:
                continue
            append(
                Event(
                    iid,
                    kind,
                    at,
                    mid,
                    ref,
                    sid,
                    names.get(sid, sid) if sid else None,
                    payload,
                    LOCAL,
                    state,
                    LOCAL,
                    # a walk-in visit (no one named) is a visit of its own
                    mid if mid is not None else (f"walk_in:{iid}" if ref is None else f"ref:{ref}"),
                )
            )
        cur.close()
        if self.store_id is not None:
            by_name = self.staff_by_name
            cur = self.cache.cursor()
            cur.row_factory = None
            cur.execute(
                "SELECT id, member_id, staff_id, staff_name, kind, facts, at FROM visits "
                "WHERE store_id = ? AND at >= ? AND at < ? ORDER BY at",
                (self.store_id, start, end),
            )
            for vid, mid, sid, staff_name, kind, facts, at in cur:
                if kind not in counted or vid in local_ids:
                    continue
                if sid is None and staff_name:  # a row from before the hub kept staff ids
                    sid = by_name.get(staff_name)
                append(
                    Event(
                        vid,
                        kind,
                        at,
                        mid,
                        None,
                        sid,
                        staff_name,
                        facts,
                        HUB,
                        None,
                        f"{HUB}:{staff_name or ''}",
                        mid,
                    )
                )
            cur.close()
        out.sort(key=attrgetter("at", "id"))  # two sorted runs: a linear merge
        return out

    def seen_before(self, firsts: dict[str, int]) -> set[str]:
        """The member keys (member id, or ``ref:<member_ref>``) with any record anywhere in
        the data — both files, every store — earlier than the time given for them."""
        ids = [[k, at] for k, at in firsts.items() if not k.startswith("ref:")]
        refs = {k[4:]: at for k, at in firsts.items() if k.startswith("ref:")}
        found: set[str] = set()
        if ids:
            pairs = json.dumps(ids)
            # one seek per member in a covering index (interactions_member, visits_member_at):
            # any earlier record of the member in a store — a visit, a note, a sale — counts
            for (mid,) in self.outbox.execute(
                "SELECT p.value ->> 0 FROM json_each(?) AS p WHERE EXISTS (SELECT 1 FROM "
                "interactions i WHERE i.member_id = p.value ->> 0 AND i.created_at < "
                "p.value ->> 1)",
                (pairs,),
            ):
                found.add(str(mid))
            for (mid,) in self.cache.execute(
                "SELECT p.value ->> 0 FROM json_each(?) AS p WHERE EXISTS (SELECT 1 FROM "
                "visits v WHERE v.member_id = p.value ->> 0 AND v.at < p.value ->> 1)",
                (pairs,),
            ):
                found.add(str(mid))
        if refs:
            # walk-ins: member_ref has no index; one pass over the outbox
            for ref, at in self.outbox.execute(
                "SELECT member_ref, min(created_at) FROM interactions WHERE member_id IS NULL "
                "AND member_ref IN (SELECT value FROM json_each(?)) GROUP BY member_ref",
                (json.dumps(sorted(refs)),),
            ):
                if at is not None and int(at) < refs[str(ref)]:
                    found.add(f"ref:{ref}")
        return found

    def member_names(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        out: dict[str, str] = {}
        for chunk in _chunks(wanted):
            for mid, name in self.cache.execute(
                f"SELECT id, name FROM members WHERE id IN ({_marks(len(chunk))})", tuple(chunk)
            ):
                out[str(mid)] = str(name)
        return out

    def coupons(self, ids: Iterable[str]) -> dict[str, tuple[str, int, str, str]]:
        wanted = sorted(set(ids))
        out: dict[str, tuple[str, int, str, str]] = {}
        for chunk in _chunks(wanted):
            for cid, rule, value, tzh, ten in self.cache.execute(
                "SELECT id, rule, value, title_zh, title_en FROM coupons "
                f"WHERE id IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                out[str(cid)] = (str(rule), int(value), str(tzh), str(ten))
        return out

    def carts(self, member_ids: Iterable[str]) -> dict[str, list[tuple[str, str, int, int, int]]]:
        """member id → [(cart item id, sku, qty, price_cents, added_at)] of open/bought items."""
        wanted = sorted(set(member_ids))
        out: dict[str, list[tuple[str, str, int, int, int]]] = defaultdict(list)
        for chunk in _chunks(wanted):
            for cid, mid, sku, qty, price, added in self.cache.execute(
                "SELECT id, member_id, sku, qty, price_cents, added_at FROM cart_items "
                f"WHERE state IN ('open', 'bought') AND member_id IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                out[str(mid)].append((str(cid), str(sku), int(qty), int(price), int(added)))
        return out

    def points_issued(self, start: int, end: int) -> int:
        """Points the hub credited for the store's sales of [start, end), whoever's home store
        the member's is: the store's ``store_points`` rows, with the earn rows of its own
        members' ledgers (the same sale in both counts once; a cache filled before the hub
        sent ``store_points`` has only those)."""
        if self.store_id is None:
            return 0
        span = (self.store_id, start, end)
        row = self.cache.execute(
            "SELECT coalesce(sum(points), 0) FROM (SELECT id, points FROM store_points "
            "WHERE store_id = ? AND at >= ? AND at < ? UNION SELECT id, points FROM points_ledger"
            " WHERE store_id = ? AND at >= ? AND at < ? AND kind = 'earn')",
            span + span,
        ).fetchone()
        return int(row[0])

    def products(self, skus: Iterable[str]) -> dict[str, tuple[str, str]]:
        wanted = sorted(set(skus))
        out: dict[str, tuple[str, str]] = {}
        for chunk in _chunks(wanted):
            for sku, tzh, ten in self.cache.execute(
                f"SELECT sku, title_zh, title_en FROM products WHERE sku IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                out[str(sku)] = (str(tzh), str(ten))
        return out
