"""The records of serving a customer: a visit, a note, an interest, a sale, a consent change —
and the rows of the terminal's own audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from clerk.shared.interactions.base import (
    CONFIG,
    MAX_LINES,
    MAX_SHOWN,
    MAX_TEXT,
    Cents,
    Hash,
    Id,
    Qty,
    Remark,
    ShownKind,
    build,
)


@dataclass(frozen=True, config=CONFIG)
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


@dataclass(frozen=True, config=CONFIG)
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
        return build(cls, text=text)


InterestAction = Literal["tried_on", "asked_about"]


@dataclass(frozen=True, config=CONFIG)
class Interest:
    """The member tried on or asked about a product."""

    kind: ClassVar[str] = "interest"
    private: ClassVar[frozenset[str]] = frozenset()

    sku: Id
    action: InterestAction = "asked_about"
    text: Remark | None = None

    @classmethod
    def of(cls, sku: str, action: str = "asked_about", text: str | None = None) -> Interest:
        return build(cls, sku=sku, action=action, text=text)


@dataclass(frozen=True, config=CONFIG)
class SaleLine:
    sku: Id
    qty: Qty
    price_cents: Cents


@dataclass(frozen=True, config=CONFIG)
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
        return build(
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


@dataclass(frozen=True, config=CONFIG)
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
        return build(cls, marketing=marketing, browsing=browsing)


@dataclass(frozen=True, config=CONFIG)
class Audit:
    """One row of the terminal's hash-chained audit log (clerk/audit.py)."""

    kind: ClassVar[str] = "audit"
    private: ClassVar[frozenset[str]] = frozenset()

    seq: Annotated[int, Strict(), Field(ge=1, le=2**63 - 1)]
    action: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    prev_hash: Hash
    hash: Hash
    detail: Annotated[dict[str, Any], Field(max_length=64)] = Field(default_factory=dict)
