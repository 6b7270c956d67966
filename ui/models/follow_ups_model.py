"""Follow-up tasks (``clerk.model.TaskRow``), by due time — the overdue first: what to do, for
whom (masked), when it is due in the UI's language, whose it is, and whether it is overdue,
escalated to the manager or changed here and not yet synced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from clerk.search_terms import mask_name
from ui.i18n import fmt_datetime
from ui.models.rows_model import Roles, RowsModel
from ui.qt import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from clerk.model import TaskRow

# A hub rule's reason for a task, as the row says it (manual tasks say their own title only).
RULES = {
    "inactive": QT_TRANSLATE_NOOP("FollowUps", "Not seen for 30 days"),
    "cart_coupon": QT_TRANSLATE_NOOP("FollowUps", "Cart with a coupon expiring soon"),
    "birthday": QT_TRANSLATE_NOOP("FollowUps", "Birthday coming"),
    "unserved_visit": QT_TRANSLATE_NOOP("FollowUps", "Visited, nobody served them"),
}


class FollowUpsModel(RowsModel["TaskRow"]):
    TaskId = Roles.First
    MemberId = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Detail: (b"detail", "_detail"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Icon: (b"icon", "_icon"),
        Roles.Key: (b"key", "_task_id"),
        TaskId: (b"taskId", "_task_id"),
        MemberId: (b"memberId", "_member_id"),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.now = 0
        self.staff_names: dict[str, str] = {}

    def set_tasks(self, rows: list[TaskRow], now: int, staff_names: dict[str, str]) -> None:
        self.now = now
        self.staff_names = staff_names
        self.set_rows(rows)

    def _task_id(self, t: TaskRow) -> str:
        return t.id

    def _member_id(self, t: TaskRow) -> str:
        return t.member_id

    def _icon(self, t: TaskRow) -> str:
        return "clock"

    def _title(self, t: TaskRow) -> str:
        if t.reason in RULES and t.reason != t.title:
            return translate("FollowUps", RULES[t.reason])
        return t.title

    def _subtitle(self, t: TaskRow) -> str:
        who = mask_name(t.member_name) if t.member_name else t.member_id
        due = translate("FollowUps", "due %1").replace("%1", fmt_datetime(t.due_at, self.now))
        return f"{who} · {due}"

    def _detail(self, t: TaskRow) -> str:
        if t.assignee is None:
            return translate("FollowUps", "For the store")
        name = self.staff_names.get(t.assignee, t.assignee)
        return translate("FollowUps", "For %1").replace("%1", name)

    def _chip(self, t: TaskRow) -> str:
        if t.pending:
            return translate("FollowUps", "Pending sync")
        if t.escalated:
            return translate("FollowUps", "Escalated")
        if t.overdue:
            return translate("FollowUps", "Overdue")
        return ""

    def _tone(self, t: TaskRow) -> str:
        if t.pending:
            return "info"
        if t.escalated:
            return "bad"
        return "warn" if t.overdue else "muted"
