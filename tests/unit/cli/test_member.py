"""``clerk member search`` (clerk/cli/member.py): this store's members by name, pinyin, last
four digits or card, masked, as a signed-in staff member (the PIN rules of every command);
text that searches nothing exits 2; the search writes nothing but the sign-in's audit rows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from cli_run import clerk

from clerk import audit
from clerk import outbox as outbox_mod
from clerk.cli.common import EXIT_INPUT, EXIT_OK

if TYPE_CHECKING:
    from conftest import DemoDbs

HERO = "M00000001"  # 林晓雯 (Lin Xiaowen), of the first store


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


@pytest.fixture
def signup_home(home: DemoDbs) -> DemoDbs:
    """The home with the chain's consent wording and the hub's phone keys."""
    from clerk.cache import apply_changes
    from clerk.shared.phones import generate_seal_keypair
    from demoworld import world

    apply_changes(home.cache, world.consent_changes(1_700_000_000))
    home.cache.commit()
    outbox_mod.set_meta(
        home.outbox,
        {
            outbox_mod.META_PHONE_BUCKET_KEY: "00" * 32,
            outbox_mod.META_PHONE_SEAL_KEY: generate_seal_keypair()[1],
        },
    )
    return home


def test_member_add_shows_the_wording_first_then_signs_up(
    signup_home: DemoDbs, capsys: pytest.CaptureFixture[str]
) -> None:
    from demoworld import world

    base = ("member", "add", "--phone", "139 0017 2026", "--name", "林晓雯", "--staff", "A01")
    assert clerk(*base, "--json") == EXIT_INPUT  # the wording, no sign-up
    shown = json.loads(capsys.readouterr().out)
    assert shown["consent_version"] == world.CONSENT_VERSION
    assert shown["text"] == dict(world.CONSENT_TEXTS)["zh"]
    assert clerk(*base, "--consent-version", "1999-old") == EXIT_INPUT
    capsys.readouterr()
    assert signup_home.outbox.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0

    code = clerk(*base, "--consent-version", world.CONSENT_VERSION, "--marketing", "--json")
    assert code == EXIT_OK
    made = json.loads(capsys.readouterr().out)
    assert str(made["member_id"]).startswith("P-") and made["phone_masked"] == "*******2026"
    assert made["code"] == f"SU1:{made['member_id']}"
    (row,) = signup_home.outbox.execute(
        "SELECT kind, staff_id, payload FROM interactions WHERE kind = 'signup'"
    ).fetchall()
    payload = json.loads(row[2])
    assert (row[0], row[1]) == ("signup", "A01")
    assert payload["consent_version"] == world.CONSENT_VERSION and payload["consent_marketing"]
    assert payload["consent_browsing"] is False
    assert "13900172026" not in row[2]


def test_member_add_refuses_a_mistyped_number(
    signup_home: DemoDbs, capsys: pytest.CaptureFixture[str]
) -> None:
    from demoworld import world

    code = clerk(
        "member",
        "add",
        "--phone",
        "1390017202",
        "--name",
        "Lin",
        "--staff",
        "A01",
        "--consent-version",
        world.CONSENT_VERSION,
    )
    assert code == EXIT_INPUT
    assert "phone" in capsys.readouterr().err
    assert signup_home.outbox.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0
