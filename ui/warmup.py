"""First-open costs paid while the terminal waits: the idle warm-up.

A customer's first open paints what the app has never painted: product titles and prices never
laid out (30–60 µs each), product tiles never drawn (0.15–0.2 ms each), glyphs never rendered
(docs/benchmarks.md, "Identification → customer view painted", fourth pass). A later open of
the same customer costs ~3 ms less at p95. The warm-up lays those out before any customer comes:
while the associate signs in and the terminal waits for the first scan.

* **Off the GUI thread**: the catalogue's active products are read on the terminal's worker
  (``TerminalPort.catalogue``) and turned into the strings the panels will show (titles in the
  current language, prices, the browsing line's "price · channels", relative days, quantities,
  status chips) — a plain :class:`WarmPlan`.
* **On the GUI thread**, because fonts and pixmaps are Qt's and live there: each string's width
  and laid-out line go into the row delegates' shared :class:`~ui.views.delegates.TextCache`
  and are drawn once on a scratch pixmap (the glyphs rendered into Qt's glyph cache); each
  product tile is drawn at the panels' tile sizes (``ui.views.tiles.product_tile``'s cache).

The GUI-thread part runs in slices of ``budget_ms`` from a zero-interval timer: a slice runs
queued steps until its budget is spent and returns to the event loop, so input, a scan's
result or a paint waits at most one slice. While ``busy()`` — the terminal's worker looking a
scan up, a customer shown and not yet painted — no slice runs (it looks again every
``BUSY_POLL_MS``): the warm-up never sits between a scan and its customer's frame. It
stops when the queue is empty; a new plan (a language switch) starts it again.
"""

from __future__ import annotations

import functools
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from clerk.model import Product
from ui import texts
from ui.i18n import fmt_ago, fmt_day, fmt_money, local
from ui.qt import QColor, QObject, QPainter, QPixmap, QPointF, QTimer, Signal, translate
from ui.theme import app_font
from ui.views.delegates import TextCache, row_fonts
from ui.views.tiles import product_tile

log = logging.getLogger(__name__)

# the tile sizes of the customer view's product rows (cart 52, browsing 44, wishlist 40) —
# ui/views/customer_view.py makes its panels with these
PRODUCT_TILE_SIZES = (52, 44, 40)
CATALOGUE_LIMIT = 5000  # products warmed at most (a shop's active catalogue)
DAY = 86_400
BUSY_POLL_MS = 15  # while busy, how often the warm-up looks whether it may go on


@dataclass
class WarmPlan:
    """What the panels will show, as strings per font and tile descriptors (made off the GUI
    thread)."""

    title: list[str] = field(default_factory=list)  # the rows' title font
    sub: list[str] = field(default_factory=list)  # subtitles and trailing second lines
    chip: list[str] = field(default_factory=list)  # the status chips
    tiles: list[str] = field(default_factory=list)  # distinct product image descriptors

    @property
    def size(self) -> int:
        strings = len(self.title) + len(self.sub) + len(self.chip)
        return strings + len(self.tiles) * len(PRODUCT_TILE_SIZES)


def plan(products: Sequence[Product], now: int) -> WarmPlan:
    """The strings and tiles a customer's panels show for ``products``, most shown first:
    each product's title and price (cart, browsing, wishlist), the browsing line "price ·
    channels" for each set of channels, the relative days of the last months (browsing's "last
    seen", the cart's and wishlist's "added", the orders' day), the cart's quantities and the
    status chips. Pure: safe on a worker."""
    out = WarmPlan()
    seen: set[str] = set()

    def add(into: list[str], text: str) -> None:
        if text and text not in seen:
            seen.add(text)
            into.append(text)

    sub_seen: set[str] = set()

    def add_sub(text: str) -> None:
        if text and text not in sub_seen:
            sub_seen.add(text)
            out.sub.append(text)

    added = translate("Panels", "Added %1")
    for days in range(0, 60):
        ago = fmt_ago(now - days * DAY - 3_600, now)
        add_sub(ago)
        add_sub(texts.fill(added, ago))
        add_sub(fmt_day(now - days * DAY, now))
    for n in range(1, 31):
        add(out.title, translate("Panels", "%n view(s)", None, n))
    for n in range(1, 10):
        add_sub(texts.fill(translate("Panels", "Qty %1"), n))
    for table in (texts.COUPON_STATUS, texts.ORDER_STATES, texts.SYNC_STATES):
        out.chip.extend(texts.term(table, code) for code in table)
    out.chip += [
        translate("Terms", "Pending sync"),
        translate("Panels", "Rejected — fix"),
        translate("Panels", "Not sent — fix"),
    ]
    codes = sorted(texts.CHANNELS)  # the 360 gives a product's channels sorted
    channel_sets = [
        texts.channels(list(c))
        for k in range(1, len(codes) + 1)
        for c in itertools.combinations(codes, k)
    ]
    pair = translate("Panels", "%1 · %2")
    tiles: set[str] = set()
    for p in products:
        add(out.title, local(p.title))
        price = fmt_money(p.price_cents)
        add(out.title, price)
        for channels in channel_sets:
            add_sub(texts.fill(pair, price, channels))
        if p.image and p.image not in tiles:
            tiles.add(p.image)
            out.tiles.append(p.image)
    return out


class IdleWarmup(QObject):
    """Runs a :class:`WarmPlan` on the GUI thread in slices of ``budget_ms`` while the app is
    idle (module docstring). ``busy()`` says when not to run (the terminal's worker looking a
    scan up)."""

    finished = Signal()

    def __init__(
        self,
        busy: Callable[[], bool] = lambda: False,
        *,
        budget_ms: float = 2.0,
        dpr: Callable[[], float] = lambda: 1.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.busy = busy
        self.budget_s = budget_ms / 1000
        self.dpr = dpr
        self.steps_done = 0
        self.slices = 0
        self.started_at = 0.0
        self.finished_at = 0.0
        self.cpu_s = 0.0
        self._steps: Iterator[Callable[[], object]] = iter(())
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._slice)
        self._scratch: QPixmap | None = None

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, warm: WarmPlan) -> None:
        """Warm ``warm`` from the next idle moment on (replacing a plan not finished)."""
        self._steps = itertools.chain(self._tile_steps(warm.tiles), self._text_steps(warm))
        self.steps_done = self.slices = 0
        self.cpu_s = 0.0
        self.started_at, self.finished_at = time.perf_counter(), 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._steps = iter(())
        self._scratch = None

    def _slice(self) -> None:
        if self.busy():
            self._timer.setInterval(BUSY_POLL_MS)  # look again later, not in a spin
            return
        if self._timer.interval():
            self._timer.setInterval(0)
        c0 = time.thread_time()
        end = time.perf_counter() + self.budget_s
        done = False
        steps = self._steps
        try:
            while True:
                step = next(steps, None)
                if step is None:
                    done = True
                    break
                step()
                self.steps_done += 1
                if time.perf_counter() >= end:
                    break
        finally:
            self.slices += 1
            self.cpu_s += time.thread_time() - c0
        if done:
            self._timer.stop()
            self._scratch = None
            self.finished_at = time.perf_counter()
            log.info(
                "warm-up done: %d steps in %d slices, %.0f ms of GUI CPU",
                self.steps_done,
                self.slices,
                self.cpu_s * 1000,
            )
            self.finished.emit()

    # --- the steps -------------------------------------------------------------------------

    def _tile_steps(self, descriptors: Sequence[str]) -> Iterator[Callable[[], object]]:
        for descriptor in descriptors:
            for size in PRODUCT_TILE_SIZES:
                yield functools.partial(self._tile, descriptor, size)

    def _text_steps(self, warm: WarmPlan) -> Iterator[Callable[[], object]]:
        title_font, sub_font, chip_font = row_fonts(app_font())
        title = TextCache.for_font(title_font)
        sub = TextCache.for_font(sub_font)
        chip = TextCache.for_font(chip_font)
        for text in warm.chip:
            yield functools.partial(self._lay_out, chip, text)
        for a, b in itertools.zip_longest(warm.title, warm.sub):
            if a is not None:
                yield functools.partial(self._lay_out, title, a)
            if b is not None:
                yield functools.partial(self._lay_out, sub, b)

    def _tile(self, descriptor: str, size: int) -> None:
        product_tile(descriptor, size, self.dpr())

    def _lay_out(self, cache: TextCache, text: str) -> None:
        """``text``'s width and line in ``cache``, drawn once so its glyphs are rendered."""
        if cache.knows(text):
            return
        cache.advance(text)
        line = cache.line(text)
        scratch = self._scratch
        if scratch is None:
            scratch = self._scratch = QPixmap(640, 48)
            scratch.fill(QColor("#ffffff"))  # opaque, like the window's backing store
        painter = QPainter(scratch)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        painter.setFont(cache.font)
        painter.drawStaticText(QPointF(0, 0), line)
        painter.end()
