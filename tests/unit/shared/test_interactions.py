"""The interaction vocabulary (clerk.shared.interactions): every kind defined once, with its
payload type and its own validation; money read exactly (clerk.shared.money); and nowhere else
a list of the kinds (an AST check, with its positive control)."""

from __future__ import annotations

import ast
import dataclasses
import json
import textwrap
from pathlib import Path

import pytest

from clerk.shared import interactions
from clerk.shared.interactions import (
    KINDS,
    Consent,
    Interest,
    InvalidInteraction,
    Note,
    Redeem,
    Resolve,
    Sale,
    Visit,
)
from clerk.shared.money import MAX_CENTS, AmountError, parse_cents

ROOT = Path(__file__).resolve().parents[3]


def test_every_kind_has_one_spec_and_one_payload_type() -> None:
    assert list(KINDS) == [
        "visit",
        "note",
        "interest",
        "redeem",
        "sale",
        "points_redeem",
        "consent",
        "case_open",
        "case_note",
        "case_close",
        "signup",
        "link",
        "resolve",
        "audit",
        "task",
        "task_update",
        "assign",
        "contacted",
    ]
    for kind, spec in KINDS.items():
        assert spec.kind == kind and spec.payload.kind == kind
        assert spec.roles and spec.roles <= set(interactions.ROLES)
        assert not spec.history or spec.member  # a history is a member's
    assert len({spec.payload for spec in KINDS.values()}) == len(KINDS)
    assert interactions.may_record("resolve", "manager")
    assert not interactions.may_record("resolve", "associate")
    assert interactions.may_record("sale", "associate")
    assert interactions.may_record("assign", "manager")
    assert not interactions.may_record("assign", "associate")
    assert interactions.may_record("task", "associate")
    assert interactions.may_record("task_update", "associate")
    cases = {"case_open", "case_note", "case_close"}
    records = {"visit", "note", "interest", "redeem", "sale", "points_redeem", "consent"}
    assert {"task", "task_update", "assign", "contacted"} == interactions.FOLLOWUP_KINDS
    assert records | cases | interactions.FOLLOWUP_KINDS == interactions.MEMBER_KINDS
    assert records | cases == interactions.HISTORY_KINDS
    # A service case is history, not a store visit's count.
    assert records == interactions.COUNTED_KINDS


SIGNUP = {
    "provisional_id": "P-0190f3a2-7b1c-7def-8abc-0123456789ab",
    "phone_sealed": "v1.sealed",
    "name": "林晓雯",
    "consent_version": "2026-12-v1",
}


def test_signup_is_no_members_record_and_keeps_the_sealed_number_out_of_sight() -> None:
    spec = KINDS["signup"]
    assert not spec.member and not spec.history and not spec.counted
    value = interactions.parse_payload("signup", {**SIGNUP, "birthday": "1990-02-28"})
    assert interactions.dump(value)["phone_sealed"] == "v1.sealed"  # sent to the hub
    _text, facts = interactions.history_row(value)
    assert "phone_sealed" not in facts
    plain = interactions.parse_payload("signup", SIGNUP)
    assert interactions.dump(plain)["consent_marketing"] is False  # no consent unless given


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        ({"provisional_id": "M0001"}, "bad_format", "provisional_id"),
        ({"birthday": "1990-02-30"}, "bad_format", "birthday"),
        ({"birthday": "17/05/1990"}, "bad_format", "birthday"),
        ({"name": " "}, "empty", "name"),
        ({"consent_lang": "fr"}, "not_allowed", "consent_lang"),
        ({"consent_marketing": 1}, "wrong_type", "consent_marketing"),
    ],
)
def test_signup_refused_for_its_shape(change: dict[str, object], reason: str, field: str) -> None:
    with pytest.raises(InvalidInteraction) as info:
        interactions.parse_payload("signup", {**SIGNUP, **change})
    assert (info.value.reason, info.value.field) == (reason, field)


@pytest.mark.parametrize(
    ("kind", "payload", "reason", "field"),
    [
        ("task", {"due_at": 1}, "missing", "title"),
        ("task", {"title": "  ", "due_at": 1}, "blank", "title"),
        ("task", {"title": "x" * 201, "due_at": 1}, "too_long", "title"),
        ("task", {"title": "call", "due_at": -1}, "out_of_range", "due_at"),
        ("task", {"title": "call", "due_at": 1, "outreach": 1}, "wrong_type", "outreach"),
        ("task_update", {"task_id": "T", "action": "done"}, "needs_outcome", "outcome"),
        ("task_update", {"task_id": "T", "action": "snooze"}, "needs_due", "due_at"),
        ("task_update", {"task_id": "T", "action": "close"}, "not_allowed", "action"),
        (
            "task_update",
            {"task_id": "T", "action": "done", "outcome": "emailed"},
            "not_allowed",
            "outcome",
        ),
        ("assign", {"staff_id": ""}, "empty", "staff_id"),
    ],
)
def test_follow_up_payloads_are_refused_with_their_reason(
    kind: str, payload: dict[str, object], reason: str, field: str
) -> None:
    with pytest.raises(interactions.InvalidInteraction) as refused:
        interactions.parse_payload(kind, payload)
    assert (refused.value.reason, refused.value.field) == (reason, field)


def test_follow_up_payloads_round_trip() -> None:
    task = interactions.Task.of("call when size 38 arrives", 1_800_000_000, "A02")
    assert interactions.dump(task) == {
        "title": "call when size 38 arrives",
        "due_at": 1_800_000_000,
        "assignee": "A02",
        "outreach": True,
    }
    done = interactions.TaskUpdate.of("T1", "done", outcome="came_in")
    assert interactions.parse_payload("task_update", interactions.dump(done)) == done
    snooze = interactions.TaskUpdate.of("T1", "snooze", due_at=5, outcome="no_answer")
    assert snooze.due_at == 5 and snooze.outcome == "no_answer"
    assert interactions.Assign.of(None) == interactions.parse_payload("assign", {})


@pytest.mark.parametrize(
    ("kind", "payload", "reason", "field"),
    [
        ("teleport", {}, "unknown_kind", None),
        ("note", {}, "missing", "text"),
        ("note", {"text": ""}, "empty", "text"),
        ("note", {"text": " \t"}, "blank", "text"),
        ("note", {"text": "x" * 4001}, "too_long", "text"),
        ("note", {"text": 5}, "wrong_type", "text"),
        ("interest", {"sku": "S", "action": "bought"}, "not_allowed", "action"),
        ("interest", {"sku": "S" * 65}, "too_long", "sku"),
        ("redeem", {"coupon_id": "Q", "amount_cents": -1}, "out_of_range", "amount_cents"),
        ("sale", {"items": [], "amount_cents": 1}, "too_few", "items"),
        ("points_redeem", {}, "missing", "points"),
        ("points_redeem", {"points": 0}, "out_of_range", "points"),
        ("points_redeem", {"points": 10_000_001}, "out_of_range", "points"),
        ("points_redeem", {"points": 12.5}, "wrong_type", "points"),
        ("points_redeem", {"points": True}, "wrong_type", "points"),
        (
            "sale",
            {"items": [{"sku": "S", "qty": 1, "price_cents": 1}] * 201, "amount_cents": 1},
            "too_many",
            "items",
        ),
        (
            "sale",
            {"items": [{"sku": "S", "qty": 1000, "price_cents": 1}], "amount_cents": 1},
            "out_of_range",
            "items.0.qty",
        ),
        (
            "sale",
            {"items": [{"sku": "S", "qty": 1, "price_cents": 1}], "amount_cents": 1.5},
            "wrong_type",
            "amount_cents",
        ),
        (
            "sale",
            {"items": [{"sku": "S", "qty": True, "price_cents": 1}], "amount_cents": 1},
            "wrong_type",
            "items.0.qty",
        ),
        (
            "sale",
            {"items": [{"sku": "S", "qty": 1, "price_cents": 1}], "amount_cents": MAX_CENTS + 1},
            "out_of_range",
            "amount_cents",
        ),
        ("consent", {}, "no_change", "marketing"),
        ("consent", {"browsing": "yes"}, "wrong_type", "browsing"),
        ("resolve", {"conflict_id": "x", "decision": "maybe"}, "not_allowed", "decision"),
        (
            "audit",
            {"seq": 1, "action": "x", "prev_hash": "0" * 64, "hash": "G" * 64},
            "bad_format",
            "hash",
        ),
    ],
)
def test_a_refusal_says_why_and_where(
    kind: str, payload: dict[str, object], reason: str, field: str | None
) -> None:
    with pytest.raises(InvalidInteraction) as info:
        interactions.parse_payload(kind, payload)
    assert (info.value.reason, info.value.field) == (reason, field)
    assert info.value.reason in interactions.REASONS


def test_constructors_validate_and_dump_is_what_is_stored_and_sent() -> None:
    sale = Sale.of([("SW1", 2, 100)], 150, ["C1"], "gift")
    assert sale.count == 2
    assert interactions.dump(sale) == {
        "items": [{"sku": "SW1", "qty": 2, "price_cents": 100}],
        "amount_cents": 150,
        "cart_item_ids": ["C1"],
        "text": "gift",
    }
    assert interactions.dump(Interest.of("SW1")) == {"sku": "SW1", "action": "asked_about"}
    assert interactions.dump(Consent.of(browsing=False)) == {"browsing": False}
    assert interactions.dump(Resolve.of("L8", "reverse")) == {
        "conflict_id": "L8",
        "decision": "reverse",
    }
    with pytest.raises(InvalidInteraction):
        Note.of("")
    with pytest.raises(InvalidInteraction):
        Redeem.of("")
    with pytest.raises(InvalidInteraction) as info:
        interactions.validate("note", Redeem.of("Q1"))
    assert info.value.reason == "kind_mismatch"
    # unknown fields are ignored (a newer terminal's), not kept
    assert interactions.validate("note", {"text": "hi", "mood": "x"}) == Note(text="hi")
    # typed values are frozen, hashable plain dataclasses (clerk lookup --json prints them)
    assert dataclasses.asdict(sale)["items"][0]["qty"] == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        sale.amount_cents = 1  # type: ignore[misc]


def test_a_history_row_is_text_and_facts_and_back() -> None:
    visit = Visit(via="code", jti="a1b2", text="walk-in")
    assert interactions.history_row(visit) == ("walk-in", {"via": "code"})  # no jti
    sale = Sale.of([("SW1", 1, 100)], 100, text="gift")
    text, facts = interactions.history_row(sale)
    assert text == "gift" and "text" not in facts
    assert interactions.from_history("sale", text, json.loads(json.dumps(facts))) == sale
    assert interactions.from_history("sale", "old prose", {}) is None  # unreadable: None
    assert interactions.from_history("teleport", None, {}) is None


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12.34", 1234), ("0", 0), ("1,999.50", 199_950), (" ¥5 ", 500), ("100000000", MAX_CENTS)],
)
def test_amounts_are_read_exactly(text: str, cents: int) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not_a_number"),
        ("abc", "not_a_number"),
        ("inf", "not_a_number"),
        ("nan", "not_a_number"),
        ("1e3", "not_a_number"),
        ("-1", "negative"),
        ("0.004", "sub_cent"),
        ("12.345", "sub_cent"),
        ("100000000.01", "too_large"),
        ("9" * 40, "too_large"),
    ],
)
def test_what_is_not_an_amount_is_refused(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_cents(text)
    assert info.value.reason == reason


def test_amounts_in_a_locale_with_a_decimal_comma() -> None:
    assert parse_cents("1.999,5", decimal_point=",", group_separator=".") == 199_950
    with pytest.raises(AmountError):
        parse_cents("1.5", decimal_point=",", group_separator="")


# --- the kinds are spelled in one place -----------------------------------------------------

VOCABULARY = "clerk/shared/interactions/"  # the package: the one place that may list kinds
# Where code decides (the core, sync, the hub, the demo world, the UI's controllers and
# models). ui/views/ lay out the forms and buttons they have, in their order: a layout, not a
# list of the kinds.
CHECKED = ("clerk", "sync", "demoworld", "ui")
NOT_CHECKED = ("ui/views/",)


def kind_lists(root: Path, kinds: frozenset[str]) -> list[str]:
    """``path:line`` of every tuple, list or set literal (``frozenset({…})`` included) with two
    or more kind names in it, outside the vocabulary."""
    found: list[str] = []
    for folder in CHECKED:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel.startswith((VOCABULARY, *NOT_CHECKED)):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Tuple | ast.List | ast.Set):
                    continue
                named = [
                    e.value
                    for e in node.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in kinds
                ]
                if len(named) >= 2:
                    found.append(f"{rel}:{node.lineno}")
    return found


def test_no_module_but_the_vocabulary_lists_the_kinds() -> None:
    assert kind_lists(ROOT, frozenset(KINDS)) == []


def test_the_kind_list_check_finds_planted_lists(tmp_path: Path) -> None:
    """Positive control."""
    (tmp_path / VOCABULARY).mkdir(parents=True)
    (tmp_path / "ui" / "views").mkdir(parents=True)
    (tmp_path / VOCABULARY / "kinds.py").write_text('KINDS = ("visit", "note")\n', "utf-8")
    (tmp_path / "clerk" / "bad.py").write_text(
        textwrap.dedent(
            """\
            COUNTED = ("visit", "note", "sale")
            MEMBER = frozenset({"visit", "redeem"})
            if kind in ["sale", "redeem"]:
                pass
            FINE = ("visit", "store")
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "ui" / "views" / "form.py").write_text('FORMS = ("note", "sale")\n', "utf-8")
    assert kind_lists(tmp_path, frozenset(KINDS)) == [
        "clerk/bad.py:1",
        "clerk/bad.py:2",
        "clerk/bad.py:3",
    ]


def test_case_kinds_are_typed_and_bounded() -> None:
    from clerk.shared.interactions import (
        CaseClose,
        CaseNote,
        CaseOpen,
        InvalidInteraction,
        from_history,
        history_row,
        parse_payload,
    )

    opened = CaseOpen.of("repair", "screen replacement", "SW00001", "cracked in the box")
    assert history_row(opened) == (
        "cracked in the box",
        {"case_type": "repair", "subject": "screen replacement", "sku": "SW00001"},
    )
    assert from_history("case_open", *history_row(opened)) == opened
    assert CaseNote.of("0190-abc", "called back").case_id == "0190-abc"
    assert CaseClose.of("0190-abc").text is None
    for kind, data, reason, field in (
        ("case_open", {"case_type": "refund", "subject": "x"}, "not_allowed", "case_type"),
        ("case_open", {"case_type": "repair", "subject": "   "}, "blank", "subject"),
        ("case_open", {"case_type": "repair", "subject": "x" * 201}, "too_long", "subject"),
        ("case_open", {"case_type": "repair"}, "missing", "subject"),
        ("case_note", {"case_id": "c", "text": " "}, "blank", "text"),
        ("case_note", {"text": "x"}, "missing", "case_id"),
        ("case_close", {"case_id": ""}, "empty", "case_id"),
    ):
        with pytest.raises(InvalidInteraction) as exc:
            parse_payload(kind, data)
        assert (exc.value.reason, exc.value.field) == (reason, field), (kind, data)
