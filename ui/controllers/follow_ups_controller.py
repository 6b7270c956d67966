"""The "Follow-ups" screen: the open tasks the signed-in person works on (``Terminal.follow_ups``:
theirs and the store's; a manager's, every one), read on the terminal runner — offline too — and
the changes to the selected one (``Terminal.change_task``: done with its outcome, snoozed to a
date, reassigned), recorded on the same runner. A changed task shows "pending sync" until the
hub's row arrives. The selected task's Message (``ui.controllers.message_controller``) drafts
an outreach message to copy or share and records the contact. Enter or a double click on a task
opens its customer (audited as a client book open)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError
from clerk.staff import allowed
from ui import texts
from ui.controllers.member_list_controller import MemberListController
from ui.models.follow_ups_model import FollowUpsModel
from ui.qt import QT_TRANSLATE_NOOP, QDate, Signal, translate
from ui.views.follow_ups_view import FollowUpsView

if TYPE_CHECKING:
    from clerk.model import TaskRow
    from clerk.outbox import Recorded
    from clerk.staff import StaffMember

DUE_HOUR = 18  # snoozed to a day: that day at 18:00, local time (as a new task)
SAVED = {
    "done": QT_TRANSLATE_NOOP("FollowUps", "Follow-up done · pending sync"),
    "snooze": QT_TRANSLATE_NOOP("FollowUps", "Follow-up snoozed · pending sync"),
    "reassign": QT_TRANSLATE_NOOP("FollowUps", "Follow-up reassigned · pending sync"),
    "contacted": QT_TRANSLATE_NOOP("FollowUps", "Contact recorded · pending sync"),
}

# What clerk.tasks refuses (TaskError reasons), said to the associate.
REFUSED = {
    "task_closed": QT_TRANSLATE_NOOP("FollowUps", "This follow-up is done already."),
    "unknown_task": QT_TRANSLATE_NOOP("FollowUps", "This follow-up is not on this terminal."),
    "unknown_assignee": QT_TRANSLATE_NOOP("FollowUps", "That associate is not staff here."),
    "no_marketing_consent": QT_TRANSLATE_NOOP(
        "FollowUps", "No marketing consent: this customer may not be contacted."
    ),
}


class FollowUpsController(MemberListController):
    loaded = Signal()
    recorded = Signal(object)  # clerk.outbox.Recorded
    view: FollowUpsView
    model: FollowUpsModel

    VIA = "followups"

    def _setup(self) -> None:
        view = self.view
        self._roster: dict[str, str] = {}
        self._message_for: tuple[str, str] | None = None
        view.until.setDate(QDate.currentDate().addDays(1))
        view.done.clicked.connect(self.done)
        view.contacted.clicked.connect(self.mark_contacted)
        view.snooze.clicked.connect(self.snooze)
        view.reassign.clicked.connect(self.reassign)
        self.message.recorded.connect(self._messaged)

    def refresh(self) -> None:
        """Read the tasks again (and, once, who they may go to)."""
        signed_in = self._signed_in()
        if signed_in is None:
            self.model.set_tasks([], 0, {})
            return
        terminal = self.terminal
        if not self._roster:
            self.runner.submit(terminal.roster, self._got_roster, self._failed)
        self.runner.submit(
            lambda: (int(terminal.clock()), terminal.follow_ups(signed_in)),
            self._loaded,
            self._failed,
        )

    def _got_roster(self, roster: list[StaffMember]) -> None:
        self._roster = {m.id: m.name for m in roster}
        session = self.session()
        manager = allowed(session, "dashboard")
        mine = None if session is None else session.staff_id
        # An associate hands a task to the store; a manager to anyone.
        people = [(m.id, f"{m.name} ({m.id})") for m in roster if manager or m.id == mine]
        self.view.set_assignees(people if manager else [])
        if self.model.rowCount():
            self.model.set_tasks(list(self.model.rows), self.model.now, self._roster)

    def _loaded(self, result: tuple[int, list[TaskRow]]) -> None:
        now, rows = result
        current = self.selected()
        self.model.set_tasks(rows, now, self._roster)
        # The same task stays selected when it is still there; else the most urgent one.
        at = next((i for i, t in enumerate(rows) if current and t.id == current.id), 0)
        if rows:
            self.view.list.setCurrentIndex(self.model.index(at, 0))
        self.loaded.emit()

    def selected(self) -> TaskRow | None:
        task: TaskRow | None = super().selected()
        return task

    def _sync_selected(self) -> None:
        task = self.selected()
        self.view.set_selected(task is not None)
        current = None if task is None else (task.member_id, task.id)
        if current != self._message_for:
            self._message_for = current
            self.view.message_why.setText("")
            if current is None:
                self.message.select(None)
            else:
                self.message.select(*current)
        if task is not None:
            tomorrow = QDate.currentDate().addDays(1)
            self.view.until.setMinimumDate(QDate.currentDate())
            self.view.until.setDate(tomorrow)

    # --- the actions ---------------------------------------------------------------------------

    def _outcome(self) -> str:
        return str(self.view.outcome.currentData())

    def done(self) -> None:
        self._change("done", outcome=self._outcome())

    def snooze(self) -> None:
        day = self.view.until.date().startOfDay().addSecs(DUE_HOUR * 3600)
        self._change("snooze", due_at=int(day.toSecsSinceEpoch()), outcome=self._outcome())

    def reassign(self) -> None:
        picked = self.view.assignee.currentData()
        self._change("reassign", assignee=str(picked) if picked else None, outcome=self._outcome())

    def mark_contacted(self) -> None:
        """Outreach made for the selected task: a ``contacted`` record (refused without the
        member's marketing consent); the task is done, messaged."""
        task, signed_in = self.selected(), self._signed_in()
        if task is None or signed_in is None:
            return
        terminal = self.terminal
        self.runner.submit(
            lambda: terminal.record_contacted(task.member_id, signed_in, task_id=task.id),
            self._changed,
            self._failed,
        )

    def _messaged(self, rec: Recorded) -> None:
        self.recorded.emit(rec)
        self.refresh()

    def _change(self, action: str, **change: Any) -> None:
        task, signed_in = self.selected(), self._signed_in()
        if task is None or signed_in is None:
            return
        terminal = self.terminal
        self.runner.submit(
            lambda: terminal.change_task(task.id, action, signed_in, **change),
            self._changed,
            self._failed,
        )

    def _changed(self, rec: Recorded) -> None:
        action = "contacted" if rec.kind == "contacted" else str(rec.payload.get("action"))
        self.bridge.success(translate("FollowUps", SAVED[action]), key="recorded")
        self.recorded.emit(rec)
        self.refresh()

    # --- opening the customer ------------------------------------------------------------------

    def _activated(self, index: Any) -> None:
        member_id = index.data(FollowUpsModel.MemberId)
        signed_in = self._signed_in()
        if not member_id or signed_in is None:
            return
        self._open(str(member_id), signed_in)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ClerkError):
            text = (
                translate("FollowUps", REFUSED[exc.reason])
                if exc.reason in REFUSED
                else texts.reason_message(exc.reason)
            )
            self.bridge.error(text, key="followups")
            self.refresh()  # what changed meanwhile shows
        else:
            raise exc

    def forget(self) -> None:
        super().forget()
        self._message_for = None
        self.model.set_tasks([], 0, {})
        self._roster = {}
        self.view.set_assignees([])
