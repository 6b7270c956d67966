"""The idle warm-up (ui/warmup.py): the catalogue's titles, prices and tiles laid out while
nobody is served, in short slices, never while a scan is looked up or a customer waits for
its frame; and the row delegate's shortcut for a string that fits (pixel-identical to Qt's
``elidedText``)."""

from __future__ import annotations

from typing import Any

from clerk.model import Product
from ui import texts
from ui.i18n import fmt_money, local
from ui.qt import QTimer, translate


def _run_to_end(qtbot: Any, session: Any) -> Any:
    window = session.window
    window.start_warmup()
    qtbot.waitUntil(
        lambda: window.warmup is not None and bool(window.warmup.finished_at), timeout=20_000
    )
    return window.warmup


def test_catalogue_is_the_active_products(terminal: Any) -> None:
    products = terminal.catalogue()
    assert products and all(isinstance(p, Product) and p.active for p in products)
    everything = terminal.products("", 1)  # a query is needed there: nothing
    assert everything == []
    assert len(terminal.catalogue(limit=7)) == 7
    skus = [p.sku for p in products]
    assert skus == sorted(skus) and len(set(skus)) == len(skus)


def test_warmup_lays_out_the_catalogue_and_draws_its_tiles(qtbot: Any, session: Any) -> None:
    from ui.theme import app_font
    from ui.views.delegates import TextCache, row_fonts
    from ui.views.tiles import product_tile
    from ui.warmup import PRODUCT_TILE_SIZES

    warmup = _run_to_end(qtbot, session)
    assert warmup.slices > 1  # in slices, not at once
    title_font, sub_font, chip_font = row_fonts(app_font())
    cache = TextCache.for_font(title_font)
    products = session.window.terminal.catalogue()
    for p in products:
        assert cache.knows(local(p.title)), p.sku
        assert cache.knows(fmt_money(p.price_cents)), p.sku
        # the browsing line, whatever channels the product was seen on
        line = texts.fill(
            translate("Panels", "%1 · %2"), fmt_money(p.price_cents), texts.channels(["app", "web"])
        )
        assert TextCache.for_font(sub_font).knows(line), p.sku
    for code in texts.COUPON_STATUS:
        assert TextCache.for_font(chip_font).knows(texts.term(texts.COUPON_STATUS, code))
    # every tile is in the tile cache: drawing one again is a hit
    hits = product_tile.cache_info().hits
    dpr = session.window.devicePixelRatioF()
    for p in products[:20]:
        for size in PRODUCT_TILE_SIZES:
            product_tile(p.image, size, dpr)
    assert product_tile.cache_info().hits - hits == 20 * len(PRODUCT_TILE_SIZES)


def test_a_first_open_after_the_warmup_lays_out_no_product_title(
    qtbot: Any, session: Any, home: Any, open_customer: Any
) -> None:
    from ui.views.delegates import TextCache

    _run_to_end(qtbot, session)
    titles = {local(p.title) for p in session.window.terminal.catalogue()}
    laid_out: list[str] = []
    line = TextCache.line

    def counting(self: TextCache, text: str) -> Any:
        if text not in self._lines:
            laid_out.append(text)
        return line(self, text)

    TextCache.line = counting  # type: ignore[method-assign]
    try:
        page = session.window.screens.customer_view
        with qtbot.waitSignal(page.painted, timeout=10_000):
            open_customer(home.cards[home.hero])
    finally:
        TextCache.line = line  # type: ignore[method-assign]
    shown = {page.models.browsing.display(r).title for r in range(page.models.browsing.rowCount())}
    assert shown & titles  # the hero browsed catalogue products…
    assert not set(laid_out) & titles  # …none of which was laid out in front of the associate


def test_slices_end_at_their_budget_and_wait_while_busy(qtbot: Any, qapp: Any) -> None:
    """Nothing runs while busy (and the timer polls instead of spinning); a slice ends with
    the step that spends its budget — with none, one step a slice, the event loop turning
    between each (no timing asserted: the machine is shared)."""
    from ui.warmup import BUSY_POLL_MS, IdleWarmup, WarmPlan

    busy = {"v": True}
    warmup = IdleWarmup(busy=lambda: busy["v"], budget_ms=0.0)
    texts = [f"商品 {i} 号 Product {i}" for i in range(40)]
    warmup.start(WarmPlan(title=texts, sub=[t + " · App" for t in texts]))
    qtbot.wait(60)
    assert warmup.steps_done == 0  # a scan being looked up: nothing runs…
    assert warmup._timer.interval() == BUSY_POLL_MS  # …and it polls, it does not spin
    busy["v"] = False
    turns = {"n": 0}
    probe = QTimer()
    probe.setInterval(0)
    probe.timeout.connect(lambda: turns.__setitem__("n", turns["n"] + 1))
    probe.start()
    with qtbot.waitSignal(warmup.finished, timeout=20_000):
        pass
    probe.stop()
    assert warmup.steps_done == 80
    assert warmup.slices >= 80  # one step each (and the busy looks before)
    assert turns["n"] >= 79  # another zero timer ran between the slices
    assert not warmup.running


def test_a_string_that_fits_is_its_own_elided_form(qapp: Any, terminal: Any) -> None:
    """The delegate skips ``elidedText`` for a string a pixel narrower than its width: the
    same string Qt returns, at every width around the string's own."""
    from ui.qt import QFontMetrics, Qt
    from ui.theme import app_font
    from ui.views.delegates import TextCache, row_fonts

    for font in row_fonts(app_font()):
        cache = TextCache(font)  # a private one: every call below goes to Qt once
        metrics = QFontMetrics(font)
        strings = [local(p.title) for p in terminal.catalogue()[:80]]
        strings += [fmt_money(p.price_cents) for p in terminal.catalogue()[:20]]
        for text in strings:
            advance = metrics.horizontalAdvance(text)
            for width in range(max(1, advance - 3), advance + 4):
                expected = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
                assert cache.elided(text, width) == expected, (text, width)
