"""A sync engine on a terminal's data directory: opens its own connections to cache.db and
outbox.db (the engine's writer connections) and a HubClient pointed at the enrolled hub.

Used by the CLI (``clerk enroll``, ``clerk sync``, cache misses in ``clerk lookup``) and by the
app's sync worker thread, so the wiring is written once.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path

from clerk import audit
from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.errors import ConfigError, NotEnrolledError
from clerk.purge import purge
from clerk.settings import Settings, check_hub_url
from sync.client import HubClient
from sync.credentials import Credentials, credentials
from sync.engine import Progress, SyncEngine, SyncReport
from sync.errors import DeviceRevokedError

UNCONFIGURED_URL = "http://127.0.0.1:9"  # never contacted: enrol() points the client first
PURGE_EVERY_S = 24 * 3600
STATE_LAST_PURGE_AT = "last_purge_at"

log = logging.getLogger(__name__)


class HomeEngine(SyncEngine):
    """A SyncEngine that owns its connections and client; ``close()`` releases them."""

    def __init__(self, home: Path, *, require_enrolled: bool = True) -> None:
        Path(home).mkdir(parents=True, exist_ok=True)
        outbox = outbox_mod.open_outbox(Path(home) / "outbox.db")
        try:
            creds = credentials(outbox)
            if creds is None and require_enrolled:
                raise NotEnrolledError(
                    "this terminal is not enrolled yet: run `clerk enroll --hub URL --store S "
                    "--code C` (the code comes from `clerk hub enrol-code`)"
                )
            cache = cache_mod.open_cache(Path(home) / "cache.db")
            # The engine is the cache's bulk writer (a first pull is millions of rows): a larger
            # page cache and fewer WAL checkpoints cut its commit cost by about a third.
            cache.execute("PRAGMA cache_size = -65536")
            cache.execute("PRAGMA wal_autocheckpoint = 16384")
        except BaseException:
            outbox.close()
            raise
        # `clerk config set hub_url …` moves an enrolled terminal to another address of its hub
        # (a new host name, TLS in front): the setting wins over the URL used at enrolment.
        settings = Settings(Path(home) / "settings.json")
        configured = str(settings.get("hub_url") or "")
        url = configured or (creds.hub_url if creds else UNCONFIGURED_URL)
        if configured or creds is not None:
            try:  # a settings file edited by hand is held to the same rule
                url = check_hub_url(url)
            except ConfigError:
                outbox.close()
                cache.close()
                raise
        self.settings = settings
        client = HubClient(url)
        super().__init__(cache, outbox, client, rng=random.Random())
        if creds is not None:
            self.client.configure(base_url=url)

    def sync_once(self, *, progress: Progress | None = None) -> SyncReport:
        """A sync round, the audit log pushed, the phone keys fetched if this terminal does not
        have them yet, then the retention purge when it last ran a day or more ago."""
        report = super().sync_once(progress=progress)
        self.push_audit()
        creds = self.credentials()
        if creds is not None and not (creds.phone_bucket_key and creds.phone_seal_key):
            self.refresh_keys()  # enrolled by an older hub: the phone keys come with the keys
        self.purge_if_due()
        return report

    def push_audit(self, *, batch: int = 500) -> int:
        """Send the audit log after the last row the hub acknowledged, in ``seq`` order (kind
        "audit"), and move the mark over the leading run of rows it answered.

        Audit rows use their own UUIDv7 as interaction id, so a resend after a lost answer is
        answered as the first time. A row the hub refused (or did not answer) stops the mark
        there: it is sent again next time, never skipped. Rows the hub flagged (a gap or a
        rewrite in the chain) count as delivered; the flag is logged and kept for HQ at the
        hub. Returns how many rows were acknowledged.
        """
        done = 0
        while True:
            with self._lock:
                rows = audit.to_upload(self.outbox, batch)
            if not rows:
                return done
            try:
                resp = self.client.push([audit.to_interaction(r) for r in rows])
            except DeviceRevokedError:
                self._note_revoked()
                raise
            answers = {r.id: r for r in resp.results}
            last: audit.AuditRow | None = None
            answered = 0
            for row in rows:
                answer = answers.get(row.id)
                if answer is None or answer.status not in ("accepted", "duplicate", "conflict"):
                    break
                if answer.reason:
                    log.warning("the hub flagged audit row %d: %s", row.seq, answer.reason)
                last = row
                answered += 1
            if last is None:
                return done
            with self._lock:
                audit.mark_acked(self.outbox, last)
            done += answered
            if answered < len(rows):
                return done

    def purge_if_due(self) -> dict[str, int] | None:
        now = int(self.clock())
        last = cache_mod.get_state(self.cache, STATE_LAST_PURGE_AT)
        if last is not None and last.isdigit() and now - int(last) < PURGE_EVERY_S:
            return None
        with self._lock:
            counts = purge(
                self.cache,
                now=now,
                browse_days=int(self.settings.get("retention_days")),
                member_idle_days=int(self.settings.get("member_idle_days")),
            )
            cache_mod.set_state(self.cache, STATE_LAST_PURGE_AT, str(now))
        return counts

    def close(self) -> None:
        self.client.close()  # a long-poll in flight ends with an error, which its lane ignores
        with self._pull_lock:  # not under a page being applied (the live lane's, say)
            self.cache.close()
        self.outbox.close()

    def __enter__(self) -> HomeEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def engine_for(home: Path) -> HomeEngine:
    """The engine of an enrolled terminal (NotEnrolledError otherwise)."""
    return HomeEngine(home)


def enroll(
    home: Path, hub_url: str, store_id: str, code: str, *, device_name: str = "terminal"
) -> Credentials:
    """Enrol the terminal at ``home`` and fetch its public keys; returns the credentials.

    The hub URL is also saved as the ``hub_url`` setting (what later syncs use).
    """
    with HomeEngine(home, require_enrolled=False) as engine:
        creds = engine.enroll(hub_url, store_id, code, device_name)
    Settings(Path(home) / "settings.json").set("hub_url", creds.hub_url)
    return creds
