"""The "last customers" list on the scan screen."""

from __future__ import annotations

from typing import Any, ClassVar

from ui.i18n import fmt_datetime
from ui.models.rows_model import Roles, RowsModel

Recent = tuple[str, str, int]  # (member id, name, at)


class RecentCustomersModel(RowsModel[Recent]):
    MemberId = Roles.First
    Name = Roles.First + 1
    At = Roles.First + 2

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_name"),
        Roles.Subtitle: (b"subtitle", "_member_id"),
        Roles.Trailing: (b"trailing", "_when"),
        Roles.Avatar: (b"avatar", "_name"),
        Roles.Key: (b"key", "_member_id"),
        MemberId: (b"memberId", "_member_id"),
        Name: (b"name", "_name"),
        At: (b"at", "_at"),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.now = 0

    def set_recent(self, rows: list[Recent], now: int) -> None:
        self.now = now
        self.set_rows(rows)

    def _member_id(self, r: Recent) -> str:
        return r[0]

    def _name(self, r: Recent) -> str:
        return r[1]

    def _at(self, r: Recent) -> int:
        return r[2]

    def _when(self, r: Recent) -> str:
        return fmt_datetime(r[2], self.now)
