"""The one truth about sync on this terminal: what every place that shows it reads.

The status bar, the banner, the open customer's header, the toasts and the rows' chips all
read this one object, so they say the same thing at the same moment. It is fed by two
sources and by nothing else:

* the terminal's status (``TerminalPort.status()``, read by the status controller every few
  seconds and after every record or round): pending / parked counts, last sync, health;
* the sync worker (``SyncWorker.reachability``): whether the last request reached the hub,
  and why not — "no_network" (no route at all) or "hub_unreachable". Once a worker is
  attached, its word on reachability wins over the stored flag (it is the newer fact).

``changed`` is emitted after every change; readers re-render from the properties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.qt import QObject, Signal

if TYPE_CHECKING:
    from clerk.ports import TerminalStatus


class SyncState(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status: TerminalStatus | None = None
        self._reachable: bool | None = None  # from the sync worker; None: not heard yet
        self.why = ""  # offline: "no_network" | "hub_unreachable" | "" (not known)
        self.asked = False  # a round the associate asked for (F5) is under way

    # --- fed by the status controller -------------------------------------------------------

    def set_status(self, status: TerminalStatus) -> None:
        self.status = status
        self.changed.emit()

    def set_reachable(self, online: bool, why: str = "") -> None:
        if self._reachable is online and self.why == ("" if online else why):
            return
        self._reachable = online
        self.why = "" if online else why
        self.changed.emit()

    # --- read by every view -----------------------------------------------------------------

    @property
    def known(self) -> bool:
        return self.status is not None or self._reachable is not None

    @property
    def online(self) -> bool:
        if self._reachable is not None:
            return self._reachable
        return self.status is not None and self.status.online

    @property
    def pending(self) -> int:
        return self.status.pending if self.status is not None else 0

    @property
    def problems(self) -> int:
        """Records parked for a person (rejected, conflict, attention)."""
        s = self.status
        return 0 if s is None else s.rejected + s.conflict + s.attention

    @property
    def last_pull_at(self) -> int | None:
        return self.status.last_pull_at if self.status is not None else None
