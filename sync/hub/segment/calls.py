"""Segment calls as they arrive: checked one by one, their time worked out, nothing stored.

A call is refused (:class:`BadCall`, with a stable reason) when it is not an object, has an
unknown ``type``, names nobody (no ``userId`` nor ``anonymousId``; alias: no ``previousId`` or
``userId``), is a track without ``event``, has fields of the wrong kind, or is over 32 KB.
A call without ``messageId`` gets one made from its content (a replay of the same JSON is then
a no-op too).

Time (the Segment spec's clock-skew correction): the event happened at
``receivedAt − (sentAt − originalTimestamp)`` when the sender gave both clocks' readings
(``originalTimestamp``, else ``timestamp``, and ``sentAt`` — of the call or of the batch), so a
device whose clock is off still lands in order; with no ``sentAt`` the ``timestamp`` given is
trusted; with neither, the time of arrival. Never later than the arrival.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CALL_TYPES = frozenset({"track", "identify", "alias", "page", "screen", "group"})
MAX_CALL_BYTES = 32 * 1024
MAX_ID_CHARS = 200
# A call as compact JSON text: as it came for its checks (size, NUL, lone surrogates: the same
# characters in any key order), its keys sorted to name it by its content. Encoders made once
# (json.dumps with options builds one per call).
_CALL_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_NAMING_TEXT = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


class BadCall(Exception):
    """A call refused, with the reason (``no_identity``, ``no_event``, ``bad_type`` …)."""

    def __init__(self, reason: str, message_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_id = message_id


@dataclass(slots=True)
class Call:
    type: str
    message_id: str
    at_ms: int  # when it happened (corrected), unix ms
    user_id: str | None = None
    anonymous_id: str | None = None
    previous_id: str | None = None
    event: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    traits: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    channel: str | None = None  # the top-level "channel" some libraries set (server, browser…)
    raw: dict[str, Any] = field(default_factory=dict)
    # The product of a Product Viewed / Added / Removed / Added to Wishlist, once
    # intake.check_mapped has read it (properties.sku, else product_id).
    sku: str | None = None

    @property
    def at(self) -> int:
        return self.at_ms // 1000

    @property
    def label(self) -> str:
        """The name it is counted under: the event of a track, the type of anything else."""
        return (self.event or "") if self.type == "track" else self.type


def parse_call(
    doc: Any,
    *,
    received_ms: int,
    batch_sent_at: Any = None,
    forced_type: str | None = None,
    check_text: bool = True,
) -> Call:
    """One call of a batch (or a single call's body) as a :class:`Call`; BadCall if refused.

    ``check_text``: measure the call and look for text no database keeps (NUL, lone
    surrogates); the route skips it for a body that is smaller than one call may be and holds
    no escapes — no call in it can fail those checks."""
    if not isinstance(doc, dict):
        raise BadCall("not_an_object")
    message_id = doc.get("messageId")
    if message_id is not None and (not isinstance(message_id, str) or not message_id.strip()):
        raise BadCall("bad_message_id")
    if message_id is None or check_text:
        text = (_NAMING_TEXT if message_id is None else _CALL_TEXT)(doc)
        try:
            encoded = text.encode("utf-8")
        except UnicodeEncodeError:
            encoded = b""
        if not encoded or "\x00" in text or "\\u0000" in text:
            raise BadCall("bad_text", message_id if isinstance(message_id, str) else None)
        if message_id is None:
            message_id = "h:" + hashlib.sha256(encoded).hexdigest()[:40]
        if len(encoded) > MAX_CALL_BYTES:
            raise BadCall("too_large", message_id)
    if len(message_id) > MAX_ID_CHARS:
        raise BadCall("bad_message_id")
    get = doc.get  # (each field read once; absent ones cost no call)
    kind = forced_type or get("type")
    if not isinstance(kind, str) or kind not in CALL_TYPES:
        raise BadCall("bad_type", message_id)
    user_id = get("userId")
    if user_id is not None:
        user_id = _ident(user_id, message_id)
    anonymous_id = get("anonymousId")
    if anonymous_id is not None:
        anonymous_id = _ident(anonymous_id, message_id)
    previous_id = get("previousId")
    if previous_id is not None:
        previous_id = _ident(previous_id, message_id)
    if kind == "alias":
        if previous_id is None or user_id is None:
            raise BadCall("no_identity", message_id)
    elif user_id is None and anonymous_id is None:
        raise BadCall("no_identity", message_id)
    event = get("event")
    if kind == "track":
        if not isinstance(event, str) or not event.strip() or len(event) > MAX_ID_CHARS:
            raise BadCall("no_event", message_id)
        event = event.strip()
    else:
        event = None
    properties = get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        raise BadCall("bad_properties", message_id)
    traits = get("traits")
    if traits is None:
        traits = {}
    elif not isinstance(traits, dict):
        raise BadCall("bad_traits", message_id)
    context = get("context")
    if context is None:
        context = {}
    elif not isinstance(context, dict):
        raise BadCall("bad_context", message_id)
    if kind == "identify" and not traits:
        traits = dict(context.get("traits") or {})
    at_ms = event_time(
        doc, received_ms=received_ms, batch_sent_at=batch_sent_at, message_id=message_id
    )
    channel = get("channel")
    return Call(
        kind,
        message_id,
        at_ms,
        user_id,
        anonymous_id,
        previous_id,
        event,
        properties,
        traits,
        context,
        channel if isinstance(channel, str) else None,
        doc,
    )


def _ident(value: Any, message_id: str) -> str | None:
    """An identifier: a non-empty string (numbers are taken as their text), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadCall("bad_identity", message_id)
    text = str(value).strip()
    if len(text) > MAX_ID_CHARS:
        raise BadCall("bad_identity", message_id)
    return text or None


def event_time(
    doc: dict[str, Any], *, received_ms: int, batch_sent_at: Any, message_id: str
) -> int:
    """When the call happened, unix ms (see the module docstring)."""
    get = doc.get
    original = get("originalTimestamp")
    if original is not None:
        original = _ms(original, message_id)
    stamp = get("timestamp")
    if stamp is not None:
        stamp = _ms(stamp, message_id)
    sent = get("sentAt")
    if sent is not None:
        sent = _ms(sent, message_id)
    elif batch_sent_at is not None:
        sent = _ms(batch_sent_at, message_id)
    client = original if original is not None else stamp
    if client is None:
        return received_ms
    at = received_ms - (sent - client) if sent is not None else client
    return min(at, received_ms)


def _ms(value: Any, message_id: str) -> int | None:
    """An ISO 8601 time (or unix seconds/ms as a number) as unix ms; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadCall("bad_timestamp", message_id)
    if isinstance(value, (int, float)):
        number = float(value)
        if not 0 <= number < 1e14:
            raise BadCall("bad_timestamp", message_id)
        return int(number if number > 1e11 else number * 1000)
    if not isinstance(value, str) or len(value) > 64:
        raise BadCall("bad_timestamp", message_id)
    ms = _iso_ms(value)
    if ms is None:
        raise BadCall("bad_timestamp", message_id)
    return ms


@functools.lru_cache(maxsize=4096)
def _iso_ms(value: str) -> int | None:
    """An ISO 8601 time with its zone as unix ms, or None. Cached: the calls of a batch, and
    of the batches a library sends together, share their ``sentAt`` and often their stamps."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # a time without its zone is a guess
    try:
        ms = int(parsed.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        return None
    if not 0 <= ms < 10**14:
        return None
    return ms


# --- what the calls say ----------------------------------------------------------------------

_CHANNEL_WORDS = {
    "app": "app",
    "mobile": "app",
    "ios": "app",
    "android": "app",
    "web": "web",
    "browser": "web",
    "h5": "web",
    "pc": "web",
    "mini": "mini",
    "mini-program": "mini",
    "mini_program": "mini",
    "miniprogram": "mini",
    "wechat": "mini",
    "weapp": "mini",
}


def channel_of(call: Call) -> str:
    """The terminal's channel (app | web | mini) a call came through, the first that says:
    ``properties.channel``, ``context.channel``, a library named for a mini program, a
    ``context.app`` (a mobile app's library fills it), a ``context.page`` (a browser's), the
    call's top-level ``channel`` (browser, mobile); otherwise ``web``."""
    for value in (call.properties.get("channel"), call.context.get("channel")):
        if isinstance(value, str) and value.strip().lower() in _CHANNEL_WORDS:
            return _CHANNEL_WORDS[value.strip().lower()]
    library = call.context.get("library")
    name = str(library.get("name") or "").lower() if isinstance(library, dict) else ""
    if any(word in name for word in ("miniprogram", "mini-program", "weapp", "wechat")):
        return "mini"
    if isinstance(call.context.get("app"), dict) or any(
        word in name for word in ("ios", "android", "react-native", "flutter")
    ):
        return "app"
    if isinstance(call.context.get("page"), dict) or "analytics.js" in name:
        return "web"
    top = (call.channel or "").lower()
    if top in ("browser", "mobile"):
        return _CHANNEL_WORDS[top]
    return "web"


def text_prop(props: dict[str, Any], *names: str) -> str | None:
    """The first of ``names`` that holds a non-empty string (or number) in ``props``."""
    for name in names:
        value = props.get(name)
        if isinstance(value, str):
            text = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            continue
        if text:
            return text[:MAX_ID_CHARS]
    return None


def int_prop(props: dict[str, Any], name: str, default: int, *, low: int, high: int) -> int:
    value = props.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return max(low, min(high, int(value)))


def cents(props: dict[str, Any], name: str) -> int | None:
    """A currency amount (units, as the e-commerce spec gives it: 19.99) as whole cents."""
    value = props.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not 0 <= value < 1e12:
        return None
    return round(float(value) * 100)
