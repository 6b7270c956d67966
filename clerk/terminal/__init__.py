"""The terminal as one object: identify → resolve → 360 view → record.

Qt-free and HTTP-free; the composition root (clerk/cli/) injects ``fetch_member`` (a cache
miss fetched from the hub) so this package never imports sync/. Both the CLI and the UI use it
(the UI through :class:`clerk.ports.TerminalPort`, which :class:`Terminal` implements).

:class:`Terminal` is a façade made of parts, one module each, over a shared base:

* :mod:`clerk.terminal.storage` — the two files, per-thread readers, the one outbox.db writer,
  the damaged cache set aside (every part is a :class:`~clerk.terminal.storage.Storage`);
* :mod:`clerk.terminal.records` — a record into the outbox, drafts, records left for a person;
* :mod:`clerk.terminal.customers` — identify, resolve, the 360, the visit, search;
* :mod:`clerk.terminal.clients` — the client book, follow-up tasks, outreach;
* :mod:`clerk.terminal.signups` — sign-up at the counter, identities linked;
* :mod:`clerk.terminal.desk` — staff sign-in, settings, catalogue;
* here — the terminal's set-up, its status and the manager's dashboard (over the whole
  terminal).

Each part's methods are the port's methods as the UI calls them (no wrappers: one signature
in the port, one in the part that implements it).

Threads: methods may be called from worker threads. Each thread reads through its own
connections; every write this process makes to outbox.db — a record, the audit log, sign-in,
a manager's settings change, export or decision — goes through one connection guarded by a
lock (:meth:`Terminal.write`). The sync engine, on its own thread, has its own writer
connections; SQLite's BEGIN IMMEDIATE and the busy timeout serialise the two
short-transaction writers.

A damaged cache.db is set aside and started afresh — at open when the cheap start-up check
fails, and when a lookup meets a damaged page later: that lookup raises CacheRebuildingError
("rebuilding the customer cache"), the sync engine notices the new file and pulls the store's
slice again from cursor 0. Any other storage failure (disk full, no memory, no permission,
I/O) keeps the cache and is raised as a StorageError that says so. outbox.db is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.ports import TerminalStatus
from clerk.settings import Settings
from clerk.terminal.clients import Clients
from clerk.terminal.desk import Desk
from clerk.terminal.signups import SignUps
from clerk.terminal.storage import FetchMember, int_or_none, reads_cache

if TYPE_CHECKING:
    from clerk.dashboard import DashboardSource

STALE_AFTER_S = 24 * 3600
CLOCK_SUSPECT_S = 120


class Terminal(SignUps, Clients, Desk):
    """The terminal on the data directory ``home``: every part above, over its two files."""

    def __init__(
        self,
        home: Path,
        *,
        clock: Callable[[], float] = time.time,
        fetch_member: FetchMember | None = None,
    ) -> None:
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.fetch_member = fetch_member
        self.settings = Settings(self.home / "settings.json")
        self._open_files()

    @reads_cache
    def status(self) -> TerminalStatus:
        cache, outbox = self._reader()
        ob = outbox_mod.status(outbox)

        def state(key: str) -> str | None:
            return cache_mod.get_state(cache, key)

        last_pull = int_or_none(state("last_pull_at"))
        offset_text = state("clock_offset_s")
        try:
            offset = float(offset_text) if offset_text is not None else None
        except ValueError:
            offset = None
        now = self.clock()
        return TerminalStatus(
            pending=ob.pending,
            rejected=ob.rejected,
            conflict=ob.conflict,
            oldest_pending_at=ob.oldest_pending_at,
            last_pull_at=last_pull,
            last_push_at=int_or_none(state("last_push_at")),
            online=state("online") == "1",
            last_error=state("last_error") or ob.last_error,
            store_id=outbox_mod.get_meta(outbox, outbox_mod.META_STORE_ID),
            store_name=outbox_mod.get_meta(outbox, outbox_mod.META_STORE_NAME),
            device_id=outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_ID),
            cursor=int_or_none(state("cursor")),
            cache_stale=last_pull is None or now - last_pull > STALE_AFTER_S,
            clock_offset_s=offset,
            clock_suspect=offset is not None and abs(offset) > CLOCK_SUSPECT_S,
            cache_rebuilt=self.cache_rebuilt,
            clone_suspected=ob.clone_suspected,
            attention=ob.attention,
            device_revoked=outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_REVOKED_AT)
            is not None,
        )

    def dashboard(self, tz: tzinfo) -> DashboardSource:
        """The manager's figures, export and decisions for this terminal (store-local days in
        ``tz``); a source is used by one thread at a time."""
        from clerk.dashboard import DashboardSource

        return DashboardSource(self, tz=tz)
