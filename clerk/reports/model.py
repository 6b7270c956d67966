"""The results of the store reports: a day's figures, its visits, associates and products,
and the sync panel's health, rejections and conflicts (see :mod:`clerk.reports`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# where a counted interaction comes from (VisitRow.source)
LOCAL = "local"  # this terminal's outbox
HUB = "hub"  # the hub's visit rows in the cache (the store's other terminals)


@dataclass(frozen=True)
class DayKpis:
    visits: int = 0
    identified: int = 0
    walk_ins: int = 0
    new: int = 0
    returning: int = 0
    coupons_redeemed: int = 0
    coupons_value_cents: int = 0
    carts_converted: int = 0
    carts_converted_cents: int = 0
    sales: int = 0
    sales_cents: int = 0
    avg_visit_length_s: int | None = None
    interactions: int = 0
    unsynced: int = 0
    points_issued: int = 0  # credited by the hub for the day's sales (its ledger)
    points_redeemed: int = 0  # redeemed at the counters (pending ones included)
    signups: int = 0  # new members signed up at the store's counters (clerk/signup.py)


@dataclass(frozen=True)
class AssociateStats:
    staff_id: str | None
    name: str
    visits: int
    interactions: int
    sales: int
    sales_cents: int
    coupons_redeemed: int


@dataclass(frozen=True)
class ProductInterest:
    sku: str
    title_zh: str | None
    title_en: str | None
    count: int

    def title(self, lang: str) -> str:
        text = self.title_zh if lang.startswith("zh") else self.title_en
        return text or self.title_en or self.title_zh or self.sku


@dataclass(frozen=True)
class VisitRow:
    id: str
    at: int
    hour: int  # store-local hour 0–23
    member_id: str | None
    member_ref: str | None
    member_name: str | None
    staff_id: str | None
    staff_name: str | None
    returning: bool
    length_s: int
    interactions: int  # including the visit itself
    source: str  # local | hub
    sync_state: str | None  # outbox state for this terminal's rows, None for hub rows

    @property
    def identified(self) -> bool:
        return self.member_id is not None


@dataclass(frozen=True)
class Worked:
    """Did it work? Of the day's visits whose screen showed a kind of talking point (a
    recommendation: ``offer:<reason>``), how many had a sale or a redemption (coupon or
    points) in the same visit."""

    kind: str
    shown: int  # visits that showed it
    followed: int  # of them, visits with a sale or a redemption after the scan

    @property
    def rate(self) -> float:
        return self.followed / self.shown if self.shown else 0.0


@dataclass(frozen=True)
class DaySummary:
    day: date
    store_id: str | None
    start: int  # unix s, store-local midnight
    end: int
    kpis: DayKpis
    last_week: DayKpis  # the same weekday one week earlier
    by_hour: tuple[int, ...]  # 24 visit counts
    by_associate: tuple[AssociateStats, ...]
    top_products: tuple[ProductInterest, ...]
    visits: tuple[VisitRow, ...] = field(default=(), repr=False)
    # per kind shown, most shown first — the first, kind "*", the visits that showed any
    worked: tuple[Worked, ...] = ()

    @property
    def unsynced(self) -> int:
        return self.kpis.unsynced


@dataclass(frozen=True)
class Conflict:
    """A coupon or points redemption of ours the hub flagged, side by side with the one it
    clashed with (``points``: how many a points redemption took, None for a coupon)."""

    id: str  # our interaction id (the conflict_id of a resolve)
    member_id: str | None
    member_ref: str | None
    member_name: str | None
    staff_id: str | None
    at: int
    coupon_id: str | None
    coupon_title_zh: str | None
    coupon_title_en: str | None
    reason: str | None
    conflict_with: str | None
    other_at: int | None
    other_store: str | None
    other_staff: str | None
    decision: str | None  # accept | reverse once resolved here
    points: int | None = None


@dataclass(frozen=True)
class RejectedItem:
    """A record the hub rejected (open: it waits for a fix, a withdrawal or a dismissal), or
    one archived — corrected, withdrawn or dismissed (``state``), with who closed it and why."""

    id: str
    kind: str
    member_id: str | None
    member_ref: str | None
    at: int
    reason: str | None
    member_name: str | None = None  # from the cache, when it knows the member
    staff_id: str | None = None  # who recorded it
    state: str = "rejected"
    payload: Mapping[str, Any] = field(default_factory=dict)
    closed_by: str | None = None
    closed_at: int | None = None
    closed_reason: str | None = None
    superseded_by: str | None = None  # the corrected copy of a ``corrected`` record


@dataclass(frozen=True)
class ParkedItem:
    """A record the hub failed on by itself, again and again: parked in ``attention``, no
    longer sent (``clerk.outbox.needs_attention``) until a manager retries it."""

    id: str
    kind: str
    member_id: str | None
    member_ref: str | None
    member_name: str | None
    at: int  # recorded
    parked_at: int | None
    attempts: int
    hub_answer: str  # what the hub said about it, as kept: "reason: detail"

    @property
    def answer_words(self) -> str:
        """The hub's answer for a person: its words first, its code for IT after them."""
        code, sep, detail = self.hub_answer.partition(": ")
        if not sep or not detail.strip():
            return self.hub_answer.strip() or "—"
        return f"{detail.strip()} ({code.strip()})"


@dataclass(frozen=True)
class SyncHealth:
    pending: int
    oldest_pending_at: int | None
    oldest_pending_age_s: int | None
    last_push_at: int | None
    last_pull_at: int | None
    last_success_at: int | None
    last_error: str | None
    rejected: tuple[RejectedItem, ...]
    conflicts: tuple[Conflict, ...]
    parked: tuple[ParkedItem, ...] = ()  # the hub failed on these by themselves
    archived: tuple[RejectedItem, ...] = ()  # corrected, withdrawn, dismissed: kept, not counted


@dataclass(frozen=True)
class AssociateFigures:
    """A manager's follow-up figures for one associate (``staff_id`` None: the store's
    unassigned tasks)."""

    staff_id: str | None
    name: str | None
    clients: int  # members assigned to them
    open: int
    overdue: int  # open, past due
    escalated: int  # open, 24 h past due: the manager's
    done: int  # done since ``since``
