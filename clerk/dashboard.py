"""The manager's dashboard as a service: a day's figures, the visits export, conflict decisions,
parked records retried, rejected or parked records withdrawn or dismissed.

Qt-free; the UI runs it on the dashboard's worker thread (``ui.controllers.dashboard_controller``)
and gets one from :meth:`clerk.terminal.Terminal.dashboard`.

Reads go through two read-only connections opened on first use and kept (with a larger page
cache: pages are decrypted once, not on every refresh) — so a source is used by one thread at a
time. Writes — the export's audit row, a decision on a conflict, parked records put back in
the queue — go through the terminal's one outbox.db writer
(:meth:`~clerk.terminal.Terminal.write`); the export reads the range on that writer too (its
rows and its audit row agree), holding the terminal's writer for that long: tens of
milliseconds for a busy day. Managers only: every ``clerk.reports`` function called here checks
the session again.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from datetime import time as time_of_day
from pathlib import Path
from typing import TYPE_CHECKING

from clerk import clientbook
from clerk.cache import connect_readonly, open_cache
from clerk.errors import ClerkError, StorageError
from clerk.outbox import META_STORE_ID, Recorded, Settled, get_meta
from clerk.reports.conflicts import resolve_conflict, retry_parked, sync_health
from clerk.reports.export import export_csv
from clerk.reports.kpis import day_summary
from clerk.reports.model import AssociateFigures, DaySummary, SyncHealth
from clerk.staff import Session

if TYPE_CHECKING:
    from clerk.terminal import Terminal


@dataclass(frozen=True)
class DashboardData:
    summary: DaySummary
    health: SyncHealth
    computed_at: int
    # follow-ups per associate now (clerk/clientbook.py): clients, open, overdue, escalated,
    # done on the day shown
    followups: tuple[AssociateFigures, ...] = ()


class DashboardSource:
    """One terminal's figures; ``close()`` closes the readers."""

    READ_CACHE_KIB = 32 * 1024  # per connection

    def __init__(self, terminal: Terminal, *, tz: tzinfo) -> None:
        self.terminal = terminal
        self.tz = tz
        self._conns: tuple[sqlite3.Connection, sqlite3.Connection] | None = None

    def now(self) -> int:
        return int(self.terminal.clock())

    def _readers(self) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        if self._conns is None:
            cache = open_cache(self.terminal.cache_path, readonly=True)
            try:
                outbox = connect_readonly(self.terminal.outbox_path)
            except BaseException:
                cache.close()
                raise
            for conn in (cache, outbox):
                conn.execute(f"PRAGMA cache_size = -{self.READ_CACHE_KIB}")
            self._conns = (cache, outbox)
        return self._conns

    def close(self) -> None:
        if self._conns is not None:
            for conn in self._conns:
                conn.close()
            self._conns = None

    def load(self, day: date) -> DashboardData:
        """The day's summary (with the same day a week before) and the sync health."""
        cache, outbox = self._readers()
        try:
            now = self.now()
            store_id = get_meta(outbox, META_STORE_ID)
            summary = day_summary(cache, outbox, day, self.tz, store_id)
            health = sync_health(cache, outbox, now)
            start = datetime.combine(day, time_of_day.min, self.tz)
            followups = tuple(
                clientbook.figures(cache, outbox, now=now, since=int(start.timestamp()))
            )
        except (ClerkError, sqlite3.Error) as exc:
            self.close()  # a file replaced under us (cache rebuilt): reopen next time
            if isinstance(exc, ClerkError):
                raise
            raise StorageError(f"cannot read the figures: {exc}") from exc
        return DashboardData(summary, health, now, followups)

    def export(self, session: Session, date_from: date, date_to: date, path: Path) -> int:
        """Write the visits of the range as CSV to ``path`` (atomically, audited ``export``);
        returns the rows."""
        cache, _ = self._readers()
        text = self.terminal.write(
            lambda outbox: export_csv(
                session,
                cache,
                outbox,
                store_id=get_meta(outbox, META_STORE_ID),
                date_from=date_from,
                date_to=date_to,
                tz=self.tz,
                now=self.now(),
            )
        )
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".csv")
        try:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ClerkError(f"cannot write {path}: {exc}", reason="export_failed") from exc
        return max(0, text.count("\n") - 1)

    def retry_parked(self, session: Session) -> int:
        """Put every parked record back in the queue (the hub was fixed); returns how many."""
        return self.terminal.write(lambda outbox: retry_parked(session, outbox))

    def record(self, iid: str) -> Settled | None:
        """A record as kept (its payload as recorded), for the manager's "fix and resend"."""
        return self.terminal.left_for_a_person(iid)

    def withdraw(self, session: Session, iid: str) -> Settled:
        """A manager takes back a rejected or parked record (audited)."""
        return self.terminal.withdraw_record(iid, staff_id=None, session=session)

    def dismiss(self, session: Session, iid: str, reason: str) -> Settled:
        """A manager closes a rejected or parked record with a reason (audited)."""
        return self.terminal.dismiss_record(iid, session=session, reason=reason)

    def resolve(self, session: Session, conflict_id: str, decision: str) -> Recorded:
        """Record the manager's decision on a conflict (an interaction of kind ``resolve``)."""
        return self.terminal.write(
            lambda outbox: resolve_conflict(session, outbox, conflict_id, decision, now=self.now())
        )
