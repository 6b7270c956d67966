"""An offline demo terminal: a data directory with the demo world of store S001 in its cache,
written without any hub (the cache filled through ``clerk.cache.apply_changes``, a signing key
of its own for member codes). The UI tests and the UI benchmarks start from it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clerk import outbox as outbox_mod
from clerk.cache import apply_changes, open_cache, set_state
from clerk.db import Transaction
from clerk.shared import membercode
from clerk.shared.phones import phone_bucket, seal_public_key
from demoworld import catalogue, world

DEMO_BUCKET_KEY = hashlib.sha256(b"omni-clerk demo phone bucket key").hexdigest()
# No hub to open them: a fixed sealing key pair, so numbers typed in the demo are sealed too.
DEMO_SEAL_PRIVATE = hashlib.sha256(b"omni-clerk demo phone seal key").hexdigest()
DEMO_KID = 1
DEMO_STORE = "S001"


@dataclass
class DemoHome:
    home: Path
    now: int
    private_key_hex: str
    code_ids: dict[str, int]  # member id → member code id
    cards: dict[str, str]  # member id → card number
    phones: dict[str, str]  # member id → E.164 phone
    hero: str

    def code(self, member_id: str, *, now: int | None = None, ttl: int = 120) -> str:
        """A fresh signed member code for ``member_id``, valid for ``ttl`` seconds."""
        key = membercode.private_key_from_hex(self.private_key_hex)
        at = self.now if now is None else now
        return membercode.issue(key, DEMO_KID, self.code_ids[member_id], exp=at + ttl)


def add_phone_twin(cache: Any, phone: str, *, like: str = "M00000002") -> str:
    """A second cached member (``M00000099``, Li Shuang, a copy of ``like``) sharing
    ``phone``'s last four digits and bucket — as two members of a store can: typing that phone
    offline then offers both. Returns the twin's id. For the UI tests and the real-X tests."""
    cur = cache.execute("SELECT * FROM members WHERE id = ?", (like,))
    names = [d[0] for d in cur.description]
    twin = dict(zip(names, cur.fetchone(), strict=True))
    twin.update(
        id="M00000099",
        code_id=99,
        card_no="99",
        name="李双",
        name_en="Li Shuang",
        phone_last4=phone[-4:],
        phone_bucket=phone_bucket(DEMO_BUCKET_KEY, phone),
        phone_masked="*******" + phone[-4:],
    )
    with Transaction(cache):
        apply_changes(
            cache, [{"entity": "member", "op": "upsert", "key": twin["id"], "data": twin}]
        )
    return str(twin["id"])


def related_changes(spec: world.WorldSpec) -> list[dict[str, Any]]:
    """What to offer with each product, as the hub would ship it after learning from plenty
    of the world's orders (``clerk hub recommend build``): its companions, bought with it."""
    from demoworld.orders import companions

    pairs = companions(world._World(spec), spec.seed)
    return [
        {
            "entity": "related",
            "op": "upsert",
            "key": sku,
            "data": {
                "sku": sku,
                "related": [
                    {"sku": c, "reason": "bought_with", "score": round(1.0 - 0.2 * n, 2)}
                    for n, c in enumerate(dict.fromkeys(others))
                    if c != sku
                ],
                "built_at": spec.now,
            },
        }
        for sku, others in pairs.items()
    ]


def build_home(
    home: Path,
    *,
    members: int = 60,
    seed: int = 42,
    now: int | None = None,
    products: int = 600,
    online: bool = True,
    last_pull_age_s: int = 600,
) -> DemoHome:
    """A terminal data directory with the demo world of store S001 in its cache."""
    now = int(time.time()) if now is None else now
    home.mkdir(parents=True, exist_ok=True)
    spec = world.WorldSpec(
        members=members, seed=seed, now=now, products=products, stores=(DEMO_STORE, "S002", "S003")
    )
    private, public = membercode.generate_keypair()
    code_ids: dict[str, int] = {}
    cards: dict[str, str] = {}
    phones: dict[str, str] = {}
    cache = open_cache(home / "cache.db")
    try:
        with Transaction(cache):
            apply_changes(cache, catalogue.product_changes(spec))
            apply_changes(cache, world.staff_changes(DEMO_STORE, now))
            apply_changes(
                cache,
                [
                    {
                        "entity": "key",
                        "op": "upsert",
                        "key": str(DEMO_KID),
                        "data": {"kid": DEMO_KID, "public_key": public.hex(), "not_after": None},
                    }
                ],
            )
            for bundle in world.members(spec):
                m = bundle.member
                code_ids[m["id"]] = int(m["code_id"])
                cards[m["id"]] = str(m["card_no"])
                phones[m["id"]] = str(m["phone"])
                apply_changes(cache, world.changes(bundle, DEMO_BUCKET_KEY))
            apply_changes(cache, related_changes(spec))
            apply_changes(cache, world.consent_changes(now))
            set_state(cache, "last_pull_at", str(now - last_pull_age_s))
            set_state(cache, "online", "1" if online else "0")
            set_state(cache, "cursor", "1")
        cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        cache.close()
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    try:
        outbox_mod.set_meta(
            outbox,
            {
                outbox_mod.META_PHONE_BUCKET_KEY: DEMO_BUCKET_KEY,
                outbox_mod.META_PHONE_SEAL_KEY: seal_public_key(DEMO_SEAL_PRIVATE),
                outbox_mod.META_STORE_ID: DEMO_STORE,
                outbox_mod.META_STORE_NAME: world.STORES[0]["name"],
                outbox_mod.META_DEVICE_ID: "demo-terminal",
            },
        )
    finally:
        outbox.close()
    return DemoHome(
        home=home,
        now=now,
        private_key_hex=membercode.private_key_to_hex(private),
        code_ids=code_ids,
        cards=cards,
        phones=phones,
        hero=world.HERO_MEMBER_ID,
    )
