"""The sources that send behaviour events, and their write keys.

``clerk hub source add NAME`` prints a new write key once (``ocw_…``); the hub keeps only its
SHA-256, as it does for device secrets and admin tokens. A source authenticates the Segment
way: HTTP Basic with the write key as the user name (and an empty password), or the
``writeKey`` field of the body. A write key's source is read once per process and kept; the
revoked sources are re-read when that set is ``KEY_CHECK_S`` old (one query for every key, not
one per call, as for devices), so a revoked key is refused by every hub process within a
second, and at once by the process that revoked it. What a source sent is counted per outcome
and name (:meth:`Sources.counts`); the newest calls refused inside batches are kept with their
reasons (:meth:`Sources.rejects`).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sync.hub import admin_audit
from sync.hub.errors import InvalidInputError, NotFoundError
from sync.hub.revoked import RevokedSet

if TYPE_CHECKING:
    from sync.hub.store import HubStore

PREFIX = "ocw_"
REJECTS_KEPT = 500  # per source, the newest
KEY_CHECK_S = 0.5  # the revoked sources are re-read this often: a revoke reaches every process
_KEYS_MAX = 10_000  # write keys kept per process (the sources: a handful)


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    allow_provisional: bool


@dataclass
class _KeyCache:
    """What one hub process knows of write keys (one per store, shared by its Sources)."""

    live: dict[str, Source] = field(default_factory=dict)  # key digest -> source, as read
    revoked: RevokedSet = field(default_factory=lambda: RevokedSet(KEY_CHECK_S))  # source ids
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHES: weakref.WeakKeyDictionary[HubStore, _KeyCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


class Sources:
    """The event sources of a hub store."""

    def __init__(self, store: HubStore) -> None:
        self.store = store
        with _CACHES_LOCK:
            self._keys = _CACHES.setdefault(store, _KeyCache())

    def add(
        self,
        name: str,
        *,
        allow_provisional: bool = False,
        actor: str = "hub",
        now: int | None = None,
    ) -> tuple[Source, str]:
        """A new source named ``name`` and its write key (shown once; audited)."""
        t = int(time.time()) if now is None else now
        name = name.strip()
        if not 1 <= len(name) <= 64 or not name.isprintable():
            raise InvalidInputError(
                "a source's name is 1 to 64 printable characters", reason="usage"
            )
        key = PREFIX + secrets.token_urlsafe(24)
        source = Source("src-" + secrets.token_hex(6), name, allow_provisional)
        with self.store.write() as tx:
            if tx.conn.row("SELECT 1 FROM intake_sources WHERE name = ?", (name,)):
                raise InvalidInputError(f"a source named {name!r} exists", reason="usage")
            tx.conn.execute(
                "INSERT INTO intake_sources (id, name, key_hash, allow_provisional, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (source.id, name, _sha256(key), int(allow_provisional), t),
            )
            admin_audit.record(
                tx,
                actor,
                "source_add",
                source.id,
                {"name": name, "provisional": allow_provisional},
                now=t,
            )
        return source, key

    def authenticate(self, key: str) -> Source | None:
        """The live source whose write key ``key`` is, or None: read once per process, then
        checked against the revoked sources as of at most ``KEY_CHECK_S`` ago."""
        if not key.startswith(PREFIX) or len(key) > 200:
            return None
        digest = _sha256(key)
        cache = self._keys
        found = cache.live.get(digest)
        if found is None:
            with self.store.read() as conn:
                row = conn.row(
                    "SELECT id, name, allow_provisional FROM intake_sources "
                    "WHERE key_hash = ? AND revoked_at IS NULL",
                    (digest,),
                )
            if row is None:
                return None
            found = Source(str(row[0]), str(row[1]), bool(row[2]))
            with cache.lock:
                if len(cache.live) >= _KEYS_MAX:
                    cache.live.clear()
                cache.live[digest] = found
            return found  # live as of now
        if cache.revoked.check(found.id, self._read_revoked):
            return None
        return found

    def _read_revoked(self) -> list[tuple[Any, ...]]:
        with self.store.read() as conn:
            return conn.rows("SELECT id FROM intake_sources WHERE revoked_at IS NOT NULL")

    def rows(self) -> list[dict[str, Any]]:
        """Every source with its totals per outcome."""
        with self.store.read() as conn:
            sources = conn.dicts(
                "SELECT id, name, allow_provisional, created_at, revoked_at FROM intake_sources "
                "ORDER BY created_at, name"
            )
            totals = conn.rows(
                "SELECT source_id, outcome, sum(n) FROM intake_counts GROUP BY source_id, outcome"
            )
        by_source: dict[str, dict[str, int]] = {}
        for source_id, outcome, n in totals:
            by_source.setdefault(str(source_id), {})[str(outcome)] = int(n)
        for s in sources:
            s["counts"] = by_source.get(s["id"], {})
        return sources

    def counts(self, source: str | None = None) -> list[dict[str, Any]]:
        """(source name, outcome, name, n, last_at) rows, of one source (name or id) or all."""
        sql = (
            "SELECT s.name AS source, c.outcome, c.name, c.n, c.last_at FROM intake_counts c "
            "JOIN intake_sources s ON s.id = c.source_id"
        )
        params: tuple[Any, ...] = ()
        if source is not None:
            sql += " WHERE s.name = ? OR s.id = ?"
            params = (source, source)
        with self.store.read() as conn:
            return conn.dicts(sql + " ORDER BY s.name, c.outcome, c.name", params)

    def rejects(self, source: str, *, limit: int = 50) -> list[dict[str, Any]]:
        """The newest calls of ``source`` (name or id) refused inside batches, newest first."""
        with self.store.read() as conn:
            return conn.dicts(
                "SELECT r.message_id, r.reason, r.at FROM intake_rejects r "
                "JOIN intake_sources s ON s.id = r.source_id WHERE s.name = ? OR s.id = ? "
                "ORDER BY r.id DESC LIMIT ?",
                (source, source, limit),
            )

    def revoke(self, name_or_id: str, *, actor: str = "hub", now: int | None = None) -> str:
        """Revoke a source (by name or id): its write key is refused from now on. Its id."""
        t = int(time.time()) if now is None else now
        with self.store.write() as tx:
            found = tx.conn.row(
                "SELECT id FROM intake_sources WHERE (name = ? OR id = ?) AND revoked_at IS NULL",
                (name_or_id, name_or_id),
            )
            if found is None:
                raise NotFoundError(f"no live source {name_or_id!r}", reason="unknown_source")
            tx.conn.execute("UPDATE intake_sources SET revoked_at = ? WHERE id = ?", (t, found[0]))
            admin_audit.record(tx, actor, "source_revoke", str(found[0]), now=t)
        self._keys.revoked.revoke_here(str(found[0]))  # refused by this process at once
        return str(found[0])


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
