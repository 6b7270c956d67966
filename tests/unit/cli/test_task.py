"""``clerk task list|add|done|snooze|reassign|assign`` (clerk/cli/task.py) and ``clerk report
tasks``: follow-up tasks from scripts, as a signed-in staff member (the PIN rules of every
command); what the terminal or the hub would refuse exits 2 with the reason."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from cli_run import FAST, clerk

from clerk.cli.common import EXIT_INPUT, EXIT_OK
from clerk.shared.pins import hash_pin

if TYPE_CHECKING:
    from conftest import DemoDbs

HERO = "M00000001"


@pytest.fixture
def home(home: DemoDbs) -> DemoDbs:
    """The CLI home, with the hero's marketing consent (outreach tasks need it)."""
    home.cache.execute("UPDATE members SET consent_marketing = 1 WHERE id = ?", (HERO,))
    home.cache.commit()
    return home


def _out(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


def test_add_list_done_and_done_again(home: DemoDbs, capsys: pytest.CaptureFixture[str]) -> None:
    add = ("task", "add", "--member", HERO, "--title", "call when size 38 arrives")
    assert clerk(*add, "--due", "2026-12-07", "--staff", "A01", "--json") == EXIT_OK
    made = _out(capsys)
    assert made["kind"] == "task" and made["payload"] == {
        "title": "call when size 38 arrives",
        "due_at": made["payload"]["due_at"],  # type: ignore[index]
        "assignee": "A01",
        "outreach": True,
    }
    assert clerk("task", "list", "--staff", "A01", "--json") == EXIT_OK
    (task,) = _out(capsys)["tasks"]  # type: ignore[misc]
    assert task["id"] == made["id"] and task["pending"] and task["member_id"] == HERO
    assert clerk("task", "done", str(made["id"]), "--outcome", "came_in", "--staff", "A01") == 0
    capsys.readouterr()
    assert clerk("task", "list", "--staff", "A01", "--json") == EXIT_OK
    assert _out(capsys)["tasks"] == []
    code = clerk("task", "done", str(made["id"]), "--outcome", "called", "--staff", "A01", "--json")
    assert code == EXIT_INPUT and _out(capsys)["reason"] == "task_closed"
    kinds = [r[0] for r in home.outbox.execute("SELECT kind FROM interactions ORDER BY 1")]
    assert kinds.count("task") == 1 and kinds.count("task_update") == 1


def test_refusals_exit_2_with_the_reason(
    home: DemoDbs, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home.cache.execute("UPDATE members SET consent_marketing = 0 WHERE id = ?", (HERO,))
    home.cache.commit()
    add = ("task", "add", "--member", HERO, "--title", "t", "--due", "2026-12-07")
    assert clerk(*add, "--staff", "A01", "--json") == EXIT_INPUT
    assert _out(capsys)["reason"] == "no_marketing_consent"
    assert clerk(*add, "--no-outreach", "--assignee", "X9", "--staff", "A01", "--json") == 2
    assert _out(capsys)["reason"] == "unknown_assignee"
    assert clerk(*add, "--no-outreach", "--assignee", "store", "--staff", "A01") == EXIT_OK
    assert "saved task" in capsys.readouterr().out
    assert clerk("task", "done", "nope", "--outcome", "called", "--staff", "A01", "--json") == 2
    assert _out(capsys)["reason"] == "unknown_task"
    assert clerk("report", "tasks", "--staff", "A01") == EXIT_INPUT  # managers only
    assert clerk("task", "list", "--all", "--staff", "A01") == EXIT_INPUT
    monkeypatch.delenv("CLERK_PIN")
    assert clerk("task", "list") == EXIT_INPUT  # no staff, no PIN


def test_only_a_manager_assigns_a_member(
    home: DemoDbs, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert clerk("task", "assign", "--member", HERO, "--to", "A02", "--staff", "A01") == 2
    home.cache.execute(
        "UPDATE staff SET pin_hash = ? WHERE id = 'M01'", (hash_pin("246810", "manager", FAST),)
    )
    home.cache.commit()
    monkeypatch.setenv("CLERK_PIN", "246810")
    assign = ("task", "assign", "--member", HERO, "--staff", "M01", "--json")
    assert clerk(*assign, "--to", "X9") == EXIT_INPUT
    assert _out(capsys)["reason"] == "unknown_assignee"
    assert clerk(*assign, "--to", "A02") == EXIT_OK
    assert _out(capsys)["payload"] == {"staff_id": "A02"}
    from clerk import clientbook

    assert clientbook.assignments(home.cache, home.outbox)[HERO] == "A02"


def test_snooze_and_reassign_with_the_same_rules(
    home: DemoDbs, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ("task", "add", "--member", HERO, "--title", "call back", "--due", "2026-12-07")
    assert clerk(*add, "--staff", "A01", "--json") == EXIT_OK
    task_id = str(_out(capsys)["id"])
    snooze = ("task", "snooze", task_id, "--until", "2026-12-09", "--outcome", "no_answer")
    assert clerk(*snooze, "--staff", "A01", "--json") == EXIT_OK
    update = _out(capsys)
    assert update["kind"] == "task_update" and update["payload"]["action"] == "snooze"  # type: ignore[index]
    assert update["payload"]["outcome"] == "no_answer"  # type: ignore[index]
    assert clerk("task", "list", "--staff", "A01", "--json") == EXIT_OK
    (task,) = _out(capsys)["tasks"]  # type: ignore[misc]
    assert task["due_at"] == update["payload"]["due_at"] and task["pending"]  # type: ignore[index]
    assert clerk("task", "snooze", task_id, "--until", "someday", "--staff", "A01") == 2
    capsys.readouterr()
    # An associate hands a task to the store, never to another associate.
    reassign = ("task", "reassign", task_id, "--json")
    assert clerk(*reassign, "--to", "A02", "--staff", "A01") == EXIT_INPUT
    assert _out(capsys)["reason"] == "permission_denied"
    assert clerk(*reassign, "--to", "store", "--staff", "A01") == EXIT_OK
    handed = _out(capsys)["payload"]
    assert handed == {"task_id": task_id, "action": "reassign"}
    home.cache.execute(
        "UPDATE staff SET pin_hash = ? WHERE id = 'M01'", (hash_pin("246810", "manager", FAST),)
    )
    home.cache.commit()
    monkeypatch.setenv("CLERK_PIN", "246810")
    assert clerk(*reassign, "--to", "X9", "--staff", "M01") == EXIT_INPUT
    assert _out(capsys)["reason"] == "unknown_assignee"
    assert clerk("task", "reassign", task_id, "--to", "A02", "--staff", "M01") == EXIT_OK
    assert "reassigned to A02" in capsys.readouterr().out
    assert clerk("task", "list", "--all", "--staff", "M01", "--json") == EXIT_OK
    (task,) = _out(capsys)["tasks"]  # type: ignore[misc]
    assert task["assignee"] == "A02"
