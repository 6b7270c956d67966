"""The sync wire protocol, version 1, shared by the terminal and the hub.

All times are integer unix seconds (UTC); money is integer minor units (fen / cents).
Every endpoint lives under ``/v1``; errors are RFC 9457 problem JSON (``Problem``).
Unknown fields are ignored on read (forward compatible); strings and lists are bounded so a
hostile peer cannot make the other side allocate without limit.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from typing_extensions import TypedDict  # pydantic needs this one, not typing's, before 3.12

PROTOCOL_VERSION = 1
API_PREFIX = "/v1"

MAX_BATCH_ITEMS = 500
MAX_BATCH_BYTES = 1_000_000
MAX_CHANGES_LIMIT = 5000

Str64 = Annotated[str, Field(max_length=64)]
Str256 = Annotated[str, Field(max_length=256)]
Text = Annotated[str, Field(max_length=4000)]

Entity = Literal["member", "product", "browse", "cart", "coupon", "visit", "key", "staff"]
InteractionKind = Literal[
    "visit", "note", "interest", "redeem", "sale", "consent", "resolve", "audit"
]
ResultStatus = Literal["accepted", "duplicate", "conflict", "rejected"]


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Problem(Wire):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


class EnrollRequest(Wire):
    store_id: Str64
    code: Str64
    device_name: Str256 = "terminal"


class PublicKey(Wire):
    kid: Annotated[int, Field(ge=0, le=255)]
    public_key: Annotated[str, Field(min_length=64, max_length=64)]  # Ed25519 raw, hex
    not_after: int | None = None  # stop accepting codes signed by it after this time


class KeysResponse(Wire):
    keys: Annotated[list[PublicKey], Field(max_length=256)]


class EnrollResponse(Wire):
    device_id: Str64
    token: Str256  # a short-lived access token (the bearer of every other request)
    store_id: Str64
    store_name: Str256
    keys: Annotated[list[PublicKey], Field(max_length=256)]
    # Key of the keyed hash (HMAC-SHA256, hex) under which phone numbers are looked up.
    phone_hash_key: Annotated[str, Field(min_length=32, max_length=128)]
    # The device's long-lived credential, given once: exchanged at POST /v1/devices/token
    # for access tokens. Keep it as carefully as the outbox.
    device_secret: Str256 | None = None
    token_expires_at: int | None = None  # hub clock, unix seconds
    token_expires_in: int | None = None  # seconds from now (independent of the clocks)


class TokenRequest(Wire):
    """POST /v1/devices/token: a new access token against the device secret."""

    device_id: Str64
    device_secret: Annotated[str, Field(min_length=1, max_length=256)]


class TokenResponse(Wire):
    token: Str256
    expires_at: int
    expires_in: int


class MemberLookupRequest(Wire):
    """POST /v1/members/lookup: a member from outside the store's slice, against proof of
    presence — exactly one of the member code as scanned (the whole ``MC1:…`` text), the card
    number or the phone number as typed — and the signed-in staff member who asks."""

    staff_id: Annotated[str, Field(min_length=1, max_length=64)]
    code: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    card_no: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    phone: Annotated[str, Field(min_length=1, max_length=32)] | None = None

    @model_validator(mode="after")
    def _one_proof(self) -> MemberLookupRequest:
        if sum(v is not None for v in (self.code, self.card_no, self.phone)) != 1:
            raise ValueError("give exactly one of code, card_no, phone")
        return self


class Change(Wire):
    """One row of the changes feed. ``data`` is the whole row for an upsert, None for delete.

    Columns per entity are those of the terminal cache tables (see clerk/cache.py).
    """

    seq: int
    entity: Entity
    op: Literal["upsert", "delete"]
    key: Str256
    data: dict[str, Any] | None = None


class ChangesResponse(Wire):
    changes: Annotated[list[Change], Field(max_length=MAX_CHANGES_LIMIT)]
    next_cursor: int
    has_more: bool
    # Total number of changes after `since` for this store, for a progress bar (may be approximate).
    remaining: int | None = None


class ChangeDict(TypedDict):
    """``Change`` as a plain dict, for the terminal's bulk pull (see ``CHANGES_PAGE``)."""

    seq: int
    entity: Entity
    op: Literal["upsert", "delete"]
    key: Str256
    data: NotRequired[dict[str, Any] | None]


class ChangesPageDict(TypedDict):
    """``ChangesResponse`` as plain dicts: the same fields, types and bounds."""

    changes: Annotated[list[ChangeDict], Field(max_length=MAX_CHANGES_LIMIT)]
    next_cursor: int
    has_more: bool
    remaining: NotRequired[int | None]


# Validates a changes page exactly as strictly as ChangesResponse (unknown fields ignored,
# Literal entity/op, bounded key and page length) but yields dicts instead of one model per
# row — about half the cost, and the rows go to the cache as they are.
CHANGES_PAGE: TypeAdapter[ChangesPageDict] = TypeAdapter(ChangesPageDict)


class MemberView(Wire):
    """One member's whole slice, for a cache miss while online (same row shapes as Change.data)."""

    member: dict[str, Any]
    browse: Annotated[list[dict[str, Any]], Field(max_length=5000)] = []
    cart: Annotated[list[dict[str, Any]], Field(max_length=1000)] = []
    coupons: Annotated[list[dict[str, Any]], Field(max_length=1000)] = []
    visits: Annotated[list[dict[str, Any]], Field(max_length=1000)] = []
    products: Annotated[list[dict[str, Any]], Field(max_length=5000)] = []


class Interaction(Wire):
    """One thing that happened in the store, as recorded by the terminal."""

    id: Annotated[str, Field(min_length=36, max_length=36)]  # UUIDv7, client generated
    kind: InteractionKind
    member_id: Str64 | None = None
    # The identity as scanned when the member was not in the cache ("card:…", "code:…").
    member_ref: Str256 | None = None
    staff_id: Str64 | None = None
    created_at: int
    device_seq: int = 0
    payload: dict[str, Any] = {}


class InteractionBatch(Wire):
    interactions: Annotated[list[Interaction], Field(min_length=1, max_length=MAX_BATCH_ITEMS)]


class InteractionResult(Wire):
    id: str
    status: ResultStatus
    reason: str | None = None
    conflict_with: str | None = None


class InteractionBatchResponse(Wire):
    results: list[InteractionResult]
