"""``clerk member search`` (clerk/cli/member.py): this store's members by name, pinyin, last
four digits or card, masked, as a signed-in staff member (the PIN rules of every command);
text that searches nothing exits 2; the search writes nothing but the sign-in's audit rows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.cli import build_parser
from clerk.cli.common import EXIT_INPUT, EXIT_OK, fail_with
from clerk.errors import ClerkError
from clerk.shared.pins import hash_pin

if TYPE_CHECKING:
    from conftest import DemoDbs

HERO = "M00000001"  # 林晓雯 (Lin Xiaowen), of the first store
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # tests only


def clerk(*argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    try:
        result: int = args.func(args)
    except ClerkError as exc:
        return fail_with(exc)
    return result


@pytest.fixture
def home(demo_dbs: DemoDbs, monkeypatch: pytest.MonkeyPatch) -> DemoDbs:
    monkeypatch.setenv("CLERK_HOME", str(demo_dbs.cache_path.parent))
    monkeypatch.setenv("CLERK_PIN", "1234")
    demo_dbs.cache.execute(
        "UPDATE staff SET pin_hash = ? WHERE id = 'A01'", (hash_pin("1234", "associate", FAST),)
    )
    demo_dbs.cache.commit()
    outbox_mod.set_meta(demo_dbs.outbox, {outbox_mod.META_STORE_ID: demo_dbs.spec.stores[0]})
    return demo_dbs


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = clerk("member", "search", *argv, "--json", "--staff", "A01")
    return code, json.loads(capsys.readouterr().out)


def test_finds_the_stores_customer_by_pinyin_masked(
    home: DemoDbs, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = _json(capsys, "lin xiao")
    assert code == EXIT_OK
    results = doc["results"]
    assert isinstance(results, list) and results[0]["member_id"] == HERO
    assert results[0]["name"] == "林*雯" and results[0]["match"] in ("name", "prefix")
    store = home.spec.stores[0]
    homes = {
        r[0]: r[1] for r in home.cache.execute("SELECT id, home_store FROM members").fetchall()
    }
    assert {homes[r["member_id"]] for r in results} == {store}  # never another store's


def test_last_four_digits_and_card(home: DemoDbs, capsys: pytest.CaptureFixture[str]) -> None:
    last4, card = home.cache.execute(
        "SELECT phone_last4, card_no FROM members WHERE id = ?", (HERO,)
    ).fetchone()
    _code, doc = _json(capsys, last4)
    assert HERO in [r["member_id"] for r in doc["results"]]  # type: ignore[union-attr]
    _code, doc = _json(capsys, card)
    assert [(r["member_id"], r["match"]) for r in doc["results"]] == [(HERO, "card")]  # type: ignore[union-attr]


def test_the_text_table_and_no_match(home: DemoDbs, capsys: pytest.CaptureFixture[str]) -> None:
    assert clerk("member", "search", "林晓雯", "--staff", "A01") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"{HERO}  林*雯 (L*n X*****n)") and "[name]" in out
    assert "林晓雯" not in out
    assert clerk("member", "search", "zzzz", "--staff", "A01") == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == "" and "no customer of this store matches" in captured.err


def test_text_that_searches_nothing_exits_2(
    home: DemoDbs, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clerk("member", "search", "l", "--staff", "A01") == EXIT_INPUT
    assert "nothing to search for" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "pin"), [((), "1234"), (("--staff", "A01"), "0000"), (("--staff", "Z99"), "1234")]
)
def test_staff_and_pin_are_required(
    home: DemoDbs,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    pin: str,
) -> None:
    monkeypatch.setenv("CLERK_PIN", pin)
    assert clerk("member", "search", "lin", *argv) == EXIT_INPUT
    assert capsys.readouterr().out == ""


def test_a_search_writes_only_the_sign_in_and_out(
    home: DemoDbs, capsys: pytest.CaptureFixture[str]
) -> None:
    _json(capsys, "lin")
    assert [r.action for r in audit.rows(home.outbox)] == ["signin", "signout"]
    assert home.outbox.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0
