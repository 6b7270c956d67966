"""Member-code signing keys: issuing codes with the active key, rotating keys."""

from __future__ import annotations

import time

from clerk.shared import membercode
from sync.hub.store import HubStore, SigningKey

DEFAULT_TTL_S = membercode.VALIDITY_S


def member_code(
    store: HubStore, member_id: str, *, ttl: int = DEFAULT_TTL_S, now: int | None = None
) -> str:
    """An MC1 member code for ``member_id``, signed by the active key, expiring in ``ttl`` s."""
    t = int(time.time()) if now is None else now
    key = store.active_key()
    code_id = store.member_code_id(member_id)
    private = membercode.private_key_from_hex(key.private_key)
    return membercode.issue(private, key.kid, code_id, exp=t + ttl)


def rotate(store: HubStore, *, now: int | None = None) -> SigningKey:
    """A new active signing key; the previous one is retired (accepted a few minutes more)."""
    return store.rotate_key(now=now)
