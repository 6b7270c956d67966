"""The audit log's hash chain, as both ends compute it: the terminal when it appends and
verifies (:mod:`clerk.audit`), the hub when it checks each uploaded row (:mod:`sync.hub.audit`).

A row's ``hash`` is ``sha256(prev_hash + canonical JSON of {seq, id, at, staff_id, action,
detail})``; the first row's ``prev_hash`` is :data:`GENESIS` (64 zeros).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
HASH_RE = re.compile(r"[0-9a-f]{64}")


def canonical(
    seq: int, rid: str, at: int, staff_id: str | None, action: str, detail: Mapping[str, Any]
) -> str:
    """The canonical JSON of one row's content: sorted keys, no spaces, UTF-8 kept."""
    body = {
        "seq": seq,
        "id": rid,
        "at": at,
        "staff_id": staff_id,
        "action": action,
        "detail": dict(detail),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(
    prev_hash: str,
    seq: int,
    rid: str,
    at: int,
    staff_id: str | None,
    action: str,
    detail: Mapping[str, Any],
) -> str:
    text = prev_hash + canonical(seq, rid, at, staff_id, action, detail)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
