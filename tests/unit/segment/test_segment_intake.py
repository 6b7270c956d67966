"""The intake's SQL helpers (the statements themselves run in tests/integration/test_hub_segment.py
on both backends)."""

from __future__ import annotations

from sync.hub.segment.intake import _pg_text_array


def test_text_arrays_quote_every_element_and_escape_quotes_and_backslashes() -> None:
    assert _pg_text_array([]) == "{}"
    assert _pg_text_array(["a", "", "NULL"]) == '{"a","","NULL"}'
    assert _pg_text_array(['b"c', "d\\e", "x,y}{"]) == '{"b\\"c","d\\\\e","x,y}{"}'
