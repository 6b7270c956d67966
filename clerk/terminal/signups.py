"""Sign-up at the counter and identities linked to a member who proved who they are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clerk import outbox as outbox_mod
from clerk.errors import NotEnrolledError, PermissionDeniedError, RecordError
from clerk.outbox import Recorded
from clerk.ports import Opened
from clerk.terminal.customers import Customers
from clerk.terminal.storage import reads_cache

if TYPE_CHECKING:
    from clerk.model import Provisional, SignupText


class SignUps(Customers):
    """A new member signed up (provisional until the hub answers); a card, phone or UnionID
    linked."""

    @reads_cache
    def signup_text(self, lang: str) -> SignupText | None:
        """The chain's consent wording in ``lang`` ("zh" or "en"), as the hub sent it."""
        from clerk import signup

        cache, _ = self._reader()
        return signup.signup_text(cache, lang)

    def sign_up(
        self,
        *,
        phone: str,
        name: str,
        consent: SignupText,
        marketing: bool,
        browsing: bool,
        birthday: str | None = None,
        staff_id: str | None = None,
    ) -> Provisional:
        """Sign a new member up, offline too (:mod:`clerk.signup`): the provisional member is
        usable at once. Only this store's signed-in staff (PermissionDeniedError);
        RecordError for a number or field the hub would refuse; NotEnrolledError before the
        hub gave its phone keys (the number is sealed to it)."""
        from clerk import signup

        cache, _ = self._reader()
        self._require_staff(cache, staff_id)
        keys = self.phone_keys()
        if keys is None:
            raise NotEnrolledError("enrol this terminal first: the number is sealed to the hub")
        with self._write_lock:
            store = outbox_mod.get_meta(self.outbox, outbox_mod.META_STORE_ID)
            return signup.sign_up(
                self.outbox,
                phone=phone,
                name=name,
                consent=consent,
                marketing=marketing,
                browsing=browsing,
                keys=keys,
                birthday=birthday,
                store_id=store,
                staff_id=staff_id,
                now=int(self.clock()),
            )

    @reads_cache
    def open_signed_up(self, provisional_id: str, staff_id: str | None = None) -> Opened:
        """Serve a member just signed up here: their visit recorded (``via: signup`` — they
        are at the counter), their 360 (pending sync) returned."""
        from clerk.model import Identity

        view = self.view(provisional_id)
        if view is None:
            raise PermissionDeniedError("no member signed up here under this id")
        member_id = view.profile.member_id
        visit = self.record(
            "visit", member_id=member_id, staff_id=staff_id, payload={"via": "signup"}
        )
        identity = Identity(kind="member_id", value=member_id, ref=f"member:{member_id}")
        return Opened(identity, member_id, self.view(member_id), visit, True, None)

    @reads_cache
    def link(
        self,
        member_id: str,
        *,
        identity: str,
        value: str,
        proof: str,
        staff_id: str | None = None,
    ) -> Recorded:
        """Link an identity met at the counter (``identity``: card | phone | unionid, its
        ``value`` as typed or scanned) to the member, once the customer proved who they are
        (``proof``: their member code as scanned, or their full number as typed — which must
        fit what this terminal holds of the member's). The hub applies it; one another member
        holds is a conflict for a person. RecordError (``field``: value or proof) otherwise."""
        from clerk import identify
        from clerk.shared import phones

        cache, _ = self._reader()
        self._require_staff(cache, staff_id)
        keys = self.phone_keys()
        if keys is None:
            raise NotEnrolledError("enrol this terminal first: numbers are sealed to the hub")
        text = value.strip()
        if identity == "phone":
            e164 = phones.normalize_phone(text)
            if e164 is None:
                raise RecordError("not a phone number", problem="bad_phone", field="value")
            text = phones.seal(keys.seal_key, e164)
        elif identity == "card" and not identify.luhn_valid(text):
            raise RecordError("not a card number", problem="bad_card", field="value")
        payload: dict[str, Any] = {"identity": identity, "value": text}
        if proof.strip().upper().startswith("MC1:"):
            scanned = self.identify(proof.strip())
            if scanned.kind != "code" or self.resolve(scanned) != member_id:
                raise RecordError("not this member's code", problem="no_proof", field="proof")
            payload["code"] = proof.strip()
        else:
            e164 = phones.normalize_phone(proof.strip())
            row = cache.execute(
                "SELECT phone_last4, phone_bucket FROM members WHERE id = ?", (member_id,)
            ).fetchone()
            if (
                e164 is None
                or row is None
                or (row[0], row[1])
                != (phones.tail(e164), phones.phone_bucket(keys.bucket_key, e164))
            ):
                raise RecordError("not this member's number", problem="no_proof", field="proof")
            payload["phone_sealed"] = phones.seal(keys.seal_key, e164)
        return self.record("link", member_id=member_id, staff_id=staff_id, payload=payload)

    @reads_cache
    def signups(self, since: int, until: int) -> int:
        """Members signed up at this terminal in [since, until)."""
        from clerk import signup

        _, outbox = self._reader()
        return signup.count(outbox, since, until)
