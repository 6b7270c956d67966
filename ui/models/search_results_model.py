"""The customers a search on the scan screen found (``clerk.search.Found``, masked), best first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ui import texts
from ui.models.rows_model import Roles, RowsModel
from ui.qt import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from clerk.search_terms import Found

# What matched, as the row's chip.
MATCHES = {
    "card": QT_TRANSLATE_NOOP("SearchResults", "Card"),
    "phone": QT_TRANSLATE_NOOP("SearchResults", "Phone ends"),
    "name": QT_TRANSLATE_NOOP("SearchResults", "Name"),
    "prefix": QT_TRANSLATE_NOOP("SearchResults", "Name starts"),
    "part": QT_TRANSLATE_NOOP("SearchResults", "Part of name"),
}


class SearchResultsModel(RowsModel["Found"]):
    MemberId = Roles.First
    Match = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Avatar: (b"avatar", "_avatar"),
        Roles.Key: (b"key", "_member_id"),
        MemberId: (b"memberId", "_member_id"),
        Match: (b"match", "_match"),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.query = ""  # the text the rows were found for ("" : no search shown)

    def set_found(self, query: str, rows: list[Found]) -> None:
        self.query = query
        self.set_rows(rows)

    def clear(self) -> None:
        self.set_found("", [])

    def _member_id(self, f: Found) -> str:
        return f.member_id

    def _match(self, f: Found) -> str:
        return f.match

    def _title(self, f: Found) -> str:
        return f"{f.name} · {f.name_en}" if f.name_en and f.name_en != f.name else f.name

    def _subtitle(self, f: Found) -> str:
        parts = [texts.tier(f.tier)]
        if f.phone_masked:
            parts.append(f.phone_masked)
        if f.card_masked:
            parts.append(f.card_masked)
        return " · ".join(parts)

    def _chip(self, f: Found) -> str:
        return translate("SearchResults", MATCHES[f.match])

    def _tone(self, f: Found) -> str:
        return "accent" if f.match in ("card", "phone", "name") else "muted"

    def _avatar(self, f: Found) -> str:
        return f.name
