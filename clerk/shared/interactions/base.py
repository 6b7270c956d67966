"""What every payload of the vocabulary is made of: the bounds, the field types, the reasons a
record is refused (:class:`InvalidInteraction`), and :func:`build`, the payloads' constructors'
way in (validated like a record read from JSON)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Protocol, TypeVar

from pydantic import (
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

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


CONFIG = ConfigDict(extra="ignore")
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


class Kinded(Protocol):
    """A payload type: its kind and the fields its history row leaves out."""

    kind: ClassVar[str]
    private: ClassVar[frozenset[str]]


_K = TypeVar("_K", bound=Kinded)
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def adapter(cls: type[Kinded]) -> TypeAdapter[Any]:
    """The (cached) pydantic adapter of a payload type."""
    found = _ADAPTERS.get(cls.kind)
    if found is None:
        found = _ADAPTERS[cls.kind] = TypeAdapter(cls)
    return found


def build(cls: type[_K], **fields: Any) -> _K:
    """A payload from keyword fields (None ones left out, so defaults apply), validated as a
    record read from JSON (InvalidInteraction)."""
    try:
        value = adapter(cls).validate_python({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        raise invalid(cls.kind, exc) from None
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
