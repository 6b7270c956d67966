"""The hub's own audit: administrative acts on the hub, one row each (``hub_audit``). (The
terminals' audit chains, which the hub checks as they arrive, are :mod:`sync.hub.audit`.)

Who (``actor``: ``cli:<user>`` for ``clerk hub …``, ``admin:<token name>`` for the HQ API),
what (``action``: ``device_revoke``, ``device_import``, ``admin_token_create``,
``admin_token_revoke``), on what (``target``, e.g. a device id), details as JSON, and when.
Written in the same transaction as the act. Member look-ups by proof have their own table
(:mod:`sync.hub.members`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx


def record(
    tx: Tx,
    actor: str,
    action: str,
    target: str | None,
    detail: Mapping[str, Any] | None = None,
    *,
    now: int | None = None,
) -> None:
    """One audit row, in ``tx``."""
    t = int(time.time()) if now is None else now
    text = json.dumps(dict(detail or {}), sort_keys=True, ensure_ascii=False)
    tx.conn.execute(
        "INSERT INTO hub_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
        (t, actor[:200], action, target, text),
    )


def rows(store: HubStore, *, limit: int = 1000) -> list[dict[str, Any]]:
    """The newest audit rows, oldest first."""
    with store.read() as conn:
        found = conn.dicts(
            "SELECT id, at, actor, action, target, detail FROM hub_audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    for r in found:
        r["detail"] = json.loads(r["detail"])
    return list(reversed(found))
