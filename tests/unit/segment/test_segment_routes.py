"""The Segment routes' body checks (the nesting depth worked out from the text) and answers."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from starlette.responses import JSONResponse

from sync.hub.segment.intake import Rejected, TakeResult
from sync.hub.segment.routes import (
    MAX_DEPTH,
    _BadBody,
    _deeper_than,
    _text_deeper_than,
    answer_bytes,
    parse_body,
)


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


def _random_doc(rng: random.Random, depth: int) -> Any:
    """Lists and objects up to ``depth`` deep; strings often empty or plain, sometimes made of
    brackets, quotes and backslashes (as keys too)."""
    pieces = ["", "a", "[", "]", "{", "}", '"', "\\", "x]", "[{"]

    def text() -> str:
        if rng.random() < 0.6:
            return rng.choice(["", "sku", "Product Viewed"])
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 5)))

    def value(level: int) -> Any:
        roll = rng.random()
        if level >= depth or roll < 0.3:
            return rng.choice([text(), 1, None, True])
        if roll < 0.65:
            return [value(level + 1) for _ in range(rng.randrange(0, 4))]
        return {text(): value(level + 1) for _ in range(rng.randrange(0, 4))}

    return value(1)


def test_the_text_check_agrees_with_the_walk_on_random_bodies() -> None:
    # Bodies whose strings hold no bracket (worked out without cutting the strings out) and
    # bodies with strings of brackets and quotes — "]" early and "[" late, which a count of
    # every bracket would take as shallower than the body is — at limits around their depth.
    rng = random.Random(16)
    plain = 0
    for _ in range(3000):
        doc = {"batch": [_random_doc(rng, rng.randrange(1, 8))]}
        body = json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode()
        plain += not any(c in "[]{}" for s in _strings(doc) for c in s)
        for limit in (2, 3, 4, 5, 6):
            assert _text_deeper_than(body, limit) is _deeper_than(doc, limit), (body, limit)
    assert 300 < plain < 2700  # both kinds were tried


def test_a_string_of_brackets_does_not_hide_a_level() -> None:
    # Counted with the strings' brackets, this is [ ] [ [ ] ] [ ]: 2 deep, where it is 3.
    body = b'["]", [[1]], "["]'
    assert _deeper_than(json.loads(body), 2)
    assert _text_deeper_than(body, 2) is True


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    return []


@pytest.mark.parametrize(
    "result",
    [
        TakeResult(100, 0, []),
        TakeResult(0, 2500, []),
        TakeResult(1, 1, [Rejected(2, 'm-\u4e2d"3', "no_event"), Rejected(3, None, "bad_type")]),
    ],
)
def test_a_batchs_answer_is_the_json_the_route_sends(result: TakeResult) -> None:
    assert answer_bytes(result) == JSONResponse(result.wire()).body
