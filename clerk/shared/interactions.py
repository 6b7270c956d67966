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

Import cost: this module imports pydantic. The app's start path must not import it before its
first screen is up (tests/ui/test_app_start.py): import it where a record is made or read.
Like the rest of ``clerk/shared/``, it imports nothing of ours outside this package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass as std_dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, TypeVar

from pydantic import (
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from clerk.shared.money import MAX_CENTS

MAX_TEXT = 4000  # characters of a note or a remark
MAX_ID = 64  # characters of a sku, coupon, cart line or interaction id
MAX_QTY = 999
MAX_LINES = 200  # lines of one sale (and cart lines it closes)
ROLES = ("associate", "manager")
EVERYONE = frozenset(ROLES)

# Why a record is refused (InvalidInteraction.reason), whichever field it is about.
REASONS = (
    "unknown_kind",  # not a kind of this vocabulary
    "kind_mismatch",  # a typed payload of another kind
    "needs_member",  # a kind about a member, recorded without one
    "missing",  # a required field is absent
    "wrong_type",  # e.g. a string where a number belongs, 1 for true, 12.5 for a quantity
    "empty",  # an empty string or id
    "blank",  # a note of spaces only
    "too_long",  # a string over its maximum length
    "too_few",  # a list under its minimum (a sale without a line)
    "too_many",  # a list over its maximum
    "out_of_range",  # a number outside its bounds (a negative amount, a quantity of 0)
    "not_allowed",  # a value outside a fixed set (an interest action, a decision)
    "bad_format",  # a string of the wrong form (an audit hash)
    "no_change",  # a consent record that changes no flag
    "needs_outcome",  # a task marked done without its outcome
    "needs_due",  # a task snoozed without its new due time
)

_CONFIG = ConfigDict(extra="ignore")
Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)]
Remark = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Cents = Annotated[int, Strict(), Field(ge=0, le=MAX_CENTS)]
Qty = Annotated[int, Strict(), Field(ge=1, le=MAX_QTY)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MAX_SHOWN = 16  # kinds of talking points a visit records as shown
ShownKind = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,24}(:[a-z_]{1,24})?$")]


class InvalidInteraction(ValueError):
    """A record the hub would refuse for its shape. ``reason`` is one of :data:`REASONS`;
    ``field`` is the dotted path of the field in the payload (``"items.0.qty"``), or None
    for the record as a whole — so a form can point at what to fix."""

    def __init__(self, kind: str, reason: str, field: str | None, message: str) -> None:
        where = f"{kind}.{field}" if field else kind
        super().__init__(f"{where}: {message}")
        self.kind = kind
        self.reason = reason
        self.field = field


# --- the payloads ------------------------------------------------------------------------------


@dataclass(frozen=True, config=_CONFIG)
class Visit:
    """The member was served (recorded on identification). ``via``: how they were identified
    (code, card, phone …); ``jti``: the member-code instance (the hub flags one seen at two
    terminals); ``code``: the member code as scanned, for a member of another store — the
    proof of presence the hub checks (sync/hub/rules.py). Neither is a fact of the history.
    ``shown``: the kinds of talking points and recommendations the screen showed (a fact)."""

    kind: ClassVar[str] = "visit"
    private: ClassVar[frozenset[str]] = frozenset({"jti", "code"})

    via: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    jti: Id | None = None
    code: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    text: Remark | None = None
    # What the associate was shown to say (clerk/view360.py ``shown``): the kinds of the talking
    # points and recommendations on the screen at the scan — for "did it work?" (reports).
    shown: Annotated[tuple[ShownKind, ...], Field(max_length=MAX_SHOWN)] | None = None


@dataclass(frozen=True, config=_CONFIG)
class Note:
    """A note about the member, as the associate typed it (1–4,000 characters, not blank)."""

    kind: ClassVar[str] = "note"
    private: ClassVar[frozenset[str]] = frozenset()

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "a note cannot be blank")
        return value

    @classmethod
    def of(cls, text: str) -> Note:
        return _build(cls, text=text)


InterestAction = Literal["tried_on", "asked_about"]


@dataclass(frozen=True, config=_CONFIG)
class Interest:
    """The member tried on or asked about a product."""

    kind: ClassVar[str] = "interest"
    private: ClassVar[frozenset[str]] = frozenset()

    sku: Id
    action: InterestAction = "asked_about"
    text: Remark | None = None

    @classmethod
    def of(cls, sku: str, action: str = "asked_about", text: str | None = None) -> Interest:
        return _build(cls, sku=sku, action=action, text=text)


@dataclass(frozen=True, config=_CONFIG)
class Redeem:
    """One of the member's coupons redeemed (``amount_cents``: the sale it applied to, when
    known — a percent-off coupon is worth its share of it)."""

    kind: ClassVar[str] = "redeem"
    private: ClassVar[frozenset[str]] = frozenset()

    coupon_id: Id
    amount_cents: Cents | None = None

    @classmethod
    def of(cls, coupon_id: str, amount_cents: int | None = None) -> Redeem:
        return _build(cls, coupon_id=coupon_id, amount_cents=amount_cents)


@dataclass(frozen=True, config=_CONFIG)
class SaleLine:
    sku: Id
    qty: Qty
    price_cents: Cents


@dataclass(frozen=True, config=_CONFIG)
class Sale:
    """An assisted sale: its lines (each with its price), the amount paid, and the member's
    online-cart lines it settles (the hub marks them bought)."""

    kind: ClassVar[str] = "sale"
    private: ClassVar[frozenset[str]] = frozenset()

    items: Annotated[tuple[SaleLine, ...], Field(min_length=1, max_length=MAX_LINES)]
    amount_cents: Cents
    cart_item_ids: Annotated[tuple[Id, ...], Field(max_length=MAX_LINES)] = ()
    text: Remark | None = None

    @classmethod
    def of(
        cls,
        lines: Iterable[tuple[str, int, int]],
        amount_cents: int,
        cart_item_ids: Iterable[str] = (),
        text: str | None = None,
    ) -> Sale:
        """From (sku, qty, price_cents) lines."""
        items = [{"sku": s, "qty": q, "price_cents": p} for s, q, p in lines]
        return _build(
            cls,
            items=items,
            amount_cents=amount_cents,
            cart_item_ids=list(cart_item_ids),
            text=text,
        )

    @property
    def count(self) -> int:
        """Pieces sold (the quantities added up)."""
        return sum(line.qty for line in self.items)


@dataclass(frozen=True, config=_CONFIG)
class Consent:
    """The member's consent changed: a flag given is set, one left out is unchanged (at least
    one is given)."""

    kind: ClassVar[str] = "consent"
    private: ClassVar[frozenset[str]] = frozenset()

    marketing: StrictBool | None = None
    browsing: StrictBool | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Consent:
        if self.marketing is None and self.browsing is None:
            raise PydanticCustomError(
                "no_change", "give marketing and/or browsing", {"field": "marketing"}
            )
        return self

    @classmethod
    def of(cls, marketing: bool | None = None, browsing: bool | None = None) -> Consent:
        return _build(cls, marketing=marketing, browsing=browsing)


MAX_POINTS = 10_000_000  # points of one redemption


@dataclass(frozen=True, config=_CONFIG)
class PointsRedeem:
    """Loyalty points redeemed at the counter (``points``: how many, 1–10,000,000). Recorded
    offline against the terminal's local balance (clerk/points.py); the hub takes them off the
    member's balance, and one that overdraws it — another terminal redeemed too — is kept and
    flagged as a conflict (``points_overdraft``), like a coupon used twice."""

    kind: ClassVar[str] = "points_redeem"
    private: ClassVar[frozenset[str]] = frozenset()

    points: Annotated[int, Strict(), Field(ge=1, le=MAX_POINTS)]
    text: Remark | None = None

    @classmethod
    def of(cls, points: int, text: str | None = None) -> PointsRedeem:
        return _build(cls, points=points, text=text)


CaseType = Literal["complaint", "repair", "other"]
MAX_SUBJECT = 200  # characters of a case's subject


def _filled(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "cannot be blank")
    return value


@dataclass(frozen=True, config=_CONFIG)
class CaseOpen:
    """A service case opened in store — a complaint, a repair … (``case_type``) — about
    ``subject`` (1–200 characters, not blank), for a product if one is named. The case's id is
    the record's id: notes and the close name it, offline too, before the hub has seen it."""

    kind: ClassVar[str] = "case_open"
    private: ClassVar[frozenset[str]] = frozenset()

    case_type: CaseType
    subject: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SUBJECT)]
    sku: Id | None = None
    text: Remark | None = None

    _not_blank = field_validator("subject")(_filled)

    @classmethod
    def of(
        cls, case_type: str, subject: str, sku: str | None = None, text: str | None = None
    ) -> CaseOpen:
        return _build(cls, case_type=case_type, subject=subject, sku=sku, text=text)


@dataclass(frozen=True, config=_CONFIG)
class CaseNote:
    """A note on an open case (1–4,000 characters, not blank)."""

    kind: ClassVar[str] = "case_note"
    private: ClassVar[frozenset[str]] = frozenset()

    case_id: Id
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]

    _not_blank = field_validator("text")(_filled)

    @classmethod
    def of(cls, case_id: str, text: str) -> CaseNote:
        return _build(cls, case_id=case_id, text=text)


@dataclass(frozen=True, config=_CONFIG)
class CaseClose:
    """A case closed, with how it was resolved (optional)."""

    kind: ClassVar[str] = "case_close"
    private: ClassVar[frozenset[str]] = frozenset()

    case_id: Id
    text: Remark | None = None

    @classmethod
    def of(cls, case_id: str, text: str | None = None) -> CaseClose:
        return _build(cls, case_id=case_id, text=text)


CASE_KINDS = frozenset({"case_open", "case_note", "case_close"})

PROVISIONAL_PREFIX = "P-"
SIGNED_UP_PREFIX = "S"  # the hub's id of a member made by a sign-up: "S" and 12 hex digits
ProvisionalId = Annotated[
    str,
    StringConstraints(pattern=r"^P-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
Birthday = Annotated[
    str, StringConstraints(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
]


@dataclass(frozen=True, config=_CONFIG)
class Signup:
    """A new member signed up at the counter. ``provisional_id``: the id the terminal serves
    them under until the hub answers with the real one; ``phone_sealed``: the full number sealed
    to the hub (clerk/shared/phones.py — the terminal keeps only its tail and bucket); the
    consent the customer gave to the text of ``consent_version`` (as shown, in ``consent_lang``).
    The hub merges a sign-up into the member who has the number already."""

    kind: ClassVar[str] = "signup"
    private: ClassVar[frozenset[str]] = frozenset({"phone_sealed"})

    provisional_id: ProvisionalId
    phone_sealed: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
    consent_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    consent_lang: Literal["zh", "en"] = "zh"
    consent_marketing: StrictBool = False
    consent_browsing: StrictBool = False
    birthday: Birthday | None = None

    @field_validator("birthday")
    @classmethod
    def _a_date(cls, value: str | None) -> str | None:
        import datetime

        if value is not None:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError("bad_format", "not a date") from None
        return value


LinkKind = Literal["card", "phone", "unionid"]


@dataclass(frozen=True, config=_CONFIG)
class Link:
    """Link an identity met at the counter to the member (``identity``: its kind; ``value``:
    the card digits, the number sealed to the hub, or the UnionID) — after the customer proved
    who they are: ``code`` (their member code as scanned) or ``phone_sealed`` (their full
    number as typed, sealed)."""

    kind: ClassVar[str] = "link"
    private: ClassVar[frozenset[str]] = frozenset({"value", "code", "phone_sealed"})

    identity: LinkKind
    value: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    code: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    phone_sealed: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _one_proof(self) -> Link:
        if (self.code is None) == (self.phone_sealed is None):
            raise PydanticCustomError(
                "missing", "give the member code or the sealed phone as proof", {"field": "code"}
            )
        return self


Decision = Literal["accept", "reverse"]


@dataclass(frozen=True, config=_CONFIG)
class Resolve:
    """A manager's decision on a conflict (``conflict_id``: the interaction the hub flagged):
    ``accept`` keeps both redemptions, ``reverse`` undoes ours (an overdrawing points
    redemption gives its points back)."""

    kind: ClassVar[str] = "resolve"
    private: ClassVar[frozenset[str]] = frozenset()

    conflict_id: Id
    decision: Decision

    @classmethod
    def of(cls, conflict_id: str, decision: str) -> Resolve:
        return _build(cls, conflict_id=conflict_id, decision=decision)


@dataclass(frozen=True, config=_CONFIG)
class Audit:
    """One row of the terminal's hash-chained audit log (clerk/audit.py)."""

    kind: ClassVar[str] = "audit"
    private: ClassVar[frozenset[str]] = frozenset()

    seq: Annotated[int, Strict(), Field(ge=1, le=2**63 - 1)]
    action: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    prev_hash: Hash
    hash: Hash
    detail: Annotated[dict[str, Any], Field(max_length=64)] = Field(default_factory=dict)


# --- follow-up tasks and the client book (sync/hub/tasks.py applies them) ---------------------

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Time = Annotated[int, Strict(), Field(ge=0, le=2**40)]
# What came of a follow-up: the associate called, messaged, the customer came in, no answer.
Outcome = Literal["called", "messaged", "came_in", "no_answer"]
OUTCOMES: tuple[str, ...] = ("called", "messaged", "came_in", "no_answer")
TaskAction = Literal["done", "snooze", "reassign"]


@dataclass(frozen=True, config=_CONFIG)
class Task:
    """A follow-up task created at the terminal ("call when size 38 arrives"), due at
    ``due_at`` (unix s), for ``assignee`` (a staff id; None: the store). Its id is the id of
    this record. An ``outreach`` task contacts the customer: the hub refuses one for a member
    without marketing consent (``no_marketing_consent``)."""

    kind: ClassVar[str] = "task"
    private: ClassVar[frozenset[str]] = frozenset()

    title: Title
    due_at: Time
    assignee: Id | None = None
    outreach: StrictBool = True

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "a task needs a title")
        return value

    @classmethod
    def of(
        cls, title: str, due_at: int, assignee: str | None = None, outreach: bool = True
    ) -> Task:
        return _build(cls, title=title, due_at=due_at, assignee=assignee, outreach=outreach)


@dataclass(frozen=True, config=_CONFIG)
class TaskUpdate:
    """A change to a task: ``done`` (with its outcome), ``snooze`` (to ``due_at``, an outcome
    such as no answer optional) or ``reassign`` (to ``assignee``; None: the store). Two
    terminals' changes apply in the hub's order; a change to a task already done is accepted
    with no effect (``task_closed``)."""

    kind: ClassVar[str] = "task_update"
    private: ClassVar[frozenset[str]] = frozenset()

    task_id: Id
    action: TaskAction
    outcome: Outcome | None = None
    due_at: Time | None = None
    assignee: Id | None = None
    text: Remark | None = None

    @model_validator(mode="after")
    def _complete(self) -> TaskUpdate:
        if self.action == "done" and self.outcome is None:
            raise PydanticCustomError(
                "needs_outcome", "a task is done with an outcome", {"field": "outcome"}
            )
        if self.action == "snooze" and self.due_at is None:
            raise PydanticCustomError(
                "needs_due", "a task is snoozed to a due time", {"field": "due_at"}
            )
        return self

    @classmethod
    def of(
        cls,
        task_id: str,
        action: str,
        *,
        outcome: str | None = None,
        due_at: int | None = None,
        assignee: str | None = None,
        text: str | None = None,
    ) -> TaskUpdate:
        return _build(
            cls,
            task_id=task_id,
            action=action,
            outcome=outcome,
            due_at=due_at,
            assignee=assignee,
            text=text,
        )


@dataclass(frozen=True, config=_CONFIG)
class Assign:
    """A manager assigns the member to an associate of the store (``staff_id``), or takes
    the assignment back (None)."""

    kind: ClassVar[str] = "assign"
    private: ClassVar[frozenset[str]] = frozenset()

    staff_id: Id | None = None

    @classmethod
    def of(cls, staff_id: str | None) -> Assign:
        return _build(cls, staff_id=staff_id)


@dataclass(frozen=True, config=_CONFIG)
class Contacted:
    """The associate reached out to the member (a message drafted from a template, copied or
    shared): only with their marketing consent (else ``no_marketing_consent``, as an outreach
    task). The follow-up task it names (``task_id``) is done with the outcome ``messaged``;
    already done, the record is accepted with no effect (``task_closed``)."""

    kind: ClassVar[str] = "contacted"
    private: ClassVar[frozenset[str]] = frozenset()

    task_id: Id | None = None
    template: Id | None = None  # the template's name the message was drafted from

    @classmethod
    def of(cls, task_id: str | None = None, template: str | None = None) -> Contacted:
        return _build(cls, task_id=task_id, template=template)


Payload: TypeAlias = (
    Visit
    | Note
    | Interest
    | Redeem
    | Sale
    | PointsRedeem
    | Consent
    | CaseOpen
    | CaseNote
    | CaseClose
    | Signup
    | Link
    | Resolve
    | Audit
    | Task
    | TaskUpdate
    | Assign
    | Contacted
)
_P = TypeVar(
    "_P",
    Visit,
    Note,
    Interest,
    Redeem,
    Sale,
    PointsRedeem,
    Consent,
    CaseOpen,
    CaseNote,
    CaseClose,
    Signup,
    Link,
    Resolve,
    Audit,
    Task,
    TaskUpdate,
    Assign,
    Contacted,
)


# --- the kinds -------------------------------------------------------------------------------


@std_dataclass(frozen=True)
class KindSpec:
    """What one kind means to each part (see the table at the top)."""

    kind: str
    payload: type[Payload]
    member: bool
    history: bool
    counted: bool
    roles: frozenset[str] = EVERYONE
    walk_in: bool = False  # a member kind that may be recorded with no member at all
    conversion: bool = False  # a sale or a redemption: what "did it work?" counts (reports)
    followup: bool = False  # a kind of the tasks and client book, not of ``clerk record``


KINDS: Mapping[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("visit", Visit, member=True, history=True, counted=True, walk_in=True),
        KindSpec("note", Note, member=True, history=True, counted=True),
        KindSpec("interest", Interest, member=True, history=True, counted=True),
        KindSpec("redeem", Redeem, member=True, history=True, counted=True, conversion=True),
        KindSpec("sale", Sale, member=True, history=True, counted=True, conversion=True),
        KindSpec(
            "points_redeem",
            PointsRedeem,
            member=True,
            history=True,
            counted=True,
            conversion=True,
        ),
        KindSpec("consent", Consent, member=True, history=True, counted=True),
        KindSpec("case_open", CaseOpen, member=True, history=True, counted=False),
        KindSpec("case_note", CaseNote, member=True, history=True, counted=False),
        KindSpec("case_close", CaseClose, member=True, history=True, counted=False),
        KindSpec("signup", Signup, member=False, history=False, counted=False),
        KindSpec("link", Link, member=False, history=False, counted=False),
        KindSpec(
            "resolve",
            Resolve,
            member=False,
            history=False,
            counted=False,
            roles=frozenset({"manager"}),
        ),
        KindSpec("audit", Audit, member=False, history=False, counted=False),
        KindSpec("task", Task, member=True, history=False, counted=False, followup=True),
        KindSpec(
            "task_update", TaskUpdate, member=True, history=False, counted=False, followup=True
        ),
        KindSpec(
            "assign",
            Assign,
            member=True,
            history=False,
            counted=False,
            roles=frozenset({"manager"}),
            followup=True,
        ),
        KindSpec("contacted", Contacted, member=True, history=False, counted=False, followup=True),
    )
}
MEMBER_KINDS = frozenset(k for k, s in KINDS.items() if s.member)
HISTORY_KINDS = frozenset(k for k, s in KINDS.items() if s.history)
COUNTED_KINDS = frozenset(k for k, s in KINDS.items() if s.counted)
CONVERSION_KINDS = frozenset(k for k, s in KINDS.items() if s.conversion)
FOLLOWUP_KINDS = frozenset(k for k, s in KINDS.items() if s.followup)


def spec(kind: str) -> KindSpec:
    """The spec of ``kind``; InvalidInteraction (``unknown_kind``) for a word not in it."""
    found = KINDS.get(kind)
    if found is None:
        raise InvalidInteraction(str(kind)[:40], "unknown_kind", None, "not a kind of record")
    return found


def needs_member(kind: str, member_id: str | None, member_ref: str | None) -> bool:
    """Is a ``kind`` record with these member fields missing its member? (A walk-in visit —
    neither field — is not.)"""
    found = spec(kind)
    if not found.member or member_id or member_ref:
        return False
    return not found.walk_in


def may_record(kind: str, role: str) -> bool:
    """May staff of ``role`` record ``kind``?"""
    return role in spec(kind).roles


# --- validation ------------------------------------------------------------------------------


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(cls: type[Payload]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls.kind)
    if adapter is None:
        adapter = _ADAPTERS[cls.kind] = TypeAdapter(cls)
    return adapter


def parse_payload(kind: str, data: Mapping[str, Any]) -> Payload:
    """The typed payload of a ``kind`` record from its JSON object (InvalidInteraction)."""
    cls = spec(kind).payload
    try:
        value: Payload = _adapter(cls).validate_python(data)
    except ValidationError as exc:
        raise invalid(kind, exc) from None
    return value


def validate(kind: str, payload: Payload | Mapping[str, Any] | None) -> Payload:
    """``payload`` as the typed payload of ``kind``: a mapping is parsed, a typed payload is
    checked to be of that kind (InvalidInteraction)."""
    cls = spec(kind).payload
    if payload is None:
        payload = {}
    if isinstance(payload, Mapping):
        return parse_payload(kind, payload)
    if not isinstance(payload, cls):
        raise InvalidInteraction(kind, "kind_mismatch", None, f"a {payload.kind} payload")
    return payload


def _build(cls: type[_P], **fields: Any) -> _P:
    """A payload from keyword fields (None ones left out, so defaults apply)."""
    value = parse_payload(cls.kind, {k: v for k, v in fields.items() if v is not None})
    assert isinstance(value, cls)
    return value


def invalid(
    kind: str, exc: ValidationError, *, prefix: tuple[str | int, ...] = ()
) -> InvalidInteraction:
    """The first problem of a ValidationError about a ``kind`` payload, as InvalidInteraction
    (``prefix``: the path of the payload in what was validated, left out of ``field``)."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(err.get("loc", ()))
    if prefix and loc[: len(prefix)] == prefix:
        loc = loc[len(prefix) :]
    ctx = err.get("ctx") or {}
    named = ctx.get("field")
    field = ".".join(str(p) for p in loc) or (str(named) if named else None)
    return InvalidInteraction(kind, _reason(str(err.get("type", ""))), field, str(err.get("msg")))


_PYDANTIC_REASONS = {
    "missing": "missing",
    "string_too_long": "too_long",
    "string_too_short": "empty",
    "too_short": "too_few",
    "too_long": "too_many",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "literal_error": "not_allowed",
    "string_pattern_mismatch": "bad_format",
}


def _reason(error_type: str) -> str:
    if error_type in _PYDANTIC_REASONS:
        return _PYDANTIC_REASONS[error_type]
    if error_type in REASONS:
        return error_type  # our own (PydanticCustomError): blank, no_change
    return "wrong_type"


# --- stored, sent, shown ---------------------------------------------------------------------


def dump(payload: Payload) -> dict[str, Any]:
    """The payload as a JSON object (fields in their order, None left out): what the outbox
    stores and the wire carries."""
    data: dict[str, Any] = _adapter(type(payload)).dump_python(
        payload, mode="json", exclude_none=True
    )
    return data


def history_row(payload: Payload) -> tuple[str | None, dict[str, Any]]:
    """(text, facts) of a record's history row: what the associate typed, and the structured
    facts of the kind (sku, action, amount, coupon, lines, cart lines, consent flags) — without
    what is not shown (a member code's jti)."""
    data = dump(payload)
    text = data.pop("text", None)
    for name in payload.private:
        data.pop(name, None)
    return text, data


def from_history(kind: str, text: str | None, facts: Mapping[str, Any] | None) -> Payload | None:
    """The typed payload of a history row (or of a stored record), None when it cannot be read
    (an unknown kind, facts of another version)."""
    data = dict(facts or {})
    if text is not None:
        data["text"] = text
    try:
        return parse_payload(kind, data)
    except InvalidInteraction:
        return None
