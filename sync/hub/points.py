"""Loyalty points at the hub: the chain's earn rule, the ledger, redemptions and overdrafts.

The hub alone moves a member's balance, each change a row of ``points_ledger`` (a feed entity,
``points``: terminals show it) written with the member row in the ingest's transaction:

* **earn** — an accepted ``sale`` earns ``amount paid in yuan × points per yuan × the tier's
  multiplier`` (rounded down) by :class:`PointsRule`, a hub setting (``settings.points_rule``,
  JSON; ``clerk hub points rule``). The tier after it is the highest whose threshold the new
  balance reaches; a tier is never lowered here (spending points does not demote). The row
  also goes, as the feed entity ``store_points`` (its id, store, points and time only), to the
  terminals of the store that made the sale — the member's home store may be another: the
  dashboard's points issued counts every sale made there, and no other store's member's
  ledger or balance reaches it.
* **redeem** — a ``points_redeem`` takes its points off the balance. The terminal allowed it
  against its local balance (clerk/points.py); when another terminal redeemed the same points
  offline the balance goes below zero: the redemption is kept, applied and answered
  ``conflict`` / ``points_overdraft`` (``conflict_with``: the member's redemption before it),
  listed for managers like a coupon used twice.
* **refund** — a manager's ``resolve`` / ``reverse`` of such a conflict gives its points back.
* **merge** — a OneID merge (:func:`sync.hub.segment.identity.merge`) carries the merged
  member's balance over to the survivor (:func:`merge_in`): the merged member's ledger rows
  move to the survivor as they were (each with the balance of the account it was made on),
  and this row, at the merge, makes the survivor's balance the sum of both — so the newest row
  is the balance, and every later one runs on from it. The tier after it is the highest of the
  two members' tiers and what the summed balance reaches (a merge does not demote either).

Multipliers are integer percent (125 = ×1.25) and money integer fen, so the rule is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sync.hub.db import Conn

SETTING = "points_rule"
MAX_PER_YUAN = 1000
MAX_PERCENT = 10_000  # ×100

# (entity, key, store) of a change to log; ``new``: the key was never logged before.
Emit = Callable[..., None]


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: int  # the balance at which it starts
    percent: int  # the earn multiplier, ×100


DEFAULT_TIERS = (
    Tier("basic", 0, 100),
    Tier("silver", 2_000, 125),
    Tier("gold", 8_000, 150),
    Tier("platinum", 20_000, 200),
)


@dataclass(frozen=True)
class PointsRule:
    """Points per yuan paid and, per tier (lowest first), its threshold and multiplier."""

    per_yuan: int = 1
    tiers: tuple[Tier, ...] = DEFAULT_TIERS

    def __post_init__(self) -> None:
        if not 0 <= self.per_yuan <= MAX_PER_YUAN:
            raise ValueError(f"points per yuan must be 0–{MAX_PER_YUAN}")
        if not self.tiers or self.tiers[0].threshold != 0:
            raise ValueError("the first tier starts at 0 points")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must differ")
        for lower, upper in zip(self.tiers, self.tiers[1:], strict=False):
            if upper.threshold <= lower.threshold:
                raise ValueError("tier thresholds must rise")
        for t in self.tiers:
            if not 0 <= t.percent <= MAX_PERCENT:
                raise ValueError(f"a multiplier is 0–{MAX_PERCENT // 100}×")

    def percent(self, tier: str) -> int:
        """The earn multiplier (×100) of ``tier``; an unknown tier earns as the first."""
        for t in self.tiers:
            if t.name == tier:
                return t.percent
        return self.tiers[0].percent

    def earned(self, amount_cents: int, tier: str) -> int:
        """The points a sale of ``amount_cents`` earns a member of ``tier``."""
        return max(0, amount_cents) * self.per_yuan * self.percent(tier) // 10_000

    def tier_after(self, tier: str, balance: int) -> str:
        """The tier once the balance is ``balance``: the highest reached, never below ``tier``."""
        names = [t.name for t in self.tiers]
        floor = names.index(tier) if tier in names else -1
        reached = max((i for i, t in enumerate(self.tiers) if balance >= t.threshold), default=0)
        return names[max(floor, reached)]

    def to_json(self) -> str:
        return json.dumps(
            {
                "per_yuan": self.per_yuan,
                "tiers": [[t.name, t.threshold, t.percent] for t in self.tiers],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> PointsRule:
        data = json.loads(text)
        tiers = tuple(Tier(str(n), int(th), int(p)) for n, th, p in data["tiers"])
        return cls(int(data["per_yuan"]), tiers)

    def with_changes(
        self, per_yuan: int | None = None, multipliers: Sequence[tuple[str, int]] = ()
    ) -> PointsRule:
        """This rule with ``per_yuan`` and the named tiers' multipliers (percent) changed;
        ValueError for a tier it does not have."""
        given = dict(multipliers)
        unknown = set(given) - {t.name for t in self.tiers}
        if unknown:
            raise ValueError(f"no tier {', '.join(sorted(unknown))}")
        tiers = tuple(Tier(t.name, t.threshold, given.get(t.name, t.percent)) for t in self.tiers)
        return PointsRule(self.per_yuan if per_yuan is None else per_yuan, tiers)


def load_rule(conn: Conn) -> PointsRule:
    """The chain's rule (the default until one is set)."""
    text = conn.scalar("SELECT value FROM settings WHERE key = ?", (SETTING,))
    return PointsRule() if text is None else PointsRule.from_json(str(text))


def save_rule(conn: Conn, rule: PointsRule) -> None:
    """Set the chain's rule (in the caller's write transaction); sales from then on earn by it."""
    if conn.row("SELECT 1 FROM settings WHERE key = ?", (SETTING,)) is None:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (SETTING, rule.to_json()))
    else:
        conn.execute("UPDATE settings SET value = ? WHERE key = ?", (rule.to_json(), SETTING))


_INSERT = (
    "INSERT INTO points_ledger (id, member_id, store_id, kind, points, balance, tier_from, "
    "tier_to, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Moved:
    """One change of a balance: the points (signed), the balance and tier after it."""

    points: int
    balance: int
    tier_from: str
    tier_to: str


def _move(
    conn: Conn,
    emit: Emit,
    *,
    entry_id: str,
    kind: str,
    member_id: str,
    home_store: str | None,
    store_id: str | None,
    delta: int,
    rule: PointsRule | None,
    at: int,
    now: int,
    floor: str | None = None,
) -> Moved:
    conn.lock(f"m:{member_id}")  # the balance is read, then written
    row = conn.row("SELECT tier, points FROM members WHERE id = ?", (member_id,))
    if row is None:
        raise LookupError(member_id)
    tier, balance = str(row[0]), int(row[1])
    balance += delta
    new_tier = rule.tier_after(floor or tier, balance) if rule is not None else tier
    conn.execute(
        "UPDATE members SET points = ?, tier = ?, updated_at = ? WHERE id = ?",
        (balance, new_tier, now, member_id),
    )
    conn.execute(_INSERT, (entry_id, member_id, store_id, kind, delta, balance, tier, new_tier, at))
    emit("member", member_id, home_store)
    emit("points", entry_id, home_store, new=True)
    return Moved(delta, balance, tier, new_tier)


def earn(
    conn: Conn,
    emit: Emit,
    *,
    sale_id: str,
    member_id: str,
    home_store: str | None,
    store_id: str,
    amount_cents: int,
    at: int,
    now: int,
) -> Moved | None:
    """Credit what an accepted sale earns by the chain's rule (None: it earns nothing)."""
    rule = load_rule(conn)
    tier = conn.scalar("SELECT tier FROM members WHERE id = ?", (member_id,))
    points = rule.earned(amount_cents, str(tier))
    if points <= 0:
        return None
    moved = _move(
        conn,
        emit,
        entry_id=sale_id,
        kind="earn",
        member_id=member_id,
        home_store=home_store,
        store_id=store_id,
        delta=points,
        rule=rule,
        at=at,
        now=now,
    )
    emit("store_points", sale_id, store_id, new=True)
    return moved


def redeem(
    conn: Conn,
    emit: Emit,
    *,
    redeem_id: str,
    member_id: str,
    home_store: str | None,
    store_id: str,
    points: int,
    at: int,
    now: int,
) -> tuple[Moved, str | None] | None:
    """Take ``points`` off the balance. None when the balance covered them; else the move and
    the member's redemption before this one (what it overlapped with) — an overdraft."""
    conn.lock(f"m:{member_id}")
    balance = int(conn.scalar("SELECT points FROM members WHERE id = ?", (member_id,)) or 0)
    before = conn.row(
        "SELECT id FROM points_ledger WHERE member_id = ? AND kind = 'redeem' "
        "ORDER BY at DESC, id DESC LIMIT 1",
        (member_id,),
    )
    moved = _move(
        conn,
        emit,
        entry_id=redeem_id,
        kind="redeem",
        member_id=member_id,
        home_store=home_store,
        store_id=store_id,
        delta=-points,
        rule=None,
        at=at,
        now=now,
    )
    if balance >= points:
        return None
    return moved, None if before is None else str(before[0])


def refund(
    conn: Conn,
    emit: Emit,
    *,
    resolve_id: str,
    target_id: str,
    store_id: str,
    at: int,
    now: int,
) -> Moved | None:
    """Give back the points of an overdrawing redemption a manager reversed (``target_id``);
    None when the target is not one (a coupon's conflict: nothing to give back)."""
    row = conn.row(
        "SELECT l.member_id, l.points, m.home_store FROM points_ledger l "
        "JOIN members m ON m.id = l.member_id WHERE l.id = ? AND l.kind = 'redeem'",
        (target_id,),
    )
    if row is None:
        return None
    return _move(
        conn,
        emit,
        entry_id=resolve_id,
        kind="refund",
        member_id=str(row[0]),
        home_store=row[2],
        store_id=store_id,
        delta=-int(row[1]),
        rule=None,
        at=at,
        now=now,
    )


def merge_in(
    conn: Conn,
    emit: Emit,
    *,
    entry_id: str,
    survivor: str,
    home_store: str | None,
    points: int,
    tier: str,
    at: int,
) -> Moved:
    """The ``merge`` row of a OneID merge: the merged member's balance ``points`` (any sign: an
    overdraft stays one) and tier ``tier`` carried over to ``survivor``. The tier after it is
    the chain's rule over the higher of the two tiers and the summed balance."""
    rule = load_rule(conn)
    names = [t.name for t in rule.tiers]
    own = str(conn.scalar("SELECT tier FROM members WHERE id = ?", (survivor,)))
    floor = max((own, tier), key=lambda name: names.index(name) if name in names else -1)
    return _move(
        conn,
        emit,
        entry_id=entry_id,
        kind="merge",
        member_id=survivor,
        home_store=home_store,
        store_id=None,
        delta=points,
        rule=rule,
        at=at,
        now=at,
        floor=floor,
    )
