"""A member signed up at the counter (provisional until the hub answers) and an identity linked
to a member who proved who they are."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import StrictBool, StringConstraints, field_validator, model_validator
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from clerk.shared.interactions.base import CONFIG

PROVISIONAL_PREFIX = "P-"
SIGNED_UP_PREFIX = "S"  # the hub's id of a member made by a sign-up: "S" and 12 hex digits
ProvisionalId = Annotated[
    str,
    StringConstraints(pattern=r"^P-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
Birthday = Annotated[
    str, StringConstraints(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
]


@dataclass(frozen=True, config=CONFIG)
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


@dataclass(frozen=True, config=CONFIG)
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
