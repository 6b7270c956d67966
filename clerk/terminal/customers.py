"""A customer at the counter: identify → resolve → the 360 view, the visit recorded once per
visit window, and a customer found without a code (search, a client book's row)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from clerk import audit as audit_mod
from clerk import cache as cache_mod
from clerk import logs
from clerk import outbox as outbox_mod
from clerk.db import Transaction
from clerk.errors import ClerkError, PermissionDeniedError
from clerk.outbox import Recorded
from clerk.ports import Opened
from clerk.terminal.records import Records
from clerk.terminal.storage import int_or_none, reads_cache

if TYPE_CHECKING:
    from clerk.jti import JtiTracker
    from clerk.model import CustomerView, Identity, PhoneCandidate
    from clerk.search_terms import Found

# clerk.identify (with clerk.membercode and the cryptography it verifies with) and
# clerk.view360 are imported on first use: the app's first screen (sign-in) needs neither,
# and they are a good part of the terminal's import time.


class Customers(Records):
    """Who is at the counter, and their 360."""

    _jtis: JtiTracker | None = None  # member-code ids seen (a rescan: same visit)

    @reads_cache
    def identify(self, text: str) -> Identity:
        """Classify scanned or typed text. Raises IdentifyError (with .reason) when it is not a
        member identity."""
        from clerk import identify

        return identify.classify(
            text, phone_keys=self.phone_keys(), keys=self.public_keys(), now=self.corrected_now()
        )

    @reads_cache
    def resolve(self, identity: Identity) -> str | None:
        from clerk import view360

        cache, _ = self._reader()
        return view360.resolve(cache, identity)

    @reads_cache
    def phone_candidates(self, identity: Identity) -> list[PhoneCandidate]:
        """The cached members a typed phone may be (the same last digits and bucket)."""
        from clerk import view360

        cache, _ = self._reader()
        return view360.phone_candidates(cache, identity)

    @reads_cache
    def open_customer(self, identity: Identity, staff_id: str | None = None) -> Opened:
        """Resolve the identity (asking the hub on a miss when it can), record the visit once
        per visit window (a member's: someone unknown gets none, see :meth:`record_walk_in` and
        :meth:`record_unmatched_visit`),
        and return the 360 view.

        A typed phone that fits several cached members (the same last digits and bucket) is
        asked at the hub by proof when online; offline, the visit is recorded against the
        sealed number (the hub resolves it exactly) and the candidates are returned for the
        associate to pick from (reason ``choose``)."""
        member_id = self.resolve(identity)
        cached = member_id is not None
        reason: str | None = None
        candidates: tuple[PhoneCandidate, ...] = ()
        if member_id is None and identity.kind == "phone":
            candidates = tuple(self.phone_candidates(identity))
        if member_id is None and self.fetch_member is not None:
            try:
                member_id = self.fetch_member(identity, staff_id)
            except ClerkError:
                member_id = None
                reason = "choose" if candidates else "not_cached"
            else:
                candidates = ()
                if member_id is None:
                    reason = "unknown_member"
        elif member_id is None:
            reason = "choose" if candidates else "not_cached"
        # The visit (when this is a new one) and the audit row of the view: one transaction,
        # one fsync on the way from the scan to the screen. Someone no member matches (not
        # here offline, unknown at the hub) gets no visit yet: the associate decides — a
        # walk-in, another identity, or (offline) a member for the hub to match.
        unknown = member_id is None and reason in ("not_cached", "unknown_member")
        # The 360 is read first: the visit records which talking points it shows ("did it
        # work?"), and the view is shaped again with the visit, without reading again.
        raw = self._fetch_view(member_id) if member_id is not None else None
        view = self._shape_view(raw) if raw is not None else None
        shown = self._shown(view) if view is not None else ()
        with self._write_lock, Transaction(self.outbox):
            visit = (
                None
                if unknown
                else self._record_visit_once(identity, member_id, staff_id, shown=shown)
            )
            audit_mod.append(
                self.outbox,
                "view_customer",
                staff_id,
                {"member_id": member_id} if member_id else {"member_ref": identity.ref},
                int(self.clock()),
            )
        if raw is not None and visit is not None and visit.member_id is not None:
            view = self._shape_view(raw, visit)
        return Opened(identity, member_id, view, visit, cached, reason, candidates)

    def record_unmatched_visit(
        self, identity: Identity, staff_id: str | None = None
    ) -> Recorded | None:
        """The associate says the customer offline-unknown here is a member: the visit is
        recorded against the scanned identity (``member_ref``), for the hub to match when it
        syncs (None: this visit was already recorded)."""
        with self._write_lock, Transaction(self.outbox):
            return self._record_visit_once(identity, None, staff_id)

    @reads_cache
    def pick_candidate(self, opened: Opened, member_id: str, staff_id: str | None = None) -> Opened:
        """The associate picked ``member_id`` among a typed phone's candidates (``opened``
        said ``choose``): its 360, the view audited. No second visit: the one recorded against
        the sealed number is resolved by the hub to whoever the number belongs to."""
        if member_id not in {c.member_id for c in opened.candidates}:
            raise ValueError(f"{member_id!r} is not one of the candidates")
        self.audit(
            "view_customer",
            staff_id,
            {"member_id": member_id, "picked_among": len(opened.candidates)},
        )
        return dataclasses.replace(
            opened,
            member_id=member_id,
            view=self.view(member_id),
            cached=True,
            reason=None,
            candidates=(),
        )

    def _record_visit_once(
        self,
        identity: Identity,
        member_id: str | None,
        staff_id: str | None,
        *,
        shown: tuple[str, ...] = (),
    ) -> Recorded | None:
        """Inside open_customer's transaction (the write lock held)."""
        now = self.clock()
        if (
            identity.jti is not None
            and identity.expires_at is not None
            and self._jti_tracker().seen(identity.jti, identity.expires_at, now)
        ):
            return None
        window = int(self.settings.get("visit_window_minutes")) * 60
        recent = self.outbox.execute(
            "SELECT 1 FROM interactions WHERE kind = 'visit' AND created_at >= ? AND "
            "(member_id = ? OR member_ref = ?) LIMIT 1",
            (int(now) - window, member_id, identity.ref),
        ).fetchone()
        if recent is not None:
            return None
        payload: dict[str, Any] = {"via": identity.kind}
        if identity.jti:
            payload["jti"] = identity.jti
        # A member of another store is written about only with proof of presence: the visit
        # carries what was scanned or typed (the card, the sealed phone, the signed code).
        proven = identity.kind in ("code", "card", "phone") and (
            member_id is None or not self._of_this_store(member_id)
        )
        if proven and identity.kind == "code" and identity.proof:
            payload["code"] = identity.proof
        if shown:
            payload["shown"] = list(shown)
        return outbox_mod.record(
            self.outbox,
            "visit",
            member_id=member_id,
            member_ref=identity.ref if member_id is None or proven else None,
            staff_id=staff_id,
            payload=payload,
            now=int(now),
        )

    def _of_this_store(self, member_id: str) -> bool:
        """Whether the cached member's home is the store this terminal is enrolled to."""
        store_id = outbox_mod.get_meta(self.outbox, outbox_mod.META_STORE_ID)
        cache, _ = self._reader()
        row = cache.execute("SELECT home_store FROM members WHERE id = ?", (member_id,)).fetchone()
        return store_id is None or row is None or row[0] == store_id

    def _jti_tracker(self) -> JtiTracker:
        if self._jtis is None:
            from clerk.jti import JtiTracker

            self._jtis = JtiTracker()
        return self._jtis

    # -- find a customer without a code ------------------------------------------------------------

    @reads_cache
    def search(self, text: str, staff_id: str | None) -> list[Found]:
        """This store's members that ``text`` finds — a name (hanzi or pinyin), the last four
        digits of a phone, a card — masked, best first, at most 20 (:mod:`clerk.search`).
        Only staff of this store search (PermissionDeniedError for anyone else); the search
        itself is not audited, opening a result is (:meth:`open_found`)."""
        from clerk import search

        cache, outbox = self._reader()
        self._require_staff(cache, staff_id)
        store = outbox_mod.get_meta(outbox, outbox_mod.META_STORE_ID)
        return search.search(cache, text, store_id=store)

    @reads_cache
    def open_found(
        self, member_id: str, staff_id: str | None = None, via: str = "search"
    ) -> Opened:
        """Open a search result (or a client book's row, ``via="clientbook"``): its 360, the
        view audited (``view_customer``, ``via``). No visit is recorded — a search proves
        nobody's presence; what the associate then records is recorded as usual. A member
        this store's search cannot find (another store's, fetched by proof) is refused:
        PermissionDeniedError."""
        from clerk.model import Identity

        cache, outbox = self._reader()
        self._require_staff(cache, staff_id)
        store = outbox_mod.get_meta(outbox, outbox_mod.META_STORE_ID)
        row = cache.execute("SELECT home_store FROM members WHERE id = ?", (member_id,)).fetchone()
        if row is None or (store is not None and row[0] != store):
            raise PermissionDeniedError("not a member of this store: look them up by proof")
        self.audit("view_customer", staff_id, {"member_id": member_id, "via": via})
        identity = Identity(kind="member_id", value=member_id, ref=f"member:{member_id}")
        return Opened(identity, member_id, self.view(member_id), None, True, None)

    def current_member_id(self, member_id: str) -> str:
        """The id to serve ``member_id`` under now: for a member signed up here, the hub's
        real id once it answered and the member reached the cache; otherwise unchanged."""
        from clerk import signup

        if not signup.is_provisional(member_id):
            return member_id
        cache, outbox = self._reader()
        real = signup.real_id(outbox, member_id)
        if (
            real is not None
            and cache.execute("SELECT 1 FROM members WHERE id = ?", (real,)).fetchone()
        ):
            return real
        return member_id

    @reads_cache
    def _fetch_view(self, member_id: str) -> Any:
        """The 360's rows (view360.fetch), None if the member is not cached."""
        from clerk import view360

        cache, outbox = self._reader()
        return view360.fetch(
            cache,
            outbox,
            member_id,
            now=int(self.clock()),
            browse_days=int(self.settings.get("retention_days")),
        )

    @staticmethod
    def _shown(view: CustomerView) -> tuple[str, ...]:
        from clerk import view360

        return view360.shown(view)

    @reads_cache
    def _shape_view(self, raw: Any, visit: Recorded | None = None) -> CustomerView:
        """The 360 of :meth:`_fetch_view`'s rows (and a visit recorded since, overlaid)."""
        import json

        from clerk import view360

        if visit is not None:
            body = json.dumps(visit.payload, ensure_ascii=False, separators=(",", ":"))
            row = (visit.id, visit.kind, visit.staff_id, body, visit.created_at, "pending", None)
            raw = view360.with_record(raw, row)
        cache, _outbox = self._reader()
        view = view360.shape(
            raw,
            now=int(self.clock()),
            online=cache_mod.get_state(cache, "online") == "1",
            last_pull_at=int_or_none(cache_mod.get_state(cache, "last_pull_at")),
        )
        logs.remember_personal(view.profile.name, view.profile.name_en)
        return view

    @reads_cache
    def view(self, member_id: str) -> CustomerView | None:
        from clerk import view360

        member_id = self.current_member_id(member_id)
        cache, outbox = self._reader()
        # Only the two freshness facts: status() also counts the whole outbox, which has no
        # place on the path from a scan to the painted view.
        view = view360.lookup(
            cache,
            outbox,
            member_id,
            now=int(self.clock()),
            online=cache_mod.get_state(cache, "online") == "1",
            last_pull_at=int_or_none(cache_mod.get_state(cache, "last_pull_at")),
            browse_days=int(self.settings.get("retention_days")),
        )
        if view is not None:  # the member being served: their names are masked in logs
            logs.remember_personal(view.profile.name, view.profile.name_en)
        return view
