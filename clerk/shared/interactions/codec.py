"""A payload read, checked, stored, sent and shown: parsed from its JSON object (or checked as
typed), dumped as JSON, split into a history row and read back from one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from clerk.shared.interactions.base import InvalidInteraction, adapter, invalid
from clerk.shared.interactions.kinds import Payload, spec


def parse_payload(kind: str, data: Mapping[str, Any]) -> Payload:
    """The typed payload of a ``kind`` record from its JSON object (InvalidInteraction)."""
    cls = spec(kind).payload
    try:
        value: Payload = adapter(cls).validate_python(data)
    except ValidationError as exc:
        raise invalid(kind, exc) from None
    return value


def validate(kind: str, payload: Payload | Mapping[str, Any] | None) -> Payload:
    """``payload`` as the typed payload of ``kind``: a mapping is parsed, a typed payload is
    checked to be of that kind (InvalidInteraction)."""
    cls = spec(kind).payload
    if payload is None:
        payload = {}
    if isinstance(payload, Mapping):
        return parse_payload(kind, payload)
    if not isinstance(payload, cls):
        raise InvalidInteraction(kind, "kind_mismatch", None, f"a {payload.kind} payload")
    return payload


def dump(payload: Payload) -> dict[str, Any]:
    """The payload as a JSON object (fields in their order, None left out): what the outbox
    stores and the wire carries."""
    data: dict[str, Any] = adapter(type(payload)).dump_python(
        payload, mode="json", exclude_none=True
    )
    return data


def history_row(payload: Payload) -> tuple[str | None, dict[str, Any]]:
    """(text, facts) of a record's history row: what the associate typed, and the structured
    facts of the kind (sku, action, amount, coupon, lines, cart lines, consent flags) — without
    what is not shown (a member code's jti)."""
    data = dump(payload)
    text = data.pop("text", None)
    for name in payload.private:
        data.pop(name, None)
    return text, data


def from_history(kind: str, text: str | None, facts: Mapping[str, Any] | None) -> Payload | None:
    """The typed payload of a history row (or of a stored record), None when it cannot be read
    (an unknown kind, facts of another version)."""
    data = dict(facts or {})
    if text is not None:
        data["text"] = text
    try:
        return parse_payload(kind, data)
    except InvalidInteraction:
        return None
