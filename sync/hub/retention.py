"""How long the hub keeps the browsing of members who have not consented to its use.

The chain's policy is the hub setting ``consent.unconsented_browsing_days`` (``clerk hub
setting``; default 0):

* **0** — a Product Viewed of a member without browsing consent is dropped at intake (counted
  ``dropped``): nothing is kept.
* **N > 0** — it is kept at the hub only (counted ``kept``): never in a terminal's feed or a
  member's view (both read the browsing of a member without consent as gone), and deleted once
  older than N days by :func:`purge` — run hourly by ``clerk hub serve`` (:class:`Purger`) and
  on demand by ``clerk hub purge``. A member who consents within the N days has it released:
  the consent change logs the member's browsing rows again, and their store's terminals get
  them. Withdrawing consent deletes the member's browsing at once, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sync.hub.errors import InvalidInputError

if TYPE_CHECKING:
    from sync.hub.db import Conn
    from sync.hub.store import HubStore

BROWSING_DAYS = "consent.unconsented_browsing_days"
# The hub settings a person may read and set (``clerk hub setting``): never the secrets.
SETTINGS: dict[str, str] = {
    BROWSING_DAYS: "days the browsing of members without consent is kept at the hub only "
    "(0: dropped at intake)",
}
MAX_DAYS = 3650
DAY_S = 86_400
PURGE_INTERVAL_S = 3600.0


def browsing_days(conn: Conn) -> int:
    """The policy's N (0 when unset)."""
    value = conn.scalar("SELECT value FROM settings WHERE key = ?", (BROWSING_DAYS,))
    return 0 if value is None else int(value)


def set_setting(store: HubStore, key: str, value: str) -> None:
    """Set one of :data:`SETTINGS`; InvalidInputError (``usage``) for others or bad values."""
    if key not in SETTINGS:
        raise InvalidInputError(f"unknown setting {key!r}: {', '.join(SETTINGS)}", reason="usage")
    if not (value.isascii() and value.isdigit() and int(value) <= MAX_DAYS):
        raise InvalidInputError(f"{key} is a number of days, 0 to {MAX_DAYS}", reason="usage")
    with store.write() as tx:
        tx.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, str(int(value))),
        )


def get_setting(store: HubStore, key: str) -> str:
    if key not in SETTINGS:
        raise InvalidInputError(f"unknown setting {key!r}: {', '.join(SETTINGS)}", reason="usage")
    with store.read() as conn:
        return str(browsing_days(conn))


def purge(store: HubStore, *, now: float | None = None) -> int:
    """Delete the browsing of members without browsing consent that is older than the policy
    allows; returns how many rows. With the policy at 0 nothing is kept, so nothing is due.
    No change rows: these rows never reached a terminal."""
    t = int(time.time() if now is None else now)
    with store.write() as tx:
        days = browsing_days(tx.conn)
        if days == 0:
            return 0
        return tx.conn.execute(
            "DELETE FROM browse_events WHERE at < ? AND member_id IN "
            "(SELECT id FROM members WHERE consent_browsing = 0)",
            (t - days * DAY_S,),
        )


class Purger:
    """Runs :func:`purge` every ``interval_s`` on its own thread, until :meth:`stop`."""

    def __init__(
        self,
        store: HubStore,
        *,
        interval_s: float = PURGE_INTERVAL_S,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.store = store
        self.interval_s = interval_s
        self.on_error = on_error or (lambda _exc: None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hub-purge", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                purge(self.store)
            except Exception as exc:  # a busy or unreachable database: try again next time
                self.on_error(exc)
            self._stop.wait(self.interval_s)
