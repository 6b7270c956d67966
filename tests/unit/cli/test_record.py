"""``clerk record`` (clerk/cli/record.py): payloads built through the vocabulary — refused with
exit 2 and one line before anything is saved when the hub would refuse them; amounts read with
Decimal into whole fen; a sale priced from the catalogue, closing the member's open cart lines
of the products it sells."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

import pytest
from cli_run import clerk as run

from clerk.cli.common import EXIT_INPUT, EXIT_OK
from demoworld import catalogue

if TYPE_CHECKING:
    from conftest import DemoDbs

HERO = "M00000001"
STAFF = ("--staff", "A01")  # the associate who served; the PIN comes from $CLERK_PIN


def clerk(*argv: str) -> int:
    """``clerk …`` through the real parser, with the exit code ``clerk`` would exit with;
    ``clerk record`` as the signed-in associate A01."""
    if argv[:1] == ("record",):
        argv = (*argv, *STAFF)
    return run(*argv)


def recorded(outbox: sqlite3.Connection) -> list[tuple[str, dict[str, object]]]:
    return [
        (str(r[0]), json.loads(r[1]))
        for r in outbox.execute("SELECT kind, payload FROM interactions ORDER BY device_seq")
    ]


def test_a_sale_is_priced_and_closes_the_cart_lines_it_sells(
    home: DemoDbs, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["record", "sale", "--member", HERO, "--sku", catalogue.HERO_SKU]
    assert clerk(*argv, "--amount", "1,799.50", "--text", "gift wrap", "--json") == EXIT_OK
    wire = json.loads(capsys.readouterr().out)
    assert wire["payload"] == {
        "items": [{"sku": catalogue.HERO_SKU, "qty": 1, "price_cents": 199_900}],
        "amount_cents": 179_950,
        "cart_item_ids": ["C0000000100"],  # the hero's open cart line of the watch
        "text": "gift wrap",
    }
    # the same product twice is one line of two
    assert clerk(*argv, "--sku", catalogue.HERO_SKU, "--amount", "3998") == EXIT_OK
    payload = recorded(home.outbox)[-1][1]
    assert payload["items"] == [{"sku": catalogue.HERO_SKU, "qty": 2, "price_cents": 199_900}]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["sale", "--sku", catalogue.HERO_SKU, "--amount", "inf"], "not an amount"),
        (["sale", "--sku", catalogue.HERO_SKU, "--amount", "nan"], "not an amount"),
        (["sale", "--sku", catalogue.HERO_SKU, "--amount", "-1"], "negative"),
        (["sale", "--sku", catalogue.HERO_SKU, "--amount", "0.004"], "whole fen"),
        (["sale", "--sku", catalogue.HERO_SKU, "--amount", "1e12"], "not an amount"),
        (["sale", "--sku", catalogue.HERO_SKU, "--amount", "100000000.01"], "at most"),
        (["sale", "--sku", "NOPE", "--amount", "1"], "unknown product"),
        (["sale", "--amount", "1"], "needs --sku"),
        (["note", "--text", "x" * 4001], "note.text"),
        (["note"], "needs --text"),
        (["interest", "--sku", "A", "--sku", "B"], "one --sku"),
        (["redeem"], "needs --coupon"),
        (["consent"], "--marketing and/or --browsing"),
    ],
)
def test_what_the_hub_would_refuse_is_refused_here(
    home: DemoDbs, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert clerk("record", argv[0], "--member", HERO, *argv[1:]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("clerk: ") and err.count("\n") == 1 and needle in err
    assert recorded(home.outbox) == []


def test_each_kind_a_person_records(home: DemoDbs) -> None:
    for argv in (
        ["visit"],
        ["note", "--text", "likes blue"],
        ["interest", "--sku", catalogue.HERO_SKU, "--action", "tried_on"],
        ["redeem", "--coupon", "Q0000000101"],
        ["consent", "--browsing", "no"],
    ):
        assert clerk("record", argv[0], "--member", HERO, *argv[1:]) == EXIT_OK
    assert recorded(home.outbox) == [
        ("visit", {}),
        ("note", {"text": "likes blue"}),
        ("interest", {"sku": catalogue.HERO_SKU, "action": "tried_on"}),
        ("redeem", {"coupon_id": "Q0000000101"}),
        ("consent", {"browsing": False}),
    ]
