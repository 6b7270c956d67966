"""What to offer next: per product, the products customers bought or viewed with it.

:func:`learn` is the model, pure and deterministic: from purchases (an online order or an
assisted sale: a member, a time, its products) and views (a member, a time, a product) it
counts, per ordered pair of products,

* **bought with** — both bought by one member within :data:`BOUGHT_WINDOW_S` of each other
  (the same order, or the strap a month after the watch);
* **viewed with** — both viewed by one member on the same day (at most
  :data:`SESSION_CAP` products of a day count);

each count weighted by its recency (half of it every :data:`HALF_LIFE_DAYS`). A product's
related products are those scoring highest (``bought + VIEW_WEIGHT × viewed``), at most
``top``, each with its stronger reason and its score relative to the best (0–1]. A pair seen
fewer than :data:`MIN_SUPPORT` times is noise and left out.

:func:`build` runs it on the hub's own data — orders (``orders``, completed), accepted sales
(``interactions``) and browsing (``browse_events``) of the last ``days`` — and writes
``product_related`` (the feed's ``related`` entity, common to every store): only the
products whose list changed are logged again. ``clerk hub recommend build`` runs it; a
scheduler (cron, a systemd timer) runs that nightly (docs/hub.md).
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sync.hub.db import Conn

if TYPE_CHECKING:
    from sync.hub.store import HubStore

DAY = 86_400
BOUGHT_WINDOW_S = 60 * DAY
HALF_LIFE_DAYS = 30.0
VIEW_WEIGHT = 0.1
SESSION_CAP = 20
MIN_SUPPORT = 2
TOP = 5
DAYS = 180

Purchase = tuple[str, int, Sequence[str]]  # member, at, skus
View = tuple[str, int, str]  # member, at, sku


@dataclass(frozen=True)
class Related:
    sku: str
    reason: str  # bought_with | viewed_with
    score: float  # relative to the product's best, (0, 1]


def _weight(at: int, now: int) -> float:
    return float(0.5 ** (max(0, now - at) / (HALF_LIFE_DAYS * DAY)))


def learn(
    purchases: Iterable[Purchase],
    views: Iterable[View],
    *,
    now: int,
    top: int = TOP,
) -> dict[str, list[Related]]:
    """sku → its related products, best first (see the module's docstring)."""
    bought: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    viewed: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    support: dict[tuple[str, str], int] = defaultdict(int)

    by_member: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for member, at, skus in purchases:
        by_member[member].append((at, tuple(dict.fromkeys(skus))))
    for rows in by_member.values():
        rows.sort()
        for i, (t_i, skus_i) in enumerate(rows):
            for j in range(i, len(rows)):
                t_j, skus_j = rows[j]
                if t_j - t_i > BOUGHT_WINDOW_S:
                    break
                w = _weight(t_j, now)
                for a in skus_i:
                    for b in skus_j:
                        if a == b:
                            continue
                        bought[a][b] += w
                        support[(a, b)] += 1
                        if j != i:  # the same order's pairs come both ways already
                            bought[b][a] += w
                            support[(b, a)] += 1

    sessions: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for member, at, sku in views:
        day = sessions[(member, at // DAY)]
        if sku in day or len(day) < SESSION_CAP:
            day[sku] = max(day.get(sku, at), at)
    for day_views in sessions.values():
        skus = sorted(day_views)
        if len(skus) < 2:
            continue
        w = _weight(max(day_views.values()), now)
        for i, a in enumerate(skus):
            for b in skus[i + 1 :]:
                viewed[a][b] += w
                viewed[b][a] += w
                support[(a, b)] += 1
                support[(b, a)] += 1

    out: dict[str, list[Related]] = {}
    for a in sorted(set(bought) | set(viewed)):
        scored: list[tuple[float, str, str]] = []
        for b in set(bought.get(a, {})) | set(viewed.get(a, {})):
            if support[(a, b)] < MIN_SUPPORT:
                continue
            by_purchase = bought.get(a, {}).get(b, 0.0)
            by_view = VIEW_WEIGHT * viewed.get(a, {}).get(b, 0.0)
            reason = "bought_with" if by_purchase >= by_view else "viewed_with"
            scored.append((by_purchase + by_view, b, reason))
        if not scored:
            continue
        scored.sort(key=lambda s: (-s[0], s[1]))
        best = scored[0][0]
        out[a] = [Related(b, reason, round(score / best, 4)) for score, b, reason in scored[:top]]
    return out


def related_json(related: Sequence[Related]) -> str:
    """A product's list as stored and sent (``product_related.related``)."""
    return json.dumps(
        [{"sku": r.sku, "reason": r.reason, "score": r.score} for r in related],
        separators=(",", ":"),
    )


def _purchases(conn: Conn, since: int) -> list[Purchase]:
    out: list[Purchase] = []
    for member, at, items in conn.rows(
        "SELECT member_id, at, items FROM orders WHERE at >= ? AND state = 'completed'", (since,)
    ):
        out.append((str(member), int(at), _skus(items)))
    for member, at, payload in conn.rows(
        "SELECT member_id, created_at, payload FROM interactions WHERE kind = 'sale' "
        "AND status = 'accepted' AND member_id IS NOT NULL AND created_at >= ?",
        (since,),
    ):
        out.append((str(member), int(at), _skus(payload, "items")))
    return out


def _skus(text: object, key: str | None = None) -> list[str]:
    try:
        value = json.loads(str(text))
    except ValueError:
        return []
    if key is not None:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, list):
        return []
    return [str(i["sku"]) for i in value if isinstance(i, dict) and isinstance(i.get("sku"), str)]


def build(store: HubStore, *, now: int | None = None, days: int = DAYS, top: int = TOP) -> int:
    """Learn from the hub's last ``days`` and write ``product_related``; returns the number
    of products whose list changed (each logged for every store's terminals)."""
    t = int(time.time()) if now is None else now
    since = t - days * DAY
    with store.read() as conn:
        purchases = _purchases(conn, since)
        views: list[View] = [
            (str(m), int(at), str(sku))
            for m, at, sku in conn.rows(
                "SELECT member_id, at, sku FROM browse_events WHERE at >= ?", (since,)
            )
        ]
    model = learn(purchases, views, now=t, top=top)
    changed = 0
    with store.write() as tx:
        tx.conn.lock("product_related")  # two processes' schedules: one writes the rows
        old = {
            str(r[0]): str(r[1]) for r in tx.conn.rows("SELECT sku, related FROM product_related")
        }
        for sku, related in model.items():
            text = related_json(related)
            if old.get(sku) == text:
                continue
            if sku in old:
                tx.conn.execute(
                    "UPDATE product_related SET related = ?, built_at = ? WHERE sku = ?",
                    (text, t, sku),
                )
            else:
                tx.conn.execute(
                    "INSERT INTO product_related (sku, related, built_at) VALUES (?, ?, ?)",
                    (sku, text, t),
                )
            tx.emit("related", sku, "upsert", None)
            changed += 1
        for sku in sorted(set(old) - set(model)):
            tx.conn.execute("DELETE FROM product_related WHERE sku = ?", (sku,))
            tx.emit("related", sku, "delete", None)
            changed += 1
    return changed


def hit_rate(
    recommend: dict[str, list[str]], bought: dict[str, set[str]], k: int = 3
) -> tuple[float, int]:
    """Share of members (of ``bought``: member → skus bought in the held-back week) of whom
    one of the first ``k`` recommended (``recommend``: member → skus, best first) was bought;
    and how many members were scored."""
    scored = [m for m in bought if m in recommend]
    if not scored:
        return math.nan, 0
    hits = sum(1 for m in scored if set(recommend[m][:k]) & bought[m])
    return hits / len(scored), len(scored)
