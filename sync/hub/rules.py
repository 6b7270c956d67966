"""What a device may write (issue 14, item 2; docs/security.md): the hub's bounds on each
interaction but an audit row, checked at ingest (:mod:`sync.hub.ingest`) in this order.

1. **Time** — ``created_at`` not after the hub's now + :attr:`WriteBounds.skew_s`
   (``created_in_future``), nor before the oldest it takes (``created_too_long_ago``): the
   hub's now − :attr:`~WriteBounds.max_age_s` (a terminal a month offline), and the device's
   enrolment − :attr:`~WriteBounds.enrolment_grace_s` (a terminal enrolled again keeps its
   outbox).
2. **Staff** — active staff of the device's store whose role records the kind
   (:func:`sync.hub.staff.staff_problem`: ``unknown_staff``, ``staff_role``).
3. **Member** — one of the device's slice (home store = the device's store); or served to the
   device by proof within the visit window: looked up by proof (``members_served``, written by
   :meth:`sync.hub.members.Members.lookup_by_proof`) or named by an earlier item carrying its
   proof, from :attr:`~WriteBounds.skew_s` before to :attr:`~WriteBounds.served_window_s`
   after; or the item carries the proof itself — a typed card (``card:…``), a sealed phone
   (``phone_sealed:…``), a member code with its signed text (``code:…`` and a visit's
   ``code``, valid when the item was made). Else ``member_not_served``. An accepted item with
   its proof serves the member to the device from its time on.
4. **What it changes** belongs to that member or store: a coupon (``coupon_not_member``), the
   cart lines a sale settles (others are left alone), a resolve's target — a record of the
   device's store or one in conflict with it, as the store's conflicts list shows them (else
   ``unknown_interaction``, as for an unknown id: no oracle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from clerk.shared import membercode
from sync.hub.db import Conn

DAY_S = 86_400

# The member_ref kinds that are proof of presence by themselves (a code needs its signed text).
PROOF_REFS = frozenset({"card", "phone_sealed"})


@dataclass(frozen=True)
class WriteBounds:
    """The hub's windows for what a device writes (``clerk hub serve`` options; docs/hub.md)."""

    skew_s: int = 300  # a terminal's clock may be this far ahead of the hub's
    max_age_s: int = 30 * DAY_S  # the oldest record taken: a month offline
    enrolment_grace_s: int = 10 * DAY_S  # how long before its enrolment a device's records go
    served_window_s: int = 4 * 3600  # records about a member served by proof, after it

    def __post_init__(self) -> None:
        for name in _ENV:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    def env(self) -> dict[str, str]:
        """The windows as environment variables (for ``clerk hub serve --workers N``)."""
        return {var: str(getattr(self, name)) for name, var in _ENV.items()}

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WriteBounds:
        """The windows from :meth:`env`'s variables; a default for each one not set."""
        given = {name: int(environ[var]) for name, var in _ENV.items() if environ.get(var)}
        return cls(**given)


_ENV = {
    "skew_s": "CLERK_HUB_SKEW_S",
    "max_age_s": "CLERK_HUB_MAX_AGE_S",
    "enrolment_grace_s": "CLERK_HUB_ENROLMENT_GRACE_S",
    "served_window_s": "CLERK_HUB_SERVED_WINDOW_S",
}


class DeviceBounds:
    """One batch's bounds for its device: its enrolment, the members served to it (read once
    for the batch, kept up to date as items serve members)."""

    def __init__(
        self,
        conn: Conn,
        device_id: str,
        store_id: str,
        now: int,
        bounds: WriteBounds,
        keys: Callable[[], Mapping[int, bytes]],
        *,
        enrolled: int | Literal["read"] | None = "read",
    ) -> None:
        """``enrolled``: the device's enrolment time when the caller read it already (None: no
        such device); "read": read it here."""
        self.conn = conn
        self.device_id = device_id
        self.store_id = store_id
        self.bounds = bounds
        self._keys = keys
        self._key_cache: Mapping[int, bytes] | None = None
        if enrolled == "read":
            enrolled = conn.scalar("SELECT created_at FROM devices WHERE id = ?", (device_id,))
        oldest = now - bounds.max_age_s
        if enrolled is not None:
            oldest = max(oldest, int(enrolled) - bounds.enrolment_grace_s)
        self.oldest = oldest
        self.latest = now + bounds.skew_s
        self._served: dict[str, list[int]] = {}

    def time_problem(self, created_at: int) -> str | None:
        if created_at > self.latest:
            return "created_in_future"
        if created_at < self.oldest:
            return "created_too_long_ago"
        return None

    def prefetch_served(self, member_ids: Iterable[str]) -> None:
        """The last serving of each of ``member_ids`` (not of the device's slice) to the device."""
        wanted = [m for m in set(member_ids) if m not in self._served]
        for member_id in wanted:
            self._served[member_id] = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            for member_id, at in self.conn.rows(
                "SELECT member_id, served_at FROM members_served WHERE device_id = ? "
                f"AND member_id IN ({marks})",
                [self.device_id, *chunk],
            ):
                self._served[str(member_id)].append(int(at))

    def member_problem(self, member_id: str, home_store: str | None, created_at: int) -> str | None:
        """Why the device may not write about this member at ``created_at`` without proof."""
        if home_store == self.store_id:
            return None
        if member_id not in self._served:  # found by its member_ref: not read up front
            self.prefetch_served([member_id])
        window = self.bounds.served_window_s
        skew = self.bounds.skew_s
        for at in self._served.get(member_id, ()):
            if at - skew <= created_at <= at + window:
                return None
        return "member_not_served"

    def serve(self, member_id: str, at: int) -> None:
        """An accepted item proved the member's presence at ``at``: remembered for the batch
        and in ``members_served`` (the later of the two times kept)."""
        if member_id not in self._served:
            self.prefetch_served([member_id])
        times = self._served[member_id]
        if at in times:
            return
        times.append(at)
        self.conn.execute(
            "INSERT INTO members_served (device_id, member_id, served_at) VALUES (?, ?, ?) "
            "ON CONFLICT (device_id, member_id) DO UPDATE SET served_at = CASE WHEN "
            "excluded.served_at > members_served.served_at THEN excluded.served_at "
            "ELSE members_served.served_at END",
            (self.device_id, member_id, at),
        )

    def code_proves(self, text: str, code_id: int, created_at: int) -> bool:
        """Whether ``text`` is a member code for ``code_id`` that verified when the item was
        made (signature, key, validity window at ``created_at``)."""
        if self._key_cache is None:
            self._key_cache = self._keys()
        try:
            code = membercode.verify(text.strip(), self._key_cache, created_at)
        except (membercode.CodeRejected, ValueError):
            return False
        return code.code_id == code_id
