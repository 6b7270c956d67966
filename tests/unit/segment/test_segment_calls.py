"""Segment calls checked and timed (sync/hub/segment/calls.py): no database, no HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sync.hub.segment.calls import BadCall, channel_of, event_time, parse_call
from sync.hub.segment.routes import basic_user, inflate

NOW_MS = int(datetime(2026, 6, 1, 12, 0, tzinfo=UTC).timestamp() * 1000)
MIN = 60_000


def call(**fields: Any) -> dict[str, Any]:
    return {"type": "track", "userId": "u1", "event": "Product Viewed", **fields}


def test_the_clock_skew_of_the_sender_is_corrected() -> None:
    # The device's clock is 10 minutes fast: it saw the event at 12:05 and sent it at 12:10
    # by its clock; it arrived at 12:00 by ours, so it happened at 11:55.
    doc = call(originalTimestamp="2026-06-01T12:05:00Z", sentAt="2026-06-01T12:10:00Z")
    assert (
        event_time(doc, received_ms=NOW_MS, batch_sent_at=None, message_id="m") == NOW_MS - 5 * MIN
    )
    # The batch's sentAt serves when the call has none; timestamp stands in for the original.
    doc = call(timestamp="2026-06-01T12:05:00+00:00")
    at = event_time(doc, received_ms=NOW_MS, batch_sent_at="2026-06-01T12:10:00Z", message_id="m")
    assert at == NOW_MS - 5 * MIN


def test_a_timestamp_alone_is_trusted_and_never_later_than_arrival() -> None:
    doc = call(timestamp="2026-05-01T00:00:00Z")
    want = int(datetime(2026, 5, 1, tzinfo=UTC).timestamp() * 1000)
    assert event_time(doc, received_ms=NOW_MS, batch_sent_at=None, message_id="m") == want
    future = call(timestamp="2027-01-01T00:00:00Z")
    assert event_time(future, received_ms=NOW_MS, batch_sent_at=None, message_id="m") == NOW_MS
    assert event_time(call(), received_ms=NOW_MS, batch_sent_at=None, message_id="m") == NOW_MS


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        (call(timestamp="2026-06-01T12:00:00"), "bad_timestamp"),  # no zone: a guess
        (call(timestamp=True), "bad_timestamp"),
        (call(userId=None), "no_identity"),
        (call(userId={"a": 1}), "bad_identity"),
        (call(event=""), "no_event"),
        (call(type="merge"), "bad_type"),
        (call(properties=[1]), "bad_properties"),
        (call(messageId=""), "bad_message_id"),
        (call(properties={"name": "a\x00b"}), "bad_text"),
        (call(properties={"name": "\ud800"}), "bad_text"),
        ({"type": "alias", "userId": "u1"}, "no_identity"),
    ],
)
def test_refused_calls_say_why(doc: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadCall) as err:
        parse_call(doc, received_ms=NOW_MS)
    assert err.value.reason == reason


def test_a_call_without_message_id_is_named_by_its_content() -> None:
    one = parse_call(call(properties={"sku": "A"}), received_ms=NOW_MS)
    same = parse_call(call(properties={"sku": "A"}), received_ms=NOW_MS + 5)
    other = parse_call(call(properties={"sku": "B"}), received_ms=NOW_MS)
    assert one.message_id == same.message_id != other.message_id
    assert one.message_id.startswith("h:")
    assert parse_call(call(messageId="m-1"), received_ms=NOW_MS).message_id == "m-1"


@pytest.mark.parametrize(
    ("fields", "channel"),
    [
        ({"properties": {"channel": "Mini-Program"}}, "mini"),
        ({"context": {"channel": "app"}}, "app"),
        ({"context": {"library": {"name": "analytics-miniprogram"}}}, "mini"),
        ({"context": {"app": {"name": "shop", "version": "3.1"}}}, "app"),
        ({"context": {"library": {"name": "analytics-ios"}}}, "app"),
        ({"context": {"page": {"url": "https://shop.example/p/1"}}}, "web"),
        ({"channel": "mobile"}, "app"),
        ({"channel": "server"}, "web"),
        ({}, "web"),
    ],
)
def test_the_channel_comes_from_the_calls_context(fields: dict[str, Any], channel: str) -> None:
    assert channel_of(parse_call(call(**fields), received_ms=NOW_MS)) == channel


def test_identify_traits_may_come_in_the_context() -> None:
    doc = {"type": "identify", "userId": "u1", "context": {"traits": {"name": "Lin"}}}
    assert parse_call(doc, received_ms=NOW_MS).traits == {"name": "Lin"}


def test_basic_auth_and_bodies() -> None:
    import base64
    import gzip

    key = base64.b64encode(b"ocw_abc:").decode()
    assert basic_user(f"Basic {key}") == "ocw_abc"
    assert basic_user("Bearer ocw_abc") is None and basic_user("Basic !!!") is None
    assert inflate(gzip.compress(b'{"batch": []}'), "gzip") == b'{"batch": []}'


def test_a_call_is_named_by_its_content_whatever_the_order_of_its_keys() -> None:
    one = call(properties={"sku": "A", "channel": "app"}, context={"ip": "1", "locale": "zh"})
    turned = dict(reversed(list(one.items())))
    turned["properties"] = {"channel": "app", "sku": "A"}
    turned["context"] = {"locale": "zh", "ip": "1"}
    assert json.dumps(turned) != json.dumps(one)
    named = parse_call(one, received_ms=NOW_MS).message_id
    assert parse_call(turned, received_ms=NOW_MS).message_id == named


@pytest.mark.parametrize("message_id", [None, "m-1"])
@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({"name": "a\x00b"}, "bad_text"),
        ({"name": "\ud800"}, "bad_text"),
        ({"x": "y" * 40_000}, "too_large"),
    ],
)
def test_text_a_database_cannot_keep_or_too_much_of_it_is_refused_named_or_not(
    message_id: str | None, properties: dict[str, Any], reason: str
) -> None:
    doc = call(properties=properties)
    if message_id is not None:
        doc["messageId"] = message_id
    with pytest.raises(BadCall) as refused:
        parse_call(doc, received_ms=NOW_MS)
    assert refused.value.reason == reason
