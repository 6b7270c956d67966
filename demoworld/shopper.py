"""The demo's simulated online shopper: Segment calls into the embedded hub, as a shop would.

``clerk demo`` (interactive) starts one beside the app: a daemon thread that, every
``every`` seconds (±30 %, seeded random), sends behaviour events for the demo's hero member (the
member whose code the demo shows first) and now and then for one of the other demo members —
``Product Viewed`` (through the app, the web shop or the mini program), ``Product Added`` and
sometimes ``Product Removed`` (the online cart), occasionally ``Product Added to Wishlist``.
They go through the published Segment client (segment-analytics-python) to the hub's HTTP
Tracking API at ``<hub>/segment`` on loopback, with the write key of the hub's ``demo-shop``
source (made once through the hub's sources API; its key is kept beside the demo's hub
database). The terminal's live pull then repaints the open customer. Qt-free.
"""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.hub.store import HubStore

log = logging.getLogger(__name__)

SOURCE_NAME = "demo-shop"
DEFAULT_EVERY_S = 11.5  # a round every 8 to 15 s
JITTER = 0.3
STOP_TIMEOUT_S = 5.0
MAX_CART_LINES = 4
_CHANNELS = ("app", "web", "mini")


def demo_write_key(store: HubStore, key_file: Path) -> str:
    """The write key of the hub's one demo source, made through the hub's sources API on the
    first call and kept in ``key_file`` (the hub keeps only its hash). Should the key file
    be lost, the old source is revoked and a new one (``demo-shop-2``, …) made."""
    from sync.hub.segment.sources import Sources

    sources = Sources(store)
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        found = sources.authenticate(key)
        if found is not None and found.name.startswith(SOURCE_NAME):
            return key
    names = {str(s["name"]): s for s in sources.rows()}
    for name, s in names.items():
        if name.startswith(SOURCE_NAME) and s["revoked_at"] is None:
            sources.revoke(str(s["id"]), actor="demo")
    name, n = SOURCE_NAME, 1
    while name in names:
        n += 1
        name = f"{SOURCE_NAME}-{n}"
    _source, key = sources.add(name, actor="demo")
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def products(store: HubStore, limit: int = 60) -> list[tuple[str, int]]:
    """(sku, price in cents) of active products the shopper browses."""
    with store.read() as conn:
        rows = conn.rows(
            "SELECT sku, price_cents FROM products WHERE active = 1 ORDER BY sku LIMIT ?",
            (limit,),
        )
    return [(str(r[0]), int(r[1])) for r in rows]


class Shopper:
    """The simulated shopper's thread: :meth:`start`, then :meth:`stop` (joins it with a
    timeout and shuts the Segment client down). ``carts`` is what it put in each member's
    online cart (and has not removed), ``removed`` what it took out of it (and has not put
    back); ``viewed`` the skus each member viewed."""

    def __init__(
        self,
        hub_url: str,
        write_key: str,
        hero: str,
        others: Sequence[str],
        catalogue: Sequence[tuple[str, int]],
        *,
        every_s: float = DEFAULT_EVERY_S,
        seed: int | None = None,
    ) -> None:
        from segment.analytics.client import Client

        if not catalogue:
            raise ValueError("the shopper needs products to browse")
        if not hub_url.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError("the demo shopper sends only to a hub on loopback")
        self.hero = hero
        self.others = list(others)
        self.catalogue = list(catalogue)
        self.every_s = every_s
        self.rng = random.Random(seed)
        self.carts: dict[str, list[str]] = {}
        self.removed: dict[str, set[str]] = {}
        self.viewed: dict[str, list[str]] = {}
        self.rounds = 0
        self.errors = 0
        self._stop = threading.Event()
        self._done = threading.Condition()
        self.client: Any = Client(
            write_key,
            host=hub_url + "/segment",
            max_retries=1,
            timeout=5,
            upload_interval=0.2,
            on_error=self._on_error,
        )
        self.thread = threading.Thread(target=self._run, name="demo-shopper", daemon=True)

    def start(self) -> Shopper:
        self.thread.start()
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop the thread (True when it ended within ``timeout`` s) and shut the client down."""
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        stopped = not self.thread.is_alive()
        self.client.shutdown()
        return stopped

    def wait_rounds(self, n: int, timeout: float) -> bool:
        """Wait until ``n`` rounds were sent and flushed (False when ``timeout`` s passed)."""
        with self._done:
            return self._done.wait_for(lambda: self.rounds >= n, timeout)

    def _on_error(self, error: Exception, batch: object) -> None:
        self.errors += 1
        log.warning("demo shopper: the hub refused a batch: %s", error)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s * self.rng.uniform(1 - JITTER, 1 + JITTER)):
            try:
                self.round()
            except Exception:  # a demo thread: keep shopping, say why
                log.exception("demo shopper: a round failed")
            with self._done:
                self.rounds += 1
                self._done.notify_all()

    def round(self) -> None:
        """One round: the hero shops, and now and then another member; then a flush."""
        self._shop(self.hero)
        if self.others and self.rng.random() < 0.5:
            self._shop(self.rng.choice(self.others))
        self.client.flush()

    def _shop(self, member_id: str) -> None:
        rng = self.rng
        channel = rng.choice(_CHANNELS)
        sku, cents = rng.choice(self.catalogue)
        self._track(member_id, "Product Viewed", sku, cents, channel)
        self.viewed.setdefault(member_id, []).append(sku)
        cart = self.carts.setdefault(member_id, [])
        if cart and (len(cart) >= MAX_CART_LINES or rng.random() < 0.3):
            gone = rng.choice(cart)
            cart.remove(gone)
            self.removed.setdefault(member_id, set()).add(gone)
            self._track(member_id, "Product Removed", gone, None, channel)
        elif rng.random() < 0.7:
            qty = rng.choice((1, 1, 1, 2))
            self._track(member_id, "Product Added", sku, cents, channel, quantity=qty)
            if sku not in cart:
                cart.append(sku)
            self.removed.setdefault(member_id, set()).discard(sku)
        if rng.random() < 0.15:
            wished, wished_cents = rng.choice(self.catalogue)
            self._track(member_id, "Product Added to Wishlist", wished, wished_cents, channel)

    def _track(
        self,
        member_id: str,
        event: str,
        sku: str,
        cents: int | None,
        channel: str,
        **extra: Any,
    ) -> None:
        properties: dict[str, Any] = {"sku": sku, "product_id": sku, **extra}
        properties["channel"] = "mini-program" if channel == "mini" else channel
        if cents is not None:
            properties["price"] = cents / 100
            properties["currency"] = "CNY"
        if channel == "app":
            context: dict[str, Any] = {"app": {"name": "Omni Shop", "version": "5.2.0"}}
        elif channel == "web":
            context = {"page": {"url": f"https://shop.example/p/{sku}"}}
        else:
            context = {"library": {"name": "analytics-miniprogram"}}
        self.client.track(user_id=member_id, event=event, properties=properties, context=context)


def start_shopper(
    store: HubStore,
    hub_url: str,
    key_file: Path,
    members: Sequence[str],
    *,
    every_s: float = DEFAULT_EVERY_S,
    seed: int | None = None,
) -> Shopper | None:
    """Start the demo shopper for ``members`` (the hero first) on the hub at ``hub_url``;
    None when there is nobody or nothing to shop."""
    catalogue = products(store)
    if not members or not catalogue:
        return None
    key = demo_write_key(store, key_file)
    shopper = Shopper(hub_url, key, members[0], members[1:], catalogue, every_s=every_s, seed=seed)
    return shopper.start()
