"""The "Follow-ups" screen: the open tasks of the signed-in associate and of the store (a manager:
every one), the overdue first. Layout only; ``ui.controllers.follow_ups_controller`` fills it
and acts on the selected task.

Under the list, for the selected task: its outcome (called, messaged, came in, no answer) and
its actions — Done, Message (a message drafted from the chain's template, in a panel under the
card: ``ui.views.message_view``; only with marketing consent, else disabled and the line under
says why), Mark contacted (outreach made: only with marketing consent; the task is done,
messaged), Snooze (to a date) and Reassign (to an associate: a manager's; or to the store).
Every control is reachable with Tab; Enter on the list opens the customer.
"""

from __future__ import annotations

from ui.models.follow_ups_model import FollowUpsModel
from ui.qt import QComboBox, QDateEdit, Qt, QWidget, translate
from ui.views.message_view import MessagePanel
from ui.views.widgets import (
    Card,
    FlowRow,
    LanguageAware,
    ListPanel,
    button,
    centred_column,
    label,
)

COLUMN_MAX_WIDTH = 920
OUTCOMES = ("called", "messaged", "came_in", "no_answer")


class FollowUpsView(LanguageAware):
    def __init__(self, model: FollowUpsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("followUpsPage")
        self.model = model
        self.area, box = centred_column(self, max_width=COLUMN_MAX_WIDTH, top=20)
        head = FlowRow(16)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        self.back = button("", icon_name="back", kind="ghost", object_name="followUpsBack")
        head.add(self.back, 0, left)
        self.title = label("", "title")
        head.add(self.title, 1)
        box.addWidget(head)

        self.panel = ListPanel(model, "clock", object_name="followUps", tile=40)
        self.list = self.panel.list
        box.addWidget(self.panel)

        self.action_card = Card("", "check", object_name="followUpActions")
        body = self.action_card.body
        body.setContentsMargins(16, 4, 16, 16)
        body.setSpacing(10)
        outcome_row = FlowRow(8)
        self.outcome_label = label("", "hint")
        outcome_row.add(self.outcome_label, 0, left)
        self.outcome = QComboBox()
        self.outcome.setObjectName("followUpOutcome")
        self.outcome.setMinimumHeight(44)
        for code in OUTCOMES:
            self.outcome.addItem("", code)
        outcome_row.add(self.outcome, 1)
        self.done = button("", icon_name="check", kind="primary", object_name="followUpDone")
        outcome_row.add(self.done, 0, left)
        self.contacted = button(
            "", icon_name="phone", kind="ghost", object_name="followUpContacted"
        )
        outcome_row.add(self.contacted, 0, left)
        body.addWidget(outcome_row)
        message_row = FlowRow(8)
        self.message = button("", icon_name="note", kind="ghost", object_name="followUpMessage")
        message_row.add(self.message, 0, left)
        self.message_why = label("", "hint", wrap=True)  # why Message is disabled
        message_row.add(self.message_why, 1)
        body.addWidget(message_row)

        snooze_row = FlowRow(8)
        self.until_label = label("", "hint")
        snooze_row.add(self.until_label, 0, left)
        self.until = QDateEdit()
        self.until.setObjectName("followUpUntil")
        self.until.setCalendarPopup(True)
        self.until.setMinimumHeight(44)
        snooze_row.add(self.until, 1)
        self.snooze = button("", icon_name="clock", kind="ghost", object_name="followUpSnooze")
        snooze_row.add(self.snooze, 0, left)
        body.addWidget(snooze_row)

        reassign_row = FlowRow(8)
        self.to_label = label("", "hint")
        reassign_row.add(self.to_label, 0, left)
        self.assignee = QComboBox()  # the store, then the associates
        self.assignee.setObjectName("followUpAssignee")
        self.assignee.setMinimumHeight(44)
        reassign_row.add(self.assignee, 1)
        self.reassign = button("", icon_name="user", kind="ghost", object_name="followUpReassign")
        reassign_row.add(self.reassign, 0, left)
        body.addWidget(reassign_row)
        self.hint = label("", "hint", wrap=True)
        body.addWidget(self.hint)
        box.addWidget(self.action_card)
        self.message_panel = MessagePanel("followUpMessagePanel")
        box.addWidget(self.message_panel)
        box.addStretch(1)
        self.set_selected(False)
        self.retranslate()

    def set_selected(self, selected: bool) -> None:
        """The actions are for a selected task only."""
        for w in (
            self.outcome,
            self.done,
            self.contacted,
            self.until,
            self.snooze,
            self.assignee,
            self.reassign,
        ):
            w.setEnabled(selected)

    def set_assignees(self, people: list[tuple[str, str]]) -> None:
        """(staff id, label) of each associate a task may go to; the store first."""
        self.assignee.clear()
        self.assignee.addItem(translate("FollowUps", "The store"), "")
        for staff_id, text in people:
            self.assignee.addItem(text, staff_id)

    def retranslate(self) -> None:
        self.back.setText(translate("FollowUps", "Back"))
        self.title.setText(translate("FollowUps", "Follow-ups"))
        self.panel.set_texts(
            translate("FollowUps", "Open follow-ups, the overdue first"),
            translate("FollowUps", "No open follow-ups. Well done."),
            accessible=translate("FollowUps", "Follow-up tasks"),
        )
        self.action_card.set_title(translate("FollowUps", "The selected follow-up"))
        outcomes = {
            "called": translate("FollowUps", "Called"),
            "messaged": translate("FollowUps", "Messaged"),
            "came_in": translate("FollowUps", "Came in"),
            "no_answer": translate("FollowUps", "No answer"),
        }
        for i in range(self.outcome.count()):
            self.outcome.setItemText(i, outcomes[str(self.outcome.itemData(i))])
        self.outcome_label.setText(translate("FollowUps", "Outcome"))
        self.outcome.setAccessibleName(translate("FollowUps", "Outcome"))
        self.done.setText(translate("FollowUps", "Done"))
        self.contacted.setText(translate("FollowUps", "Mark contacted"))
        self.message.setText(translate("Outreach", "Message"))
        self.message_panel.retranslate()
        self.until_label.setText(translate("FollowUps", "Until"))
        self.until.setAccessibleName(translate("FollowUps", "Snooze until"))
        self.snooze.setText(translate("FollowUps", "Snooze"))
        self.to_label.setText(translate("FollowUps", "To"))
        self.assignee.setAccessibleName(translate("FollowUps", "Reassign to"))
        if self.assignee.count():
            self.assignee.setItemText(0, translate("FollowUps", "The store"))
        self.reassign.setText(translate("FollowUps", "Reassign"))
        self.hint.setText(
            translate(
                "FollowUps",
                "Saved here at once and synced to every terminal; a manager hands a task to "
                "an associate, anyone to the store.",
            )
        )
