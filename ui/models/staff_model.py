"""Who may sign in at this terminal: the sign-in page's staff list.

Kept apart from the dashboard's models so the sign-in page (the app's first screen) loads
without the reports module.
"""

from __future__ import annotations

from typing import ClassVar

from clerk.staff import StaffMember
from ui.models.rows_model import Roles, RowsModel
from ui.qt import QT_TRANSLATE_NOOP, translate

ROLE_NAMES = {
    "associate": QT_TRANSLATE_NOOP("Dashboard", "Associate"),
    "manager": QT_TRANSLATE_NOOP("Dashboard", "Manager"),
}


class StaffModel(RowsModel[StaffMember]):
    """Who may sign in at this terminal (the sign-in page's list)."""

    StaffId = Roles.First
    Role = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_name"),
        Roles.Subtitle: (b"subtitle", "_role"),
        Roles.Avatar: (b"avatar", "_name"),
        Roles.Key: (b"key", "_id"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        StaffId: (b"staffId", "_id"),
        Role: (b"role", "_role_code"),
    }

    def _name(self, m: StaffMember) -> str:
        return m.name

    def _id(self, m: StaffMember) -> str:
        return m.id

    def _role_code(self, m: StaffMember) -> str:
        return m.role

    def _role(self, m: StaffMember) -> str:
        return f"{translate('Dashboard', str(ROLE_NAMES.get(m.role, m.role)))} · {m.id}"

    def _chip(self, m: StaffMember) -> str | None:
        return None if m.has_pin else translate("Dashboard", "No PIN yet")

    def _tone(self, m: StaffMember) -> str:
        return "warn"

    def row_of(self, staff_id: str) -> int:
        for i, m in enumerate(self.rows):
            if m.id == staff_id:
                return i
        return -1
