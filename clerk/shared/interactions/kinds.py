"""The kinds: every kind of record once, its payload type and what it means to each part (the
table in :mod:`clerk.shared.interactions`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass as std_dataclass
from typing import TypeAlias

from clerk.shared.interactions.base import EVERYONE, InvalidInteraction
from clerk.shared.interactions.cases import CaseClose, CaseNote, CaseOpen
from clerk.shared.interactions.loyalty import PointsRedeem, Redeem, Resolve
from clerk.shared.interactions.records import Audit, Consent, Interest, Note, Sale, Visit
from clerk.shared.interactions.signup import Link, Signup
from clerk.shared.interactions.tasks import Assign, Contacted, Task, TaskUpdate

Payload: TypeAlias = (
    Visit
    | Note
    | Interest
    | Redeem
    | Sale
    | PointsRedeem
    | Consent
    | CaseOpen
    | CaseNote
    | CaseClose
    | Signup
    | Link
    | Resolve
    | Audit
    | Task
    | TaskUpdate
    | Assign
    | Contacted
)


@std_dataclass(frozen=True)
class KindSpec:
    """What one kind means to each part (the table in :mod:`clerk.shared.interactions`)."""

    kind: str
    payload: type[Payload]
    member: bool
    history: bool
    counted: bool
    roles: frozenset[str] = EVERYONE
    walk_in: bool = False  # a member kind that may be recorded with no member at all
    conversion: bool = False  # a sale or a redemption: what "did it work?" counts (reports)
    followup: bool = False  # a kind of the tasks and client book, not of ``clerk record``


KINDS: Mapping[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("visit", Visit, member=True, history=True, counted=True, walk_in=True),
        KindSpec("note", Note, member=True, history=True, counted=True),
        KindSpec("interest", Interest, member=True, history=True, counted=True),
        KindSpec("redeem", Redeem, member=True, history=True, counted=True, conversion=True),
        KindSpec("sale", Sale, member=True, history=True, counted=True, conversion=True),
        KindSpec(
            "points_redeem",
            PointsRedeem,
            member=True,
            history=True,
            counted=True,
            conversion=True,
        ),
        KindSpec("consent", Consent, member=True, history=True, counted=True),
        KindSpec("case_open", CaseOpen, member=True, history=True, counted=False),
        KindSpec("case_note", CaseNote, member=True, history=True, counted=False),
        KindSpec("case_close", CaseClose, member=True, history=True, counted=False),
        KindSpec("signup", Signup, member=False, history=False, counted=False),
        KindSpec("link", Link, member=False, history=False, counted=False),
        KindSpec(
            "resolve",
            Resolve,
            member=False,
            history=False,
            counted=False,
            roles=frozenset({"manager"}),
        ),
        KindSpec("audit", Audit, member=False, history=False, counted=False),
        KindSpec("task", Task, member=True, history=False, counted=False, followup=True),
        KindSpec(
            "task_update", TaskUpdate, member=True, history=False, counted=False, followup=True
        ),
        KindSpec(
            "assign",
            Assign,
            member=True,
            history=False,
            counted=False,
            roles=frozenset({"manager"}),
            followup=True,
        ),
        KindSpec("contacted", Contacted, member=True, history=False, counted=False, followup=True),
    )
}
MEMBER_KINDS = frozenset(k for k, s in KINDS.items() if s.member)
HISTORY_KINDS = frozenset(k for k, s in KINDS.items() if s.history)
COUNTED_KINDS = frozenset(k for k, s in KINDS.items() if s.counted)
CONVERSION_KINDS = frozenset(k for k, s in KINDS.items() if s.conversion)
FOLLOWUP_KINDS = frozenset(k for k, s in KINDS.items() if s.followup)
CASE_KINDS = frozenset(k for k in KINDS if k.startswith("case_"))


def spec(kind: str) -> KindSpec:
    """The spec of ``kind``; InvalidInteraction (``unknown_kind``) for a word not in it."""
    found = KINDS.get(kind)
    if found is None:
        raise InvalidInteraction(str(kind)[:40], "unknown_kind", None, "not a kind of record")
    return found


def needs_member(kind: str, member_id: str | None, member_ref: str | None) -> bool:
    """Is a ``kind`` record with these member fields missing its member? (A walk-in visit —
    neither field — is not.)"""
    found = spec(kind)
    if not found.member or member_id or member_ref:
        return False
    return not found.walk_in


def may_record(kind: str, role: str) -> bool:
    """May staff of ``role`` record ``kind``?"""
    return role in spec(kind).roles
