"""What to offer next, on the terminal: up to three products, each with its reason.

The hub learns, per product, the products bought or viewed with it (sync/hub/recommend.py)
and ships them to every terminal (the feed's ``related`` entity: cache ``product_related``,
a product's list best first as JSON ``[{"sku", "reason", "score"}, …]``). Here the customer's
own products are the **anchors** — what is in the online cart, what was bought and what was
browsed most recently — and a product related to an anchor is offered with the
anchor's weight (:data:`SOURCE_WEIGHT`) times its score; products the customer already has
in the cart, browsed as an anchor or bought are never offered. Ties go by sku, so the same
data always offers the same three.

The customer view shows them as talking points (rule ``offer``: the product, its reason —
``bought_with`` or ``viewed_with`` — and the anchor it goes with and where that is from).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_OFFERS = 3
PER_SOURCE = 4  # the customer's products of each source whose related lists are read
SOURCE_WEIGHT = {"cart": 1.0, "bought": 0.9, "browsed": 0.6}
REASONS = ("bought_with", "viewed_with")

Q_RELATED = "SELECT sku, related FROM product_related WHERE sku IN ({marks})"


@dataclass(frozen=True)
class Offer:
    sku: str
    reason: str  # bought_with | viewed_with
    because: str  # the anchor's sku
    source: str  # where the anchor is from: cart | browsed | bought
    score: float


def anchors(
    cart: Iterable[str], browsed: Iterable[str], bought: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(sku, source) of the customer's products, each once: the first :data:`PER_SOURCE` of
    each source (``browsed`` and ``bought``: most recent first)."""
    out: dict[str, str] = {}
    for source, skus in (("cart", cart), ("bought", bought), ("browsed", browsed)):
        taken = 0
        for sku in skus:
            if taken >= PER_SOURCE:
                break
            if sku not in out:
                out[sku] = source
                taken += 1
    return list(out.items())


def fetch(cache: sqlite3.Connection, skus: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The related lists of ``skus`` (those the hub has one for), read from the cache."""
    if not skus:
        return {}
    marks = ", ".join("?" * len(skus))
    out: dict[str, list[dict[str, Any]]] = {}
    for sku, text in cache.execute(Q_RELATED.format(marks=marks), tuple(skus)):
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, list):
            out[str(sku)] = [r for r in value if isinstance(r, dict)]
    return out


def offers(
    related: Mapping[str, Sequence[Mapping[str, Any]]],
    anchor_list: Sequence[tuple[str, str]],
    *,
    exclude: Iterable[str] = (),
    limit: int = MAX_OFFERS,
) -> list[Offer]:
    """The best ``limit`` products to offer (see the module's docstring)."""
    skip = {sku for sku, _ in anchor_list} | set(exclude)
    best: dict[str, Offer] = {}
    for anchor, source in anchor_list:
        weight = SOURCE_WEIGHT.get(source, 0.5)
        for r in related.get(anchor, ()):
            sku, reason, score = r.get("sku"), r.get("reason"), r.get("score")
            if not isinstance(sku, str) or sku in skip or reason not in REASONS:
                continue
            if not isinstance(score, int | float) or isinstance(score, bool):
                continue
            value = weight * float(score)
            known = best.get(sku)
            if known is None or value > known.score:
                best[sku] = Offer(sku, str(reason), anchor, source, value)
    ranked = sorted(best.values(), key=lambda o: (-o.score, o.sku))
    return ranked[:limit]
