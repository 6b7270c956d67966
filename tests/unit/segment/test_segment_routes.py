"""The Segment routes' body checks: the nesting depth worked out from the text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sync.hub.segment.routes import MAX_DEPTH, _BadBody, _deeper_than, _text_deeper_than, parse_body


def _nested(levels: int) -> Any:
    """A value ``levels`` deep (containers ``levels - 1`` deep), lists and objects in turn,
    with brackets, quotes and escapes inside strings that must not count."""
    value: Any = 1
    for i in range(levels - 1):
        value = [value, "]]]"] if i % 2 else {'a\\"]}': value, "b": "[[{{\\\\", "c": "é\u4e2d"}
    return value


@pytest.mark.parametrize("levels", [1, 2, 5, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 60])
@pytest.mark.parametrize("ascii_only", [True, False])
def test_the_text_check_agrees_with_the_walk(levels: int, ascii_only: bool) -> None:
    doc = {"batch": [_nested(levels)]}
    body = json.dumps(doc, ensure_ascii=ascii_only, indent=None if ascii_only else 1).encode()
    walked = _deeper_than(json.loads(body), MAX_DEPTH)
    assert walked == (levels + 1 > MAX_DEPTH)  # the body and its batch list: 2 more
    assert _text_deeper_than(body, MAX_DEPTH) is walked


def test_bodies_not_in_utf8_are_walked() -> None:
    body = json.dumps({"batch": [_nested(MAX_DEPTH)]}).encode("utf-16")
    assert _text_deeper_than(body, MAX_DEPTH) is None
    with pytest.raises(_BadBody):
        parse_body(body)


def test_a_body_exactly_at_the_limit_is_taken_one_deeper_is_not() -> None:
    at_limit = json.dumps({"batch": [_nested(MAX_DEPTH - 1)]}).encode()
    assert parse_body(at_limit)["batch"]
    with pytest.raises(_BadBody):
        parse_body(json.dumps({"batch": [_nested(MAX_DEPTH)]}).encode())
