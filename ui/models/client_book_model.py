"""An associate's client book (``clerk.clientbook.Client``): the masked name, the tier, the
reasons to reach out now (translated) and the open follow-ups — those with a reason first."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from clerk.search_terms import mask_name
from ui import texts
from ui.models.rows_model import Roles, RowsModel
from ui.qt import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from clerk.model import Client

# clerk.clientbook.REASONS, as the row says them.
REASONS = {
    "open_task": QT_TRANSLATE_NOOP("ClientBook", "Follow-up open"),
    "cart_coupon": QT_TRANSLATE_NOOP("ClientBook", "Cart with a coupon expiring soon"),
    "birthday": QT_TRANSLATE_NOOP("ClientBook", "Birthday next week"),
    "inactive": QT_TRANSLATE_NOOP("ClientBook", "Not seen for 30 days"),
}


def reason_text(reason: str) -> str:
    return translate("ClientBook", REASONS[reason]) if reason in REASONS else reason


class ClientBookModel(RowsModel["Client"]):
    MemberId = Roles.First
    OpenTasks = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Detail: (b"detail", "_detail"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Avatar: (b"avatar", "_title"),
        Roles.Key: (b"key", "_member_id"),
        MemberId: (b"memberId", "_member_id"),
        OpenTasks: (b"openTasks", "_open_tasks"),
    }

    def _member_id(self, c: Client) -> str:
        return c.member_id

    def _open_tasks(self, c: Client) -> int:
        return c.open_tasks

    def _title(self, c: Client) -> str:
        return mask_name(c.name)

    def _subtitle(self, c: Client) -> str:
        return texts.tier(c.tier) if c.tier else ""

    def _detail(self, c: Client) -> str:
        return " · ".join(reason_text(r) for r in c.reasons)

    def _chip(self, c: Client) -> str:
        if not c.open_tasks:
            return ""
        return translate("ClientBook", "%n follow-up(s)", "", c.open_tasks)

    def _tone(self, c: Client) -> str:
        return "warn" if c.open_tasks else "muted"
