"""The interaction vocabulary: every kind of record the terminal makes and the hub accepts,
defined once — its payload type, with its own validation, and what the kind means to each part.

    kind      payload   member  history  counted  recorded by
    visit     Visit     yes     yes      yes      associate, manager
    note      Note      yes     yes      yes      associate, manager
    interest  Interest  yes     yes      yes      associate, manager
    redeem    Redeem    yes     yes      yes      associate, manager
    sale      Sale      yes     yes      yes      associate, manager
    points_redeem PointsRedeem yes yes   yes      associate, manager
    consent   Consent   yes     yes      yes      associate, manager
    case_open  CaseOpen  yes    yes      no       associate, manager
    case_note  CaseNote  yes    yes      no       associate, manager
    case_close CaseClose yes    yes      no       associate, manager
    signup    Signup    no      no       no       associate, manager
    link      Link      no*     no       no       associate, manager
    resolve   Resolve   no      no       no       manager
    task         Task        yes  no   no   associate, manager (a follow-up task created)
    task_update  TaskUpdate  yes  no   no   associate, manager (done, snoozed, reassigned)
    assign       Assign      yes  no   no   manager (the member's associate in the client book)
    contacted    Contacted   yes  no   no   associate, manager (outreach made; closes its task)
    audit     Audit     no      no       no       associate, manager (the terminal's audit log)

* **member**: the record is about a member (``member_id``, or a scanned ``member_ref`` the hub
  resolves); the hub rejects one it cannot match (``unknown_member``). These are the kinds a
  person records with a customer (``clerk record``, the customer screen). One kind, ``visit``,
  may also be a **walk-in** (:attr:`KindSpec.walk_in`): recorded with neither ``member_id`` nor
  ``member_ref`` (``via="walk_in"``) — a customer served who is not a member; accepted, counted
  as a walk-in, in no one's history. A ``member_ref`` the hub cannot match is still rejected.
* **signup** makes a member (:class:`Signup`): it names the *provisional* member
  (``P-<uuid7>``) the terminal serves at once; the hub de-duplicates it by phone (the number
  sealed to it, never kept in clear on the terminal) and answers with the real member's id,
  which later records naming the provisional id resolve to (clerk/signup.py).
* **link** (*names its ``member_id``, but is no record of the customer screen or
  ``clerk record``) binds an identity the counter met (a card, a phone — sealed —, a WeChat
  UnionID) to the member who proved who they are (their member code as scanned, or their full
  number typed — sealed): the hub checks the proof and applies it (OneID); an identity another
  member holds is a conflict for a person (``identity_taken``), never moved.
* **history**: it shows in the customer's history, and the hub, accepting one, writes its
  history row (``visits``: the kind, the typed text, the structured facts — never prose).
* **counted**: the store reports count it.
* **followup**: a kind of the client book and its follow-up tasks (``clerk task``, the
  task views), not one of ``clerk record``'s; the hub keeps its effect in ``tasks`` or
  ``assignments`` (sync/hub/tasks.py), sent to the store's terminals as feed entities.
* **roles**: who may record it (the hub refuses a record of a known staff member whose role
  is not among them: ``staff_role``).

Payloads are frozen pydantic dataclasses, bounded: strings have a maximum length, money is
integer fen from 0 to :data:`~clerk.shared.money.MAX_CENTS`, quantities 1–999, a sale at most
200 lines; no float, NaN, infinity or boolean passes for an integer, nor a number for a
boolean. Unknown fields are ignored (a newer terminal's extra field does not make an older hub
reject the record) and not kept in the typed value.

    parse_payload("sale", {...})   the typed payload, or InvalidInteraction(reason, field)
    validate("sale", payload)      the same for a typed payload or a mapping
    Sale.of(lines, amount_cents)   constructors that raise InvalidInteraction too
    dump(payload)                  what the outbox stores and the wire carries (JSON-ready)
    history_row(payload)           (text, facts): the hub's history row of an accepted record
    from_history(kind, text, facts) the typed payload again (None if unreadable)

The package, by part — import from ``clerk.shared.interactions`` (this module is the public
surface; the parts are its rooms, not other import paths):

    base      the bounds, field types, REASONS, InvalidInteraction, build (the constructors')
    records   Visit, Note, Interest, Sale, Consent, Audit
    loyalty   Redeem, PointsRedeem, Resolve
    cases     CaseOpen, CaseNote, CaseClose
    signup    Signup, Link (and the provisional id's form)
    tasks     Task, TaskUpdate, Assign, Contacted
    kinds     Payload, KindSpec, KINDS and the sets of kinds, spec, needs_member, may_record
    codec     parse_payload, validate, dump, history_row, from_history

A new kind: its payload type in the part of its family, its spec in ``kinds``, its name here.

Import cost: this package imports pydantic. The app's start path must not import it before its
first screen is up (tests/ui/test_app_start.py): import it where a record is made or read.
Like the rest of ``clerk/shared/``, it imports nothing of ours outside this package.
"""

from __future__ import annotations

from clerk.shared.interactions.base import (
    EVERYONE,
    MAX_ID,
    MAX_LINES,
    MAX_QTY,
    MAX_SHOWN,
    MAX_TEXT,
    REASONS,
    ROLES,
    Cents,
    Hash,
    Id,
    InvalidInteraction,
    Qty,
    Remark,
    ShownKind,
    invalid,
)
from clerk.shared.interactions.cases import (
    MAX_SUBJECT,
    CaseClose,
    CaseNote,
    CaseOpen,
    CaseType,
)
from clerk.shared.interactions.codec import (
    dump,
    from_history,
    history_row,
    parse_payload,
    validate,
)
from clerk.shared.interactions.kinds import (
    CASE_KINDS,
    CONVERSION_KINDS,
    COUNTED_KINDS,
    FOLLOWUP_KINDS,
    HISTORY_KINDS,
    KINDS,
    MEMBER_KINDS,
    KindSpec,
    Payload,
    may_record,
    needs_member,
    spec,
)
from clerk.shared.interactions.loyalty import (
    MAX_POINTS,
    Decision,
    PointsRedeem,
    Redeem,
    Resolve,
)
from clerk.shared.interactions.records import (
    Audit,
    Consent,
    Interest,
    InterestAction,
    Note,
    Sale,
    SaleLine,
    Visit,
)
from clerk.shared.interactions.signup import (
    PROVISIONAL_PREFIX,
    SIGNED_UP_PREFIX,
    Birthday,
    Link,
    LinkKind,
    ProvisionalId,
    Signup,
)
from clerk.shared.interactions.tasks import (
    OUTCOMES,
    Assign,
    Contacted,
    Outcome,
    Task,
    TaskAction,
    TaskUpdate,
    Time,
    Title,
)

__all__ = [
    "CASE_KINDS",
    "CONVERSION_KINDS",
    "COUNTED_KINDS",
    "EVERYONE",
    "FOLLOWUP_KINDS",
    "HISTORY_KINDS",
    "KINDS",
    "MAX_ID",
    "MAX_LINES",
    "MAX_POINTS",
    "MAX_QTY",
    "MAX_SHOWN",
    "MAX_SUBJECT",
    "MAX_TEXT",
    "MEMBER_KINDS",
    "OUTCOMES",
    "PROVISIONAL_PREFIX",
    "REASONS",
    "ROLES",
    "SIGNED_UP_PREFIX",
    "Assign",
    "Audit",
    "Birthday",
    "CaseClose",
    "CaseNote",
    "CaseOpen",
    "CaseType",
    "Cents",
    "Consent",
    "Contacted",
    "Decision",
    "Hash",
    "Id",
    "Interest",
    "InterestAction",
    "InvalidInteraction",
    "KindSpec",
    "Link",
    "LinkKind",
    "Note",
    "Outcome",
    "Payload",
    "PointsRedeem",
    "ProvisionalId",
    "Qty",
    "Redeem",
    "Remark",
    "Resolve",
    "Sale",
    "SaleLine",
    "ShownKind",
    "Signup",
    "Task",
    "TaskAction",
    "TaskUpdate",
    "Time",
    "Title",
    "Visit",
    "dump",
    "from_history",
    "history_row",
    "invalid",
    "may_record",
    "needs_member",
    "parse_payload",
    "spec",
    "validate",
]
