"""A new member signed up at the counter — offline too — and served at once.

The associate types the customer's phone (the full number, validated), name and optional
birthday; the customer reads the chain's consent wording (the ``signup_text`` entity of the
feed, one per version and language: :func:`signup_text`) and answers. :func:`sign_up` then,
in one outbox transaction:

* records a ``signup`` interaction (:class:`clerk.shared.interactions.Signup`) naming a new
  *provisional* member id ``P-<uuid7>``, the number sealed to the hub (the terminal cannot open
  it), the consent answer and the version of the text shown;
* keeps what the terminal shows of the provisional member (``provisional_members``: name, the
  number's last digits, bucket and masked form — never the number — birthday, consent).

The provisional member is usable at once: visits, notes, sales are recorded against
``P-<uuid7>`` and the customer view shows them as "new member, pending sync". When the hub
accepts the sign-up it answers with the real member's id (a new member, or the one who had the
number already, also when another terminal signed the same number up offline); the outbox
then, in the transaction that settles the answer (:func:`clerk.outbox.resolve_provisional`),
rewrites the member of the records it has not sent yet; those sent already name the
provisional id, which the hub resolves. Nothing is lost or recorded twice.

The new member's code, shown at once (:attr:`clerk.model.Provisional.code`): before the hub
answered, a sign-up QR the member app redeems — ``SU1:<provisional id>`` — which the app
exchanges at the hub for the member's account once the sign-up has synced (until then it says
"being set up").
"""

from __future__ import annotations

import sqlite3
from typing import Any

from clerk import outbox as outbox_mod
from clerk.db import Transaction
from clerk.errors import RecordError
from clerk.ids import uuid7_str
from clerk.model import PROVISIONAL_PREFIX, Provisional, SignupText
from clerk.shared import phones

CONSENT_LANGS = ("zh", "en")


def is_provisional(member_id: str | None) -> bool:
    return bool(member_id) and str(member_id).startswith(PROVISIONAL_PREFIX)


def new_provisional_id() -> str:
    return PROVISIONAL_PREFIX + uuid7_str()


def signup_text(cache: sqlite3.Connection, lang: str) -> SignupText | None:
    """The newest consent wording in ``lang`` (None: the hub has sent none yet — no sign-up
    then: the customer must be shown the chain's exact words)."""
    row = cache.execute(
        "SELECT version, lang, text FROM signup_texts WHERE lang = ?"
        " ORDER BY published_at DESC, version DESC LIMIT 1",
        (lang,),
    ).fetchone()
    return None if row is None else SignupText(str(row[0]), str(row[1]), str(row[2]))


def sign_up(
    outbox: sqlite3.Connection,
    *,
    phone: str,
    name: str,
    consent: SignupText,
    marketing: bool,
    browsing: bool,
    keys: phones.PhoneKeys,
    birthday: str | None = None,
    store_id: str | None = None,
    staff_id: str | None = None,
    now: int,
) -> Provisional:
    """Sign a customer up (see the module's rules). RecordError (``problem``, ``field``) for a
    number that is not one (``bad_phone``, field ``phone``) or a payload the hub would refuse
    (a blank name, a birthday that is no date …): nothing is written then."""
    from clerk.shared.interactions import InvalidInteraction, Signup, parse_payload

    e164 = phones.normalize_phone(phone.strip())
    if e164 is None:
        raise RecordError("not a phone number", problem="bad_phone", field="phone")
    pid = new_provisional_id()
    fields: dict[str, Any] = {
        "provisional_id": pid,
        "phone_sealed": phones.seal(keys.seal_key, e164),
        "name": name,
        "consent_version": consent.version,
        "consent_lang": consent.lang,
        "consent_marketing": marketing,
        "consent_browsing": browsing,
    }
    if birthday:
        fields["birthday"] = birthday
    try:
        payload = parse_payload("signup", fields)
    except InvalidInteraction as exc:
        raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc
    assert isinstance(payload, Signup)
    masked = phones.mask_phone(e164)
    with Transaction(outbox):
        try:
            rec = outbox_mod.record(outbox, "signup", staff_id=staff_id, payload=payload, now=now)
        except InvalidInteraction as exc:
            raise RecordError(str(exc), problem=exc.reason, field=exc.field) from exc
        outbox.execute(
            "INSERT INTO provisional_members (id, signup_id, name, phone_last4, phone_bucket,"
            " phone_masked, birthday, consent_marketing, consent_browsing, consent_version,"
            " store_id, staff_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pid,
                rec.id,
                payload.name,
                phones.tail(e164),
                phones.phone_bucket(keys.bucket_key, e164),
                masked,
                payload.birthday,
                int(marketing),
                int(browsing),
                consent.version,
                store_id,
                staff_id,
                now,
            ),
        )
    return Provisional(pid, rec.id, payload.name, masked, now)


# The provisional member in the shape of the cache's member row (clerk/view360.Q_MEMBER).
Q_PROVISIONAL_MEMBER = (
    "SELECT id, name, NULL, 'basic', 0, phone_masked, NULL, consent_marketing,"
    " consent_browsing, '[]', store_id, birthday, created_at FROM provisional_members"
    " WHERE id = ?"
)


def member_row(outbox: sqlite3.Connection, provisional_id: str) -> Any:
    """The provisional member as a cache member row (None: not signed up here)."""
    return outbox.execute(Q_PROVISIONAL_MEMBER, (provisional_id,)).fetchone()


def real_id(outbox: sqlite3.Connection, provisional_id: str) -> str | None:
    """The member the hub made of a provisional one (None: it has not answered yet)."""
    row = outbox.execute(
        "SELECT member_id FROM provisional_members WHERE id = ?", (provisional_id,)
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def get(outbox: sqlite3.Connection, provisional_id: str) -> Provisional | None:
    row = outbox.execute(
        "SELECT id, signup_id, name, phone_masked, created_at, member_id"
        " FROM provisional_members WHERE id = ?",
        (provisional_id,),
    ).fetchone()
    if row is None:
        return None
    return Provisional(
        str(row[0]), str(row[1]), str(row[2]), str(row[3] or ""), int(row[4]), row[5]
    )


def store_count(
    cache: sqlite3.Connection,
    outbox: sqlite3.Connection,
    since: int,
    until: int,
    store_id: str | None,
) -> int:
    """Sign-ups at the store's counters in [since, until): this terminal's (answered or not)
    and the members the hub made of the store's other terminals' sign-ups (ids
    ``S<12 hex>``, joined in the range), each member once."""
    seen = {
        str(r[1] or r[0])
        for r in outbox.execute(
            "SELECT id, member_id FROM provisional_members"
            " WHERE created_at >= ? AND created_at < ?",
            (since, until),
        )
    }
    # by the primary key: the S… ids only, never a scan of the members
    for r in cache.execute(
        "SELECT id FROM members WHERE id >= 'S' AND id < 'T' AND length(id) = 13"
        " AND joined_at >= ? AND joined_at < ? AND home_store IS ?",
        (since, until, store_id),
    ):
        seen.add(str(r[0]))
    return len(seen)


def count(outbox: sqlite3.Connection, since: int, until: int) -> int:
    """Sign-ups made at this terminal in [since, until)."""
    row = outbox.execute(
        "SELECT count(*) FROM provisional_members WHERE created_at >= ? AND created_at < ?",
        (since, until),
    ).fetchone()
    return int(row[0])
