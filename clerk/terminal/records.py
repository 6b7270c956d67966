"""The terminal's records: an interaction into the outbox, drafts, and the records left for a
person (fixed, withdrawn, dismissed) — every write through the one outbox.db writer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clerk import audit as audit_mod
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from clerk.errors import RecordError
from clerk.outbox import Recorded, Settled
from clerk.terminal.storage import Storage

if TYPE_CHECKING:
    from clerk.shared.interactions import Payload
    from clerk.staff import Session


class Records(Storage):
    """Record an interaction (validated first), keep drafts, settle what the hub refused."""

    def record(
        self,
        kind: str,
        *,
        member_id: str | None,
        member_ref: str | None = None,
        staff_id: str | None = None,
        payload: Payload | Mapping[str, Any] | None = None,
    ) -> Recorded:
        """Durably record an interaction in the outbox (synchronous=FULL) and return it.

        The payload (typed, or its JSON object) is validated against its kind first: a record
        the hub would refuse for its shape is not saved (RecordError, with the problem and the
        field). A coupon redemption is also written to the audit log."""
        from clerk.shared.interactions import InvalidInteraction

        # One commit for the interaction and, for a redemption, its audit row.
        with self._write_lock, Transaction(self.outbox):
            if kind == "points_redeem":  # within the local balance (clerk/points.py)
                self._check_points(member_id, payload)
            try:
                rec = outbox_mod.record(
                    self.outbox,
                    kind,
                    member_id=member_id,
                    member_ref=member_ref,
                    staff_id=staff_id,
                    payload=payload,
                    now=int(self.clock()),
                )
            except InvalidInteraction as exc:
                raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc
            if rec.kind == "redeem":
                audit_mod.append(
                    self.outbox,
                    "redeem",
                    staff_id,
                    {
                        "interaction_id": rec.id,
                        "member_id": member_id,
                        "coupon_id": rec.payload.get("coupon_id"),
                    },
                    rec.created_at,
                )
            return rec

    def _check_points(
        self, member_id: str | None, payload: Payload | Mapping[str, Any] | None
    ) -> None:
        from clerk import points as points_mod
        from clerk.shared.interactions import InvalidInteraction, PointsRedeem, validate

        try:
            typed = validate("points_redeem", payload)
        except InvalidInteraction as exc:
            raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc
        assert isinstance(typed, PointsRedeem)
        with self._reading():
            cache, _outbox = self._reader()
            points_mod.check_redeem(cache, self.outbox, member_id, typed.points)

    # -- drafts (clerk/drafts.py) ------------------------------------------------------------

    def save_draft(
        self, staff_id: str | None, member_key: str, form: str, values: Mapping[str, Any]
    ) -> None:
        from clerk import drafts

        with self._write_lock:
            drafts.save(self.outbox, staff_id, member_key, form, values, int(self.clock()))

    def drafts(self, staff_id: str | None, member_key: str) -> dict[str, dict[str, Any]]:
        from clerk import drafts

        with self._write_lock:
            return drafts.load(self.outbox, staff_id, member_key)

    def discard_draft(self, staff_id: str | None, member_key: str, form: str) -> None:
        from clerk import drafts

        with self._write_lock:
            drafts.discard(self.outbox, staff_id, member_key, form)

    # -- records left for a person (clerk/rejected.py) -----------------------------------------

    def fix_record(
        self,
        iid: str,
        payload: Payload | Mapping[str, Any],
        *,
        staff_id: str | None,
        session: Session | None = None,
    ) -> Recorded:
        """Record the corrected copy of a rejected or parked record (a new id superseding it;
        the old one is ``corrected``), audited. RecordError when the payload is refused;
        PermissionDeniedError unless it is ``staff_id``'s own record or ``session`` a
        manager's."""
        from clerk import rejected
        from clerk.shared.interactions import InvalidInteraction

        with self._write_lock:
            try:
                return rejected.fix(
                    self.outbox,
                    iid,
                    payload,
                    staff_id=staff_id,
                    session=session,
                    now=int(self.clock()),
                )
            except InvalidInteraction as exc:
                raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc

    def withdraw_record(
        self,
        iid: str,
        *,
        staff_id: str | None,
        session: Session | None = None,
        reason: str | None = None,
    ) -> Settled:
        """Take back a rejected or parked record (the associate's own, or a manager); audited."""
        from clerk import rejected

        with self._write_lock:
            return rejected.withdraw(
                self.outbox,
                iid,
                staff_id=staff_id,
                session=session,
                reason=reason,
                now=int(self.clock()),
            )

    def left_for_a_person(self, iid: str) -> Settled | None:
        """The record ``iid`` as kept (its payload as recorded, even one the vocabulary now
        refuses), with its state and the hub's answer; None when unknown."""
        with self._write_lock:
            return outbox_mod.settled_row(self.outbox, iid)

    def dismiss_record(self, iid: str, *, session: Session | None, reason: str) -> Settled:
        """Close a rejected or parked record with a reason: managers only; audited."""
        from clerk import rejected

        with self._write_lock:
            return rejected.dismiss(
                self.outbox, iid, session=session, reason=reason, now=int(self.clock())
            )

    def record_walk_in(self, staff_id: str | None = None) -> Recorded:
        """A customer served who is not a member (or did not say): a visit naming no one,
        counted as a walk-in (the hub accepts it; it is in no one's history)."""
        return self.record("visit", member_id=None, staff_id=staff_id, payload={"via": "walk_in"})
