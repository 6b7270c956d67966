"""The kinds the hub imports, each a :class:`~sync.hub.imports.registry.Kind`: its columns and
how a batch is written. ``members`` lives in :mod:`sync.hub.imports.members`; products, coupons
and staff are here. Another kind is one more entry in :data:`KINDS`.

=========  ===================  ==========================================================
kind       the source's id      our id, and who gets the change rows
=========  ===================  ==========================================================
members    ``id``               ``MI…`` (or the member the id names already); its store
products   ``sku``              the sku; every store
coupons    ``id``               ``CI…``; the store of the coupon's member
staff      ``id``               the id (staff sign in with it); their store
cases      ``id``               the id (the CRM's case number); the store of its member
=========  ===================  ==========================================================
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from clerk.shared.pins import ROLES
from sync.hub import cases
from sync.hub.imports import fields
from sync.hub.imports.fields import RowError
from sync.hub.imports.members import MEMBERS
from sync.hub.imports.registry import Batch, Column, Item, Kind

COUPON_RULES = ("amount_off", "percent_off")
COUPON_STATES = ("live", "used", "expired")
_ARGON2ID = "$argon2id$"


# --- products ------------------------------------------------------------------------------


def write_products(b: Batch, items: Sequence[Item]) -> None:
    columns = [
        "sku", "title_zh", "title_en", "category", "price_cents", "image", "active", "barcode"
    ]  # fmt: skip
    given = ("image", "barcode")
    rows = []
    for item in items:
        r = item.record
        row = {
            "sku": r["sku"],
            "title_zh": r["title_zh"],
            "title_en": r.get("title_en", r["title_zh"]),
            "category": r.get("category", ""),
            "price_cents": r["price"],
            "active": r.get("active", 1),
            **{c: r.get(c) for c in given},
        }
        rows.append(tuple(row.get(c) for c in columns))
        b.change(None, r["sku"])
        b.applied(item, r["sku"], new=item.our_id is None)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    marks = ", ".join("?" for _ in columns)
    b.conn.many(
        f"INSERT INTO products ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT (sku) DO UPDATE SET {updates}",
        rows,
    )


PRODUCTS = Kind(
    name="products",
    entity="product",
    id_column="sku",
    columns=(
        Column("sku", fields.ident, True, "the product's sku (our key too)"),
        Column("title_zh", lambda v: fields.text(v, most=200), True, "title in Chinese"),
        Column("title_en", lambda v: fields.text(v, most=200), doc="default: title_zh"),
        Column("category", lambda v: fields.text(v, most=60), doc="category"),
        Column("price", fields.money, True, "price in yuan, e.g. 1999 or 1999.50"),
        Column("image", lambda v: fields.text(v, most=500), doc="image URL or file name"),
        Column("active", fields.flag, doc="flag (default 1)"),
        Column("barcode", fields.barcode, doc="EAN-13 or UPC-A, check digit validated"),
    ),
    write=write_products,
)


# --- coupons -------------------------------------------------------------------------------


def coupon_id(source: str, external_id: str) -> str:
    return "CI" + hashlib.sha256(f"{source}\0{external_id}".encode()).hexdigest()[:14].upper()


def _check_coupon(r: dict[str, Any]) -> None:
    if r["rule"] == "percent_off":
        if not 1 <= r["value"] <= 9900 or r["value"] % 100:
            raise RowError("value: a percent_off coupon's value is a whole percent, 1 to 99")
        r["value"] //= 100  # read as money (×100); a percentage is kept as the number
    elif r["value"] <= 0:
        raise RowError("value: an amount_off coupon takes off more than 0")
    if "valid_from" in r and r["valid_from"] >= r["expires_at"]:
        raise RowError("expires_at: not after valid_from")


def write_coupons(b: Batch, items: Sequence[Item]) -> None:
    owners = b.mapped("members", (i.record["member"] for i in items))
    unmapped = [i.record["member"] for i in items if i.record["member"] not in owners]
    homes = b.column_values("members", "id", ("home_store",), [*owners.values(), *unmapped])
    rows = []
    for item in items:
        r = item.record
        member = owners.get(r["member"], r["member"])
        if member not in homes:
            b.refuse(item, f"member: no member {r['member']!r} (import the members first)")
            continue
        ours = item.our_id or coupon_id(b.source, item.external_id)
        rows.append(
            (
                ours,
                member,
                r["title_zh"],
                r.get("title_en", r["title_zh"]),
                r["rule"],
                r["value"],
                r.get("min_spend", 0),
                r.get("applies_to", "{}"),
                r.get("valid_from", b.now),
                r["expires_at"],
                r.get("state", "live"),
            )
        )
        home = homes[member][0]
        if home is not None:
            b.change(str(home), ours)
        b.applied(item, ours, new=item.our_id is None)
    if rows:
        b.conn.many(
            "INSERT INTO coupons (id, member_id, title_zh, title_en, rule, value, "
            "min_spend_cents, applies_to, valid_from, expires_at, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "member_id = excluded.member_id, title_zh = excluded.title_zh, "
            "title_en = excluded.title_en, rule = excluded.rule, value = excluded.value, "
            "min_spend_cents = excluded.min_spend_cents, applies_to = excluded.applies_to, "
            "valid_from = excluded.valid_from, expires_at = excluded.expires_at, "
            "state = excluded.state",
            rows,
        )


COUPONS = Kind(
    name="coupons",
    entity="coupon",
    columns=(
        Column("id", fields.ident, True, "the coupon's id in the source"),
        Column("member", fields.ident, True, "the member's id in the source (members import)"),
        Column("title_zh", lambda v: fields.text(v, most=200), True, "title in Chinese"),
        Column("title_en", lambda v: fields.text(v, most=200), doc="default: title_zh"),
        Column("rule", lambda v: fields.one_of(v, COUPON_RULES), True, "amount_off|percent_off"),
        Column("value", fields.money, True, "yuan off (amount_off) or percent (percent_off)"),
        Column("min_spend", fields.money, doc="least spend in yuan (default 0)"),
        Column("applies_to", fields.json_object, doc='JSON: {"skus": […]} or {"categories": […]}'),
        Column("valid_from", fields.when, doc="time (default: now)"),
        Column("expires_at", fields.when, True, "time"),
        Column("state", lambda v: fields.one_of(v, COUPON_STATES), doc="live|used|expired"),
    ),
    write=write_coupons,
    check=_check_coupon,
)


# --- staff ---------------------------------------------------------------------------------


def _pin_hash(value: Any) -> str:
    raw = fields.text(value, most=200)
    if not raw.startswith(_ARGON2ID):
        raise RowError("an argon2id hash ($argon2id$…); set PINs with clerk hub staff reset-pin")
    return raw


def write_staff(b: Batch, items: Sequence[Item]) -> None:
    stores = b.stores()
    before = b.column_values("staff", "id", ("store_id",), (i.record["id"] for i in items))
    for item in items:
        r = item.record
        if r["store"] not in stores:
            b.refuse(item, f"store: no store {r['store']!r} at the hub")
            continue
        b.conn.execute(
            "INSERT INTO staff (id, store_id, name, role, pin_hash, active, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "store_id = excluded.store_id, name = excluded.name, role = excluded.role, "
            "pin_hash = coalesce(excluded.pin_hash, staff.pin_hash), active = excluded.active, "
            "updated_at = excluded.updated_at",
            (
                r["id"],
                r["store"],
                r["name"],
                r["role"],
                r.get("pin_hash"),
                r.get("active", 1),
                b.now,
            ),
        )
        b.change(r["store"], r["id"])
        old = before.get(r["id"])
        if old is not None and old[0] != r["store"]:
            b.change(str(old[0]), r["id"], "delete")
        b.applied(item, r["id"], new=old is None)


STAFF = Kind(
    name="staff",
    entity="staff",
    columns=(
        Column("id", fields.ident, True, "the staff id they sign in with (our id too)"),
        Column("store", fields.ident, True, "their store"),
        Column("name", lambda v: fields.text(v, most=100), True, "name"),
        Column("role", lambda v: fields.one_of(v, ROLES), True, "associate|manager"),
        Column("pin_hash", _pin_hash, doc="argon2id hash only (or set later: staff reset-pin)"),
        Column("active", fields.flag, doc="flag (default 1)"),
    ),
    write=write_staff,
    forbidden={"pin": "PINs are never imported in clear: give pin_hash or use staff reset-pin"},
)


# --- service cases -------------------------------------------------------------------------


def write_cases(b: Batch, items: Sequence[Item]) -> None:
    """Cases as the CRM sees them (:func:`sync.hub.cases.upsert`: its rules, its change rows);
    ``member`` is the member's id in this source (members import) or, when the source never
    sent that member, the hub's own member id."""
    owners = b.mapped("members", (i.record["member"] for i in items))
    rows = []
    for item in items:
        r = item.record
        rows.append(
            {
                "id": r["id"],
                "member_id": owners.get(r["member"], r["member"]),
                "case_type": r["case_type"],
                "subject": r["subject"],
                "status": r["status"],
                "sku": r.get("sku"),
                "store_name": r.get("store_name"),
                "opened_at": r["opened_at"],
                "updated_at": r.get("updated_at"),
                "closed_at": r.get("closed_at"),
            }
        )
    refused = dict(cases.upsert(b.tx, rows).refused)
    for i, item in enumerate(items):
        if i in refused:
            why = {
                "unknown_member": f"member: no member {item.record['member']!r}",
                "member_mismatch": "member: the case is another member's",
            }.get(refused[i], refused[i])
            b.refuse(item, why)
        else:
            b.applied(item, item.record["id"], new=item.our_id is None)


CASES = Kind(
    name="cases",
    entity="case",
    columns=(
        Column("id", fields.ident, True, "the case's id in the CRM (our id too), e.g. R-1024"),
        Column("member", fields.ident, True, "the member's id in the source (members import)"),
        Column(
            "case_type",
            lambda v: fields.one_of(v, tuple(sorted(cases.CASE_TYPES))),
            True,
            "complaint|repair|other",
        ),
        Column(
            "subject", lambda v: fields.text(v, most=cases.MAX_SUBJECT), True, "what it is about"
        ),
        Column(
            "status", lambda v: fields.one_of(v, tuple(sorted(cases.STATUSES))), True, "open|closed"
        ),
        Column("sku", fields.ident, doc="the product concerned"),
        Column("store_name", lambda v: fields.text(v, most=100), doc="where it was opened"),
        Column("opened_at", fields.when, True, "time"),
        Column("updated_at", fields.when, doc="time (default: opened_at)"),
        Column("closed_at", fields.when, doc="time (closed: default updated_at)"),
    ),
    write=write_cases,
)

KINDS: dict[str, Kind] = {k.name: k for k in (MEMBERS, PRODUCTS, COUPONS, STAFF, CASES)}
