"""Service cases opened in store, noted and closed (a case's id: its ``case_open`` record's)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import StringConstraints, field_validator
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

from clerk.shared.interactions.base import CONFIG, MAX_TEXT, Id, Remark, build

CaseType = Literal["complaint", "repair", "other"]
MAX_SUBJECT = 200  # characters of a case's subject


def _filled(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "cannot be blank")
    return value


@dataclass(frozen=True, config=CONFIG)
class CaseOpen:
    """A service case opened in store — a complaint, a repair … (``case_type``) — about
    ``subject`` (1–200 characters, not blank), for a product if one is named. The case's id is
    the record's id: notes and the close name it, offline too, before the hub has seen it."""

    kind: ClassVar[str] = "case_open"
    private: ClassVar[frozenset[str]] = frozenset()

    case_type: CaseType
    subject: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SUBJECT)]
    sku: Id | None = None
    text: Remark | None = None

    _not_blank = field_validator("subject")(_filled)

    @classmethod
    def of(
        cls, case_type: str, subject: str, sku: str | None = None, text: str | None = None
    ) -> CaseOpen:
        return build(cls, case_type=case_type, subject=subject, sku=sku, text=text)


@dataclass(frozen=True, config=CONFIG)
class CaseNote:
    """A note on an open case (1–4,000 characters, not blank)."""

    kind: ClassVar[str] = "case_note"
    private: ClassVar[frozenset[str]] = frozenset()

    case_id: Id
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]

    _not_blank = field_validator("text")(_filled)

    @classmethod
    def of(cls, case_id: str, text: str) -> CaseNote:
        return build(cls, case_id=case_id, text=text)


@dataclass(frozen=True, config=CONFIG)
class CaseClose:
    """A case closed, with how it was resolved (optional)."""

    kind: ClassVar[str] = "case_close"
    private: ClassVar[frozenset[str]] = frozenset()

    case_id: Id
    text: Remark | None = None

    @classmethod
    def of(cls, case_id: str, text: str | None = None) -> CaseClose:
        return build(cls, case_id=case_id, text=text)
