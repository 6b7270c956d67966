"""Records left for a person (clerk/rejected.py, the states in clerk/outbox.py): fixed as a new
record superseding the old one, withdrawn, dismissed — who may, what is audited, and that the
old record leaves every figure. On the hand-computed fixture day of tests/unit/test_reports.py.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from clerk import audit, rejected
from clerk import outbox as outbox_mod
from clerk.cache import open_cache
from clerk.errors import ClerkError, PermissionDeniedError
from clerk.outbox import NotOpenError, open_outbox
from clerk.reports import conflicts, kpis
from clerk.shared.interactions import InvalidInteraction
from clerk.staff import Session


def _load_fixture_module() -> ModuleType:
    path = Path(__file__).resolve().parent / "test_reports.py"
    spec = importlib.util.spec_from_file_location("_fixture_day_rejected", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fx = _load_fixture_module()
MANAGER = Session("M01", "周建华", "manager", 0)
ASSOCIATE_B = Session("A02", "陈浩然", "associate", 0)
SALE = {"items": [{"sku": "SW1", "qty": 1, "price_cents": 179900}], "amount_cents": 179900}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return fx.build_fixture_day(tmp_path_factory.mktemp("fixture-day-rejected"))


@pytest.fixture
def day(template: Any, tmp_path: Path) -> Any:
    return fx.copy_fixture_day(template, tmp_path / "day")


@pytest.fixture
def conns(day: Any) -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    cache, ob = open_cache(day.cache_path), open_outbox(day.outbox_path)
    try:
        yield cache, ob
    finally:
        cache.close()
        ob.close()


def _reject(ob: sqlite3.Connection, iid: str, reason: str = "bad_payload") -> None:
    outbox_mod.apply_results(ob, [{"id": iid, "status": "rejected", "reason": reason}])


def _a01(cache: sqlite3.Connection, ob: sqlite3.Connection) -> tuple[int, int]:
    s = kpis.day_summary(cache, ob, fx.DAY, fx.TZ, fx.STORE)
    [a01] = [a for a in s.by_associate if a.staff_id == "A01"]
    return a01.sales, a01.sales_cents


def _actions(ob: sqlite3.Connection) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [(r.action, r.staff_id, r.detail) for r in audit.rows(ob) if r.action.startswith("rec")]


def test_a_fix_is_a_new_record_and_the_rejected_one_leaves_every_figure(
    day: Any, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    cache, ob = conns
    l4 = day.ids["L4"]  # A01's sale to M1, 179,900
    assert _a01(cache, ob) == (2, 209900)
    _reject(ob, l4)
    assert _a01(cache, ob) == (1, 30000)  # a rejected sale is no sale
    before = outbox_mod.status(ob)
    rec = rejected.fix(ob, l4, SALE, staff_id="A01", now=fx.at(19))
    assert rec.id != l4 and rec.supersedes == l4 and rec.state == "pending"
    assert (rec.kind, rec.member_id, rec.staff_id) == ("sale", "M1", "A01")
    assert outbox_mod.get(ob, l4).state == "corrected"  # type: ignore[union-attr]
    after = outbox_mod.status(ob)
    assert (after.rejected, after.pending) == (before.rejected - 1, before.pending + 1)
    assert _a01(cache, ob) == (2, 209900)  # counted once: the fixed copy, not the old one
    h = conflicts.sync_health(cache, ob, now=fx.at(20))
    assert l4 not in {r.id for r in h.rejected}
    [old] = [r for r in h.archived if r.id == l4]
    assert (old.state, old.superseded_by, old.closed_by) == ("corrected", rec.id, "A01")
    assert _actions(ob) == [
        (
            "record_fix",
            "A01",
            {"interaction_id": l4, "kind": "sale", "new_id": rec.id, "hub_answer": "bad_payload"},
        )
    ]
    with pytest.raises(NotOpenError):  # fixed once: a second fix of the same record is refused
        rejected.fix(ob, l4, SALE, staff_id="A01", now=fx.at(19))


def test_a_fix_is_validated_and_only_the_owner_or_a_manager_may(
    day: Any, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    _cache, ob = conns
    l4 = day.ids["L4"]
    _reject(ob, l4)
    rows = ob.execute("SELECT count(*) FROM interactions").fetchone()[0]
    with pytest.raises(PermissionDeniedError):
        rejected.fix(ob, l4, SALE, staff_id="A02", now=fx.at(19))
    with pytest.raises(PermissionDeniedError):
        rejected.fix(ob, l4, SALE, staff_id=None, session=ASSOCIATE_B, now=fx.at(19))
    with pytest.raises(InvalidInteraction):
        rejected.fix(ob, l4, {**SALE, "items": []}, staff_id="A01", now=fx.at(19))
    assert ob.execute("SELECT count(*) FROM interactions").fetchone()[0] == rows
    assert outbox_mod.get(ob, l4).state == "rejected"  # type: ignore[union-attr]
    assert _actions(ob) == []
    rec = rejected.fix(ob, l4, SALE, staff_id=None, session=MANAGER, now=fx.at(19))
    assert rec.staff_id == "M01"  # who fixed it
    with pytest.raises(NotOpenError):  # a pending record is not for a person
        rejected.fix(ob, day.ids["L3"], {"coupon_id": "C1"}, staff_id="A01", now=fx.at(19))


def test_withdraw_and_dismiss_are_audited_and_kept_in_the_archive(
    day: Any, conns: tuple[sqlite3.Connection, sqlite3.Connection]
) -> None:
    cache, ob = conns
    l4, l5 = day.ids["L4"], day.ids["L5"]
    _reject(ob, l4, "unknown_member")
    outbox_mod.park(ob, l5, "http_500: the hub failed", now=fx.at(19))
    with pytest.raises(PermissionDeniedError):  # not A02's to withdraw
        rejected.withdraw(ob, l4, staff_id="A02", now=fx.at(19))
    rejected.withdraw(ob, l4, staff_id="A01", reason="  typed  twice ", now=fx.at(19))
    assert _a01(cache, ob) == (1, 30000)
    with pytest.raises(NotOpenError):
        rejected.withdraw(ob, l4, staff_id="A01", now=fx.at(19))
    # dismissing: managers only, with a reason
    for session in (None, ASSOCIATE_B):
        with pytest.raises(PermissionDeniedError):
            rejected.dismiss(ob, l5, session=session, reason="gone", now=fx.at(19, 1))
    with pytest.raises(ClerkError) as refused:
        rejected.dismiss(ob, l5, session=MANAGER, reason="  ", now=fx.at(19, 1))
    assert refused.value.reason == "reason_missing"
    rejected.dismiss(ob, l5, session=MANAGER, reason="customer left", now=fx.at(19, 1))
    assert _actions(ob) == [
        (
            "record_withdraw",
            "A01",
            {"interaction_id": l4, "kind": "sale", "reason": "typed twice",
             "hub_answer": "unknown_member"},
        ),
        (
            "record_dismiss",
            "M01",
            {"interaction_id": l5, "kind": "visit", "reason": "customer left",
             "hub_answer": "http_500: the hub failed"},
        ),
    ]  # fmt: skip
    assert audit.verify(ob).ok
    st = outbox_mod.status(ob)
    assert st.attention == 0 and l4 not in {r.id for r in outbox_mod.for_a_person(ob)}
    h = conflicts.sync_health(cache, ob, now=fx.at(20))
    assert h.parked == () and {r.id for r in h.rejected} == {day.ids["L13"]}
    archived = {r.id: (r.state, r.closed_by, r.closed_at, r.closed_reason) for r in h.archived}
    assert archived == {
        l4: ("withdrawn", "A01", fx.at(19), "typed twice"),
        l5: ("dismissed", "M01", fx.at(19, 1), "customer left"),
    }
    # never sent again
    assert {r.id for r in outbox_mod.next_batch(ob)} & {l4, l5} == set()
