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
        "consent",
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
    records = {"visit", "note", "interest", "redeem", "sale", "consent"}
    assert {"task", "task_update", "assign", "contacted"} == interactions.FOLLOWUP_KINDS
    assert records | interactions.FOLLOWUP_KINDS == interactions.MEMBER_KINDS
    assert interactions.HISTORY_KINDS == interactions.COUNTED_KINDS == records


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

VOCABULARY = "clerk/shared/interactions.py"
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
            if rel == VOCABULARY or rel.startswith(NOT_CHECKED):
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
    (tmp_path / "clerk" / "shared").mkdir(parents=True)
    (tmp_path / "ui" / "views").mkdir(parents=True)
    (tmp_path / VOCABULARY).write_text('KINDS = ("visit", "note")\n', encoding="utf-8")
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
