"""sync.hub.db's SQL helpers (the statements themselves run in tests/integration on both
backends: test_hub_segment.py, test_hub_concurrency.py)."""

from __future__ import annotations

from sync.hub.db import pg_text_array


def test_text_arrays_quote_every_element_and_escape_quotes_and_backslashes() -> None:
    assert pg_text_array([]) == "{}"
    assert pg_text_array(["a", "", "NULL"]) == '{"a","","NULL"}'
    assert pg_text_array(['b"c', "d\\e", "x,y}{"]) == '{"b\\"c","d\\\\e","x,y}{"}'


def test_text_arrays_escape_every_element_when_one_needs_it() -> None:
    # (one element with a quote: the others, plain, stay as they were; a keyed lock's key
    # carries a unit separator, which an array literal takes as it is)
    assert pg_text_array(["cart:M1\x1fS1", 'q"', "z"]) == '{"cart:M1\x1fS1","q\\"","z"}'
