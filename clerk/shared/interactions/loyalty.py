"""Coupons and points: a coupon redeemed, points redeemed, and a manager's decision on the
conflict the hub flagged about one."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, Strict
from pydantic.dataclasses import dataclass

from clerk.shared.interactions.base import CONFIG, Cents, Id, Remark, build


@dataclass(frozen=True, config=CONFIG)
class Redeem:
    """One of the member's coupons redeemed (``amount_cents``: the sale it applied to, when
    known — a percent-off coupon is worth its share of it)."""

    kind: ClassVar[str] = "redeem"
    private: ClassVar[frozenset[str]] = frozenset()

    coupon_id: Id
    amount_cents: Cents | None = None

    @classmethod
    def of(cls, coupon_id: str, amount_cents: int | None = None) -> Redeem:
        return build(cls, coupon_id=coupon_id, amount_cents=amount_cents)


MAX_POINTS = 10_000_000  # points of one redemption


@dataclass(frozen=True, config=CONFIG)
class PointsRedeem:
    """Loyalty points redeemed at the counter (``points``: how many, 1–10,000,000). Recorded
    offline against the terminal's local balance (clerk/points.py); the hub takes them off the
    member's balance, and one that overdraws it — another terminal redeemed too — is kept and
    flagged as a conflict (``points_overdraft``), like a coupon used twice."""

    kind: ClassVar[str] = "points_redeem"
    private: ClassVar[frozenset[str]] = frozenset()

    points: Annotated[int, Strict(), Field(ge=1, le=MAX_POINTS)]
    text: Remark | None = None

    @classmethod
    def of(cls, points: int, text: str | None = None) -> PointsRedeem:
        return build(cls, points=points, text=text)


Decision = Literal["accept", "reverse"]


@dataclass(frozen=True, config=CONFIG)
class Resolve:
    """A manager's decision on a conflict (``conflict_id``: the interaction the hub flagged):
    ``accept`` keeps both redemptions, ``reverse`` undoes ours (an overdrawing points
    redemption gives its points back)."""

    kind: ClassVar[str] = "resolve"
    private: ClassVar[frozenset[str]] = frozenset()

    conflict_id: Id
    decision: Decision

    @classmethod
    def of(cls, conflict_id: str, decision: str) -> Resolve:
        return build(cls, conflict_id=conflict_id, decision=decision)
