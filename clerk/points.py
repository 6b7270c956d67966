"""Points on the terminal: the balance the hub confirmed, what this terminal recorded that it
has not confirmed yet, and how many may be redeemed here — offline too.

The hub alone moves a balance (sync/hub/points.py): a sale earns there by the chain's rule,
and each change comes back as a row of the member's ledger (the feed's ``points`` entity, with
the member row's new ``points`` and ``tier``). Until its ledger row has arrived:

* a ``points_redeem`` recorded here (not rejected) is **held**: the local balance is the hub's
  minus these, and a redemption over it is refused at the counter (:func:`check_redeem`).
  Another terminal may have redeemed the same points offline: the hub then keeps both and
  flags the later one (``points_overdraft``) for the manager.
* a ``sale`` recorded here and not yet acknowledged shows as **pending** points (the terminal
  does not compute them: the rule is the hub's).

A ledger entry that moved the tier within :data:`TIER_CHANGE_DAYS` is shown ("now Gold").
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from clerk.errors import RecordError
from clerk.model import PointsEntry, PointsPanel

DAY = 86_400
RECENT_LIMIT = 10  # ledger entries shown
TIER_CHANGE_DAYS = 30  # a tier change this recent is shown
UNSETTLED = frozenset({"pending", "sent"})

Q_LEDGER = (
    "SELECT id, kind, points, balance, tier_from, tier_to, at FROM points_ledger"
    " WHERE member_id = ? ORDER BY at DESC, id DESC LIMIT ?"
)
Q_LEDGER_IDS = "SELECT id FROM points_ledger WHERE id IN ({marks})"
Q_BALANCE = "SELECT points, tier FROM members WHERE id = ?"
Q_HELD = (
    "SELECT id, payload FROM interactions WHERE member_id = ? AND kind = 'points_redeem'"
    " AND state != 'rejected'"
)


def _points_of(payload: str) -> int:
    try:
        value = json.loads(payload).get("points")
    except (ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _in_ledger(cache: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    marks = ", ".join("?" * len(ids))
    return {str(r[0]) for r in cache.execute(Q_LEDGER_IDS.format(marks=marks), tuple(ids))}


def fetch(
    cache: sqlite3.Connection, member_id: str, outbox_rows: Iterable[Sequence[Any]]
) -> tuple[list[Any], set[str]]:
    """The SQL half of :func:`panel`: the member's newest ledger rows, and which of this
    terminal's redemptions (of ``outbox_rows``, as the 360 reads them) the ledger holds."""
    ledger = cache.execute(Q_LEDGER, (member_id, RECENT_LIMIT)).fetchall()
    ids = [str(r[0]) for r in outbox_rows if r[1] == "points_redeem" and r[5] != "rejected"]
    return ledger, _in_ledger(cache, ids)


def panel(
    balance: int,
    tier: str,
    ledger_rows: Iterable[Sequence[Any]],
    confirmed: set[str],
    outbox_rows: Iterable[Sequence[Any]],
    *,
    now: int,
) -> PointsPanel:
    """The points panel (no I/O) of a member whose row says ``balance`` and ``tier``, from
    :func:`fetch`'s rows and this terminal's rows of the member as the 360 reads them (id,
    kind, staff_id, payload, created_at, state, reason)."""
    ledger = [
        PointsEntry(str(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4]), str(r[5]), int(r[6]))
        for r in ledger_rows
    ]
    rows = list(outbox_rows)
    redeems = [r for r in rows if r[1] == "points_redeem" and r[5] != "rejected"]
    sales = [r for r in rows if r[1] == "sale" and r[5] in UNSETTLED]
    held = sum(_points_of(r[3]) for r in redeems if r[0] not in confirmed)
    sales_cents = 0
    for r in sales:
        try:
            amount = json.loads(r[3]).get("amount_cents")
        except (ValueError, AttributeError):
            amount = None
        if isinstance(amount, int) and not isinstance(amount, bool):
            sales_cents += amount
    change = next(
        (e for e in ledger if e.tier_from != e.tier_to and now - e.at <= TIER_CHANGE_DAYS * DAY),
        None,
    )
    return PointsPanel(
        balance=balance,
        tier=tier,
        pending_redeemed=held,
        pending_sales=len(sales),
        pending_sales_cents=sales_cents,
        recent=tuple(ledger),
        tier_change=change,
    )


def available(cache: sqlite3.Connection, outbox: sqlite3.Connection, member_id: str) -> int:
    """The points that may be redeemed here now: the hub's balance less this terminal's
    redemptions it has not confirmed (0 for a member not cached)."""
    row = cache.execute(Q_BALANCE, (member_id,)).fetchone()
    if row is None:
        return 0
    held = outbox.execute(Q_HELD, (member_id,)).fetchall()
    confirmed = _in_ledger(cache, [str(r[0]) for r in held])
    return max(0, int(row[0]) - sum(_points_of(r[1]) for r in held if r[0] not in confirmed))


def check_redeem(
    cache: sqlite3.Connection, outbox: sqlite3.Connection, member_id: str | None, points: int
) -> None:
    """RecordError (``points_over_balance``, field ``points``) unless ``points`` are within
    the member's local balance. Called in the outbox's write transaction, before the record."""
    if member_id is None:
        raise RecordError(
            "points are redeemed for a cached member", problem="needs_member", field=None
        )
    have = available(cache, outbox, member_id)
    if points > have:
        raise RecordError(
            f"{points} points asked, {have} available",
            problem="points_over_balance",
            field="points",
        )
