"""The sync wire protocol, version 1, shared by the terminal and the hub.

All times are integer unix seconds (UTC); money is integer minor units (fen / cents).
Every endpoint lives under ``/v1``; errors are RFC 9457 problem JSON (``Problem``).
Unknown fields are ignored on read (forward compatible); strings and lists are bounded so a
hostile peer cannot make the other side allocate without limit.

An interaction is a member of a discriminated union on ``kind`` (:data:`InteractionItem`,
one ``<Kind>Interaction`` per kind), built from the interaction vocabulary
(:mod:`clerk.shared.interactions`): each carries its kind's typed payload. The JSON an
interaction travels as is unchanged: ``{id, kind, member_id, member_ref, staff_id,
created_at, device_seq, payload: {…}}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired, TypeAlias, Union, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model, model_validator
from typing_extensions import TypedDict  # pydantic needs this one, not typing's, before 3.12

from clerk.shared.entities import ENTITIES
from clerk.shared.interactions import KINDS, Payload

PROTOCOL_VERSION = 1
API_PREFIX = "/v1"

MAX_BATCH_ITEMS = 500
MAX_BATCH_BYTES = 1_000_000
MAX_CHANGES_LIMIT = 5000
MAX_CHANGES_WAIT_S = 25  # the longest long-poll of GET /v1/changes?wait=S, in seconds
# A terminal back from offline runs its first round uniformly within the window the hub's
# GET /healthz asks (``Health.reconnect_s``), bounded by these: the least a hub asks, and what a
# terminal takes when the hub does not say (an older hub); the most it waits whatever is asked.
RECONNECT_MIN_S = 2.0
RECONNECT_MAX_S = 30.0

Str64 = Annotated[str, Field(max_length=64)]
Str256 = Annotated[str, Field(max_length=256)]
Text = Annotated[str, Field(max_length=4000)]

# The feed's entities, one definition for both ends (clerk/shared/entities.py); a str to mypy.
if TYPE_CHECKING:
    Entity = str
else:
    Entity = Literal[tuple(ENTITIES)]
ResultStatus = Literal["accepted", "duplicate", "conflict", "rejected"]
# Why the hub rejected or flagged an interaction (InteractionResult.reason). A terminal shows
# each in words (ui/texts.py); it reads an unknown one as text, so a newer hub may add some.
ResultReason = Literal[
    "bad_item",  # not an interaction at all (no kind, bad time or sequence number …)
    "bad_payload",  # the payload is not what its kind takes (clerk/shared/interactions/)
    "id_reused",  # a known id with other content
    "device_seq_reused",  # another id under a known (device, sequence): a cloned terminal
    "unknown_member",  # no member matches member_id / member_ref
    "staff_role",  # the staff member's role may not record this kind
    "unknown_staff",  # by no active staff of the device's store
    "member_not_served",  # a member neither of the device's store nor served to it by proof
    "created_in_future",  # created_at after the hub's now + skew (sync/hub/rules.py)
    "created_too_long_ago",  # before the maximum age, or long before the device's enrolment
    "unknown_coupon",
    "coupon_not_member",  # the coupon is another member's
    "coupon_void",
    "coupon_already_used",  # conflict: redeemed elsewhere first (conflict_with names it)
    "coupon_expired",
    "coupon_not_yet_valid",
    "points_overdraft",  # conflict: more points than the balance (redeemed elsewhere too)
    "unknown_interaction",  # a resolve of an interaction the hub does not know
    "unknown_case",  # a case note or close of a case the hub does not have for the member
    "case_exists",  # a case_open under the id of a case the hub has (from elsewhere)
    "bad_phone",  # a sign-up whose sealed number the hub cannot open
    "member_exists",  # accepted: a sign-up joined the member who had the number already
    "no_proof",  # a link without the member's own code or number as proof
    "bad_card",  # a link of a card number that is not one
    "identity_taken",  # conflict: the identity linked is another member's (for a person)
    "jti_seen_elsewhere",  # accepted, but the member code was seen at another terminal
    "no_marketing_consent",  # an outreach task for a member who did not consent to marketing
    "unknown_task",  # a change to a task the store does not have (sync/hub/tasks.py)
    "unknown_assignee",  # a task or member assigned to no active staff of the store
    "task_closed",  # accepted, no effect: the task was done before (another terminal's change)
    # accepted audit rows the hub flagged for HQ (sync/hub/audit.py):
    "audit_chain_gap",  # rows are missing before this one
    "audit_chain_rewrite",  # the chain before this row is not the one the hub acknowledged
    "audit_row_edited",  # the row's hash does not match its content
    "audit_row_malformed",  # not an audit row the hub can check
    "audit_row_rewritten",  # an acknowledged row sent again with other content
]


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Problem(Wire):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


class Health(Wire):
    """GET /healthz (no token): the hub answers — and how a terminal back from offline spreads
    its first round: uniformly within ``reconnect_s`` seconds of this answer. When the hub
    restarts, its whole fleet's probes answer within a second or two; the window is sized by
    the hub from the devices it serves and the returning rounds a second it takes
    (``HubConfig.reconnect_rate``). A terminal bounds it by ``RECONNECT_MAX_S``; absent (an
    older hub), it takes ``RECONNECT_MIN_S``."""

    status: Literal["ok"] = "ok"
    reconnect_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class EnrollRequest(Wire):
    store_id: Str64
    code: Str64
    device_name: Str256 = "terminal"


class PublicKey(Wire):
    kid: Annotated[int, Field(ge=0, le=255)]
    public_key: Annotated[str, Field(min_length=64, max_length=64)]  # Ed25519 raw, hex
    not_after: int | None = None  # stop accepting codes signed by it after this time


HexKey = Annotated[str, Field(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")]


class KeysResponse(Wire):
    keys: Annotated[list[PublicKey], Field(max_length=256)]
    # What a terminal needs to take a typed phone (see EnrollResponse); absent from old hubs.
    phone_bucket_key: HexKey | None = None
    phone_seal_key: HexKey | None = None


class EnrollResponse(Wire):
    device_id: Str64
    token: Str256  # a short-lived access token (the bearer of every other request)
    store_id: Str64
    store_name: Str256
    keys: Annotated[list[PublicKey], Field(max_length=256)]
    # Key (hex) of the 8-bit keyed bucket a typed phone is matched by, with its last four
    # digits (clerk/shared/phones.py) — not the hub's own phone-hash key, which stays there.
    phone_bucket_key: HexKey
    # The hub's public X25519 key (hex) a number typed offline is sealed to.
    phone_seal_key: HexKey
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

# The compact row format (``GET /v1/changes?format=rows``): the same page as runs of one
# entity and op, the column list once per run and each row as an array in that order.
ROWS_FORMAT = "rows"
ROWS_PREFIX = b'{"format":"rows",'  # how the hub begins a page in the row format
_ROWS_START = re.compile(rb'\s*\{\s*"format"\s*:\s*"rows"')
MAX_ROW_COLUMNS = 64
# The entities whose key column is an integer (their key still travels as text in a delete).
INTEGER_KEYS = frozenset({"browse", "key"})


class RowsRun(Wire):
    """A run of changes of one entity and one op, in sequence order. An upsert run has the
    column names once and one array per row in that order (``seqs[i]`` is ``rows[i]``'s
    change); a delete run has the keys (as text, like ``Change.key``). The columns are those
    of the terminal cache (``clerk.shared.entities``); an unknown one is ignored, a missing
    one is NULL, as in ``Change.data``."""

    entity: Entity
    op: Literal["upsert", "delete"]
    seqs: Annotated[list[int], Field(max_length=MAX_CHANGES_LIMIT)]
    columns: Annotated[list[Str64], Field(max_length=MAX_ROW_COLUMNS)] | None = None
    rows: (
        Annotated[
            list[Annotated[list[Any], Field(max_length=MAX_ROW_COLUMNS)]],
            Field(max_length=MAX_CHANGES_LIMIT),
        ]
        | None
    ) = None
    keys: Annotated[list[Str256], Field(max_length=MAX_CHANGES_LIMIT)] | None = None


class RowsResponse(Wire):
    """A changes page in the row format (``format=rows``); first member ``format``, always.
    Runs are grouped by entity, each entity's runs in sequence order (its upserts and deletes
    apply in that order); seqs increase within an entity and are unique in the page."""

    format: Literal["rows"]
    runs: Annotated[list[RowsRun], Field(max_length=MAX_CHANGES_LIMIT)]
    next_cursor: int
    has_more: bool
    remaining: int | None = None


class RowsRunDict(TypedDict):
    """``RowsRun`` as a plain dict, for the terminal's bulk pull (see ``ROWS_PAGE``)."""

    entity: Entity
    op: Literal["upsert", "delete"]
    seqs: Annotated[list[int], Field(max_length=MAX_CHANGES_LIMIT)]
    columns: NotRequired[Annotated[list[Str64], Field(max_length=MAX_ROW_COLUMNS)] | None]
    rows: NotRequired[
        Annotated[
            list[Annotated[list[Any], Field(max_length=MAX_ROW_COLUMNS)]],
            Field(max_length=MAX_CHANGES_LIMIT),
        ]
        | None
    ]
    keys: NotRequired[Annotated[list[Str256], Field(max_length=MAX_CHANGES_LIMIT)] | None]


class RowsPageDict(TypedDict):
    """``RowsResponse`` as plain dicts: the same fields, types and bounds."""

    format: Literal["rows"]
    runs: Annotated[list[RowsRunDict], Field(max_length=MAX_CHANGES_LIMIT)]
    next_cursor: int
    has_more: bool
    remaining: NotRequired[int | None]


# Validates a page in the row format as strictly as RowsResponse, as dicts and lists.
ROWS_PAGE: TypeAdapter[RowsPageDict] = TypeAdapter(RowsPageDict)


def in_row_format(body: bytes) -> bool:
    """A changes page whose first member is ``"format": "rows"`` (whitespace allowed): the
    answer of a hub that knows the row format to ``format=rows``. Any other answer — an older
    hub's — is read as the object format."""
    return _ROWS_START.match(body, 0, 64) is not None


class MemberView(Wire):
    """One member's whole slice, for a cache miss while online (same row shapes as Change.data)."""

    member: dict[str, Any]
    browse: Annotated[list[dict[str, Any]], Field(max_length=5000)] = []
    cart: Annotated[list[dict[str, Any]], Field(max_length=1000)] = []
    coupons: Annotated[list[dict[str, Any]], Field(max_length=1000)] = []
    visits: Annotated[list[dict[str, Any]], Field(max_length=1000)] = []
    products: Annotated[list[dict[str, Any]], Field(max_length=5000)] = []


class Envelope(Wire):
    """What every interaction carries besides its payload (``kind`` is one of the vocabulary's
    kinds). With the payload as a plain object it is how the hub reads an item whose payload
    is malformed: it still has an id to answer and to store its rejection under."""

    id: Annotated[str, Field(min_length=36, max_length=36)]  # UUIDv7, client generated
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]
    member_id: Str64 | None = None
    # The identity as scanned when the member was not in the cache ("card:…", "code:…").
    member_ref: Str256 | None = None
    staff_id: Str64 | None = None
    created_at: int
    device_seq: int = 0
    payload: dict[str, Any] = {}


class Interaction(Wire):
    """One thing that happened in the store, as recorded by the terminal: a member of the
    discriminated union :data:`InteractionItem`, one class per kind of the vocabulary
    (``clerk.shared.interactions.KINDS``), each with its typed payload."""

    id: Annotated[str, Field(min_length=36, max_length=36)]  # UUIDv7, client generated
    kind: str
    member_id: Str64 | None = None
    # The identity as scanned when the member was not in the cache ("card:…", "code:…").
    member_ref: Str256 | None = None
    staff_id: Str64 | None = None
    created_at: int
    device_seq: int = 0
    payload: Payload


def _member(kind: str) -> type[Interaction]:
    """``<Kind>Interaction``: ``kind`` fixed, the payload its type (``{}`` when left out)."""
    payload_type = KINDS[kind].payload
    model: type[Interaction] = create_model(
        f"{kind.capitalize()}Interaction",
        __base__=Interaction,
        __doc__=f"An interaction of kind {kind!r}: {(payload_type.__doc__ or '').strip()}",
        kind=(cast(Any, Literal[kind]), ...),
        payload=(payload_type, Field(default_factory=dict, validate_default=True)),
    )
    return model


INTERACTION_TYPES: dict[str, type[Interaction]] = {kind: _member(kind) for kind in KINDS}
if TYPE_CHECKING:
    InteractionItem: TypeAlias = Interaction
else:
    InteractionItem = Annotated[
        Union[tuple(INTERACTION_TYPES.values())],  # noqa: UP007 - a union built at run time
        Field(discriminator="kind"),
    ]
# One item of a batch validated on its own (the hub answers each item by itself).
INTERACTION: TypeAdapter[Interaction] = cast(
    "TypeAdapter[Interaction]", TypeAdapter(InteractionItem)
)


class InteractionBatch(Wire):
    interactions: Annotated[list[InteractionItem], Field(min_length=1, max_length=MAX_BATCH_ITEMS)]


class InteractionResult(Wire):
    id: str
    status: ResultStatus
    reason: str | None = None
    conflict_with: str | None = None
    # A sign-up's member: the real id its provisional one resolves to (None for other kinds).
    member_id: Str64 | None = None


class InteractionBatchResponse(Wire):
    results: list[InteractionResult]


class AuditHead(Wire):
    """The hub's view of the calling device's audit chain (``GET /v1/audit/head``): the last
    row it acknowledged (seq 0 and 64 zeros before the first) and how many problems (gaps,
    rewrites, rows that do not match their hash) it flagged for the device."""

    seq: Annotated[int, Field(ge=0)]
    hash: Annotated[str, Field(min_length=64, max_length=64)]
    flags: Annotated[int, Field(ge=0)] = 0
