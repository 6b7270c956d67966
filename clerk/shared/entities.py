"""The entities of the change feed and the columns each carries: one definition for both ends.

The hub's feed (``GET /v1/changes``, :mod:`sync.hub.feed`) sends whole rows with exactly these
columns, and the terminal's cache.db (:mod:`clerk.cache`) has tables with exactly these columns;
each side names its own tables. A hub table may hold more than it sends (the member's phone in
clear and its full keyed hash, the coupon's ``used_by``); nothing else reaches a terminal.
"""

from __future__ import annotations

from typing import NamedTuple


class Entity(NamedTuple):
    key: str  # the primary key column: a change row's ``key`` is its value, as text
    columns: tuple[str, ...]


ENTITIES: dict[str, Entity] = {
    "member": Entity(
        "id",
        (
            "id",
            "code_id",
            "card_no",
            "phone_last4",
            "phone_bucket",
            "phone_masked",
            "name",
            "name_en",
            "tier",
            "points",
            "consent_marketing",
            "consent_browsing",
            "tags",
            "home_store",
            "birthday",
            "joined_at",
            "last_seen",
            "updated_at",
        ),
    ),
    "product": Entity(
        "sku",
        # barcode: the product's EAN-13 (a UPC-A as its EAN-13, clerk/shared/gtin.py), or None
        ("sku", "title_zh", "title_en", "category", "price_cents", "image", "active", "barcode"),
    ),
    "browse": Entity("id", ("id", "member_id", "sku", "channel", "at")),
    "cart": Entity("id", ("id", "member_id", "sku", "qty", "price_cents", "added_at", "state")),
    "coupon": Entity(
        "id",
        (
            "id",
            "member_id",
            "title_zh",
            "title_en",
            "rule",
            "value",
            "min_spend_cents",
            "applies_to",
            "valid_from",
            "expires_at",
            "state",
            "used_at",
        ),
    ),
    # A record of the customer's history: its kind, what the associate typed and the kind's
    # structured facts (clerk/shared/interactions/), never prose.
    "visit": Entity(
        "id",
        (
            "id",
            "member_id",
            "store_id",
            "store_name",
            "staff_id",
            "staff_name",
            "kind",
            "text",
            "facts",
            "at",
        ),
    ),
    # What the customer keeps for later online, and what they bought online (its lines as JSON:
    # [{"sku", "qty", "price_cents"}, …]); both arrive as behaviour events (sync/hub/segment/).
    "wishlist": Entity("id", ("id", "member_id", "sku", "added_at")),
    "order": Entity(
        "id", ("id", "member_id", "total_cents", "state", "items", "at", "refunded_at")
    ),
    # The member's points ledger, one row per change of the balance the hub made (``kind``:
    # earn — a sale, by the chain's rule —, redeem, refund — an overdraft reversed —, merge —
    # a merged member's balance carried over, sync/hub/points.py), with the
    # balance and the tier after it (``tier_from`` ≠ ``tier_to``: the sale moved the member up).
    "points": Entity(
        "id",
        (
            "id",
            "member_id",
            "store_id",
            "kind",
            "points",
            "balance",
            "tier_from",
            "tier_to",
            "at",
        ),
    ),
    # The points each sale made at a store earned, for that store's terminals whoever's home
    # store the member's is (the dashboard's points issued): no member, no balance — a
    # visiting member's ledger stays with their own store (docs/security.md). The key is the
    # sale's id (the ledger's earn row it mirrors).
    "store_points": Entity("id", ("id", "store_id", "points", "at")),
    # What to offer with a product (sync/hub/recommend.py): up to N related products, best
    # first, as JSON [{"sku", "reason", "score"}, …] — reason: bought_with | viewed_with.
    "related": Entity("sku", ("sku", "related", "built_at")),
    # A service case (a complaint, a repair …): opened in a store (the case_open record's id),
    # in the CRM (import) or by an event (the Segment intake); open until closed, anywhere.
    "case": Entity(
        "id",
        (
            "id",
            "member_id",
            "case_type",
            "subject",
            "status",
            "sku",
            "store_name",
            "opened_at",
            "updated_at",
            "closed_at",
        ),
    ),
    # The wording of a consent (``purpose``: marketing | browsing) in both languages, by
    # version; the newest in effect is the one shown and asked for.
    "consent_text": Entity(
        "id", ("id", "purpose", "version", "text_zh", "text_en", "effective_at")
    ),
    "key": Entity("kid", ("kid", "public_key", "not_after")),
    "staff": Entity("id", ("id", "name", "role", "pin_hash", "active", "updated_at")),
    # The chain's consent wording shown at a sign-up (id: "version/lang"), for every store.
    "signup_text": Entity("id", ("id", "version", "lang", "text", "published_at")),
    # A follow-up task (sync/hub/tasks.py): made at a terminal (reason ``manual``) or by the
    # hub's rules; ``assignee`` a staff id or None (the store); state open | done;
    # ``escalated_at``: overdue 24 h and shown to the manager.
    "task": Entity(
        "id",
        (
            "id",
            "store_id",
            "member_id",
            "title",
            "reason",
            "facts",
            "assignee",
            "due_at",
            "state",
            "outcome",
            "outreach",
            "created_by",
            "created_at",
            "done_by",
            "done_at",
            "escalated_at",
            "updated_at",
        ),
    ),
    # The client book: the member's associate in a store (``staff_id`` None: unassigned).
    "assignment": Entity(
        "member_id", ("member_id", "store_id", "staff_id", "assigned_by", "assigned_at")
    ),
    # An outreach message's wording in both languages for a task reason (or ``any``), with
    # placeholders such as {name} and {reason} (clerk/outreach.py fills them), for every store.
    "template": Entity("id", ("id", "reason", "text_zh", "text_en", "updated_at")),
}

# Columns whose value is JSON (a list or an object), stored as text on both ends.
JSON_COLUMNS = frozenset({"tags", "applies_to", "facts", "items", "related"})
