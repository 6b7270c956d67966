"""An order's lines as cache.db keeps them: ``[[sku, qty, price_cents], …]``, compact JSON.

The changes feed sends an order's lines as objects — ``{"sku", "qty", "price_cents", …}``, the
hub's shape (:mod:`clerk.shared.entities`) — and the cache holds millions of orders (5 M at
500,000 members), whose object keys were half of their bytes. So the cache keeps, per line,
only what the customer view shows, in a fixed order: the product's sku (its titles come from
``products``; a sku the catalogue lacks is shown as itself), the quantity and the unit price in
minor units (fen). :func:`compact` makes that text when a row is applied (``clerk.cache``) and
when migration m014 rewrites the rows cached before it; :func:`lines` and :func:`skus` read it.

Rules (those the customer view applied to the objects before): a line without a text sku is
dropped; a quantity that is not an integer is 1, a price that is not an integer is 0; lines
that are compact already are kept as they are (:func:`compact` is idempotent); text that is not
a JSON list holds no lines. An order's state and its refund (``state``, ``refunded_at``) are
other columns, untouched.
"""

from __future__ import annotations

import json
from typing import Any

Line = tuple[str, int, int]  # sku, qty, price_cents (of one unit)


def compact(items: Any) -> str:
    """The cache's text for an order's lines as the feed sends them: a list of objects (or
    of compact lines), or its JSON text."""
    if isinstance(items, str):
        try:
            items = json.loads(items)
        except ValueError:
            items = None
    out: list[list[Any]] = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict):
            sku, qty, price = item.get("sku"), item.get("qty"), item.get("price_cents")
        elif isinstance(item, list) and len(item) == 3:
            sku, qty, price = item
        else:
            continue
        if isinstance(sku, str):
            out.append([sku, _int(qty, 1), _int(price, 0)])
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def lines(text: str | None) -> list[Line]:
    """The lines of an order as the cache keeps them (text from :func:`compact`)."""
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    return [
        (line[0], _int(line[1], 1), _int(line[2], 0))
        for line in value
        if isinstance(line, list) and len(line) == 3 and isinstance(line[0], str)
    ]


def skus(text: str | None) -> list[str]:
    """The skus of an order's lines, in order."""
    return [sku for sku, _qty, _price in lines(text)]


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
