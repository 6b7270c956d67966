"""The customer 360 as plain data: what a lookup returns and every view renders.

Times are unix seconds (UTC), money is integer minor units (fen). Nothing here formats for a
locale: the UI and the CLI do (``clerk.fmt``). A text that differs by language travels in both
(:class:`Localised`): whoever shows it picks one, so a language switch needs no new lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pydantic comes with the vocabulary: not imported for the model alone
    from clerk.shared.interactions import Payload

IdentityKind = Literal["code", "card", "phone", "member_id"]


@dataclass(frozen=True, slots=True)
class Localised:
    """One text in both of the terminal's languages."""

    zh: str
    en: str

    @classmethod
    def same(cls, text: str) -> Localised:
        """A text that is the same in every language (a note as the associate typed it)."""
        return cls(text, text)

    def pick(self, lang: str) -> str:
        """``zh…`` → the Chinese text, any other language → the English one."""
        return self.zh if lang.lower().startswith("zh") else self.en


@dataclass(frozen=True)
class Identity:
    """A member identity read from a scan or typed text, before the cache is consulted.

    A phone's ``value`` is the number as typed (E.164): it lives in memory while the customer
    is served — the proof sent to the hub — and is never written or shown (not in ``repr``);
    what is recorded is ``ref``, the number sealed to the hub."""

    kind: IdentityKind
    # code: member code id as decimal; card: digits; phone: E.164 (never stored); member_id
    value: str = field(repr=False)
    ref: str  # stable text to record against when the member is not cached, e.g. "card:6200…"
    jti: str | None = None  # member codes only: hex of the 6-byte jti
    expires_at: int | None = None  # member codes only
    # What to show a person when ``ref`` is not fit to show (a sealed phone): "*******5678".
    display: str | None = None
    phone_bucket: int | None = None  # phones only: the 8-bit keyed bucket the cache is indexed by
    # The proof of presence, as read at the counter, for the hub to check when the member is
    # fetched from elsewhere: the whole member code, the card digits, the E.164 phone number.
    # Held only while the identity lives: never recorded, printed or compared.
    proof: str | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        return self.display or self.ref


@dataclass(frozen=True)
class PhoneCandidate:
    """A cached member whose phone fits a typed number as far as the terminal can tell (the
    same last digits and bucket): the associate picks among them by name."""

    member_id: str
    name: str
    name_en: str | None
    phone_masked: str | None


@dataclass(frozen=True)
class Profile:
    member_id: str
    name: str
    name_en: str | None
    tier: str
    points: int
    phone_masked: str | None
    card_no: str | None
    consent_marketing: bool
    consent_browsing: bool
    tags: tuple[str, ...]
    home_store: str | None
    birthday: str | None  # YYYY-MM-DD
    joined_at: int | None


@dataclass(frozen=True)
class Product:
    sku: str
    title_zh: str
    title_en: str
    category: str
    price_cents: int
    image: str | None
    active: bool

    @property
    def title(self) -> Localised:
        return Localised(self.title_zh, self.title_en)


@dataclass(frozen=True)
class BrowsedProduct:
    product: Product
    views: int
    channels: tuple[str, ...]  # app / web / mini
    first_seen: int
    last_seen: int


@dataclass(frozen=True)
class CartLine:
    id: str
    product: Product
    qty: int
    price_cents: int
    added_at: int
    coupon_id: str | None = None  # best live coupon that applies to this line, if any


CouponStatus = Literal["usable", "expiring", "used", "expired", "not_yet_valid"]


@dataclass(frozen=True)
class Coupon:
    id: str
    title_zh: str
    title_en: str
    rule: str  # amount_off | percent_off
    value: int  # minor units, or percent
    min_spend_cents: int
    skus: tuple[str, ...]
    categories: tuple[str, ...]
    valid_from: int
    expires_at: int
    status: CouponStatus
    used_at: int | None
    pending_redeem: bool = False  # redeemed here, not yet acknowledged by the hub

    @property
    def title(self) -> Localised:
        return Localised(self.title_zh, self.title_en)


@dataclass(frozen=True)
class VisitEntry:
    """One record of the customer's history: its kind and its facts — the typed payload of
    :mod:`clerk.shared.interactions` (a sale's lines and amount, the product of an interest,
    the coupon redeemed …), None when the row cannot be read — with the titles, in both
    languages, of the products and the coupon those facts name. Whoever shows it renders it
    from these fields in its own language: the only free text is what the associate typed."""

    id: str
    kind: str  # a kind of clerk.shared.interactions.HISTORY_KINDS
    at: int
    store_name: str | None
    staff_name: str | None
    facts: Payload | None
    products: Mapping[str, Localised] = field(default_factory=dict)  # sku → title
    coupon: Localised | None = None  # the redeemed coupon's title
    sync_state: str | None = None  # None for rows from the hub; outbox state for local rows
    sync_reason: str | None = None  # the hub's reason code when it rejected or flagged one

    @property
    def text(self) -> str | None:
        """What the associate typed (a note, a remark), as typed; None if nothing."""
        value = getattr(self.facts, "text", None)
        return value if isinstance(value, str) and value else None


OrderChannel = Literal["online", "store"]


@dataclass(frozen=True)
class OrderLine:
    product: Product
    qty: int
    price_cents: int


@dataclass(frozen=True)
class Order:
    """An order of the last 12 months: placed online (the hub's ``orders``, from the Segment
    intake or import) or bought in a store (a ``sale`` of the history, the hub's or this
    terminal's own). A returned order is ``refunded``, with when."""

    id: str
    channel: OrderChannel
    at: int
    total_cents: int
    state: str  # completed | refunded
    lines: tuple[OrderLine, ...]
    refunded_at: int | None = None
    store_name: str | None = None  # in-store orders: where
    sync_state: str | None = None  # in-store orders recorded here: the outbox state

    @property
    def returned(self) -> bool:
        return self.state == "refunded"


@dataclass(frozen=True)
class WishlistItem:
    """A product the member keeps for later online."""

    id: str
    product: Product
    added_at: int


@dataclass(frozen=True)
class ServiceCase:
    """An open service case of the member — a complaint, a repair … — from the hub (a store,
    the CRM, an event) or opened here and not yet acknowledged (``sync_state``)."""

    id: str
    case_type: str  # complaint | repair | other
    subject: str  # as typed or as the CRM has it
    opened_at: int
    updated_at: int
    store_name: str | None = None
    product: Product | None = None
    sync_state: str | None = None  # opened here: the outbox state of its case_open

    @property
    def number(self) -> str:
        """What to call it aloud: the CRM's id as it is, a terminal's UUID by its last six."""
        return self.id if len(self.id) <= 12 else self.id.replace("-", "")[-6:].upper()


@dataclass(frozen=True)
class ConsentText:
    """The wording of a consent in force (``purpose``: marketing | browsing), by version."""

    purpose: str
    version: str
    text: Localised


@dataclass(frozen=True)
class TalkingPoint:
    """One thing worth saying, with the facts behind it (for "why?")."""

    rule: str  # stable id, e.g. "cart_coupon", "coupon_expiring", "viewed_often"
    score: float  # higher first
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Freshness:
    last_pull_at: int | None
    online: bool
    pending: int  # interactions recorded here and not yet acknowledged by the hub


@dataclass(frozen=True)
class PointsEntry:
    """One change of the balance the hub made (clerk/points.py): earn, redeem or refund."""

    id: str  # the interaction that made it
    kind: str  # earn | redeem | refund | merge
    points: int  # signed
    balance: int  # after it
    tier_from: str
    tier_to: str
    at: int


@dataclass(frozen=True)
class PointsPanel:
    """The member's points: the balance the hub confirmed, what this terminal recorded that
    the hub has not confirmed yet, and what may be redeemed here now."""

    balance: int  # the hub's (the member row, through the feed)
    tier: str
    pending_redeemed: int = 0  # redeemed here, not yet in the hub's ledger
    pending_sales: int = 0  # sales made here whose points the hub has not confirmed
    pending_sales_cents: int = 0
    recent: tuple[PointsEntry, ...] = ()  # newest first
    tier_change: PointsEntry | None = None  # the latest entry that moved the tier, if recent

    @property
    def available(self) -> int:
        """What may be redeemed at this counter now (never below zero)."""
        return max(0, self.balance - self.pending_redeemed)


@dataclass(frozen=True)
class Recommendation:
    """A product to offer, with why (clerk/recommend.py): ``reason`` bought_with |
    viewed_with, ``because`` the customer's product it goes with and ``source`` where that one
    is from (cart | browsed | bought)."""

    product: Product
    reason: str
    because: Product
    score: float
    source: str


@dataclass(frozen=True)
class CustomerView:
    profile: Profile
    talking_points: tuple[TalkingPoint, ...]
    browsing: tuple[BrowsedProduct, ...]
    cart: tuple[CartLine, ...]
    coupons: tuple[Coupon, ...]
    visits: tuple[VisitEntry, ...]
    freshness: Freshness
    as_of: int  # when this view was computed
    points: PointsPanel | None = None
    recommendations: tuple[Recommendation, ...] = ()
    orders: tuple[Order, ...] = ()  # newest first, the last 12 months, online and in store
    wishlist: tuple[WishlistItem, ...] = ()  # newest first
    cases: tuple[ServiceCase, ...] = ()  # open ones, newest first
    consent_texts: tuple[ConsentText, ...] = ()  # the wording in force, one per purpose


# --- sign-up at the counter (clerk/signup.py) ---------------------------------------------------

PROVISIONAL_PREFIX = "P-"  # a member signed up here, until the hub answers with the real id
SIGNUP_CODE_PREFIX = "SU1:"


@dataclass(frozen=True)
class SignupText:
    """The chain's consent wording as delivered: its version, language and exact text."""

    version: str
    lang: str
    text: str


@dataclass(frozen=True)
class Provisional:
    """A member signed up here: the provisional id, the signup record's id, what is shown."""

    id: str
    signup_id: str
    name: str
    phone_masked: str
    created_at: int
    member_id: str | None = None  # the hub's, once it answered

    @property
    def code(self) -> str:
        """The QR text the member app redeems while the sign-up is not synced:
        ``SU1:P-<uuid7>`` (clerk/signup.py)."""
        return SIGNUP_CODE_PREFIX + self.id


@dataclass(frozen=True)
class Client:
    """A customer of an associate's client book (:mod:`clerk.clientbook`) and the reasons to
    reach out now."""

    member_id: str
    name: str
    reasons: tuple[str, ...]  # of clerk.clientbook.REASONS, most urgent first
    last_seen: int | None
    task_due_at: int | None = None  # the earliest open task's due time
    coupon_expires_at: int | None = None
    birthday: str | None = None  # MM-DD
    tier: str = ""
    open_tasks: int = 0  # open follow-up tasks about them (anyone's)


@dataclass(frozen=True)
class TaskRow:
    """A follow-up task as the terminal knows it (:mod:`clerk.tasks`): the hub's row with this
    terminal's own changes not yet synced laid over it."""

    id: str
    member_id: str
    member_name: str | None
    title: str
    reason: str  # manual, or a hub rule's: inactive | cart_coupon | birthday | unserved_visit
    assignee: str | None  # a staff id; None: the store
    due_at: int
    state: str  # open | done
    outcome: str | None
    created_by: str | None
    created_at: int
    done_by: str | None = None
    done_at: int | None = None
    escalated: bool = False  # overdue 24 h: the manager's
    overdue: bool = False
    pending: bool = False  # changed here, not yet reflected by the hub
    facts: dict[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "member_id": self.member_id,
            "member_name": self.member_name,
            "title": self.title,
            "reason": self.reason,
            "assignee": self.assignee,
            "due_at": self.due_at,
            "state": self.state,
            "outcome": self.outcome,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "done_by": self.done_by,
            "done_at": self.done_at,
            "escalated": self.escalated,
            "overdue": self.overdue,
            "pending": self.pending,
            "facts": self.facts,
        }
