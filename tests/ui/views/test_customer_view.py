"""The customer page paints every panel's rows with the customer's own data.

A customer with every panel full is shown (rows taken from several demo members so that no
panel is empty); each panel is scrolled into view and every row it shows must be painted by
the row delegate with that row's data — the panels below the fold too. Then another customer,
then someone with no 360: no row of the one before stays in a model or on screen. The same
member shown twice still reports ``painted`` (a panel whose rows did not change is not reset).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from clerk.model import CustomerView, Identity, ServiceCase, WishlistItem
from clerk.ports import Opened
from ui.models.rows_model import Roles
from ui.qt import QScrollArea

HERO = "M00000001"
PANEL_ROWS = {  # panel attribute of the page → the view's field it shows
    "cases": "cases",
    "talking": "talking_points",
    "cart": "cart",
    "coupons": "coupons",
    "browsing": "browsing",
    "visits": "visits",
    "orders": "orders",
    "wishlist": "wishlist",
}


def _key(model_name: str, row: Any) -> str:
    """What the panel's model gives as ``Roles.Key`` for ``row`` of the view."""
    if model_name == "talking":
        return str(row.rule)
    if model_name == "browsing":
        return str(row.product.sku)
    return str(row.id)


def _full_view(terminal: Any, home: Any) -> CustomerView:
    """The hero's 360 with every panel filled (rows borrowed from other members)."""
    view = terminal.view(HERO)
    assert view is not None
    missing = {f for f in PANEL_ROWS.values() if not getattr(view, f)}
    filled: dict[str, Any] = {}
    for member_id in sorted(home.cards):
        if not missing:
            break
        other = terminal.view(member_id)
        for field in list(missing):
            rows = getattr(other, field) if other is not None else ()
            if rows:
                filled[field] = rows
                missing.discard(field)
    # what the demo home holds none of (open cases, wishlists): made up, with its products
    products = [line.product for line in (*view.cart, *filled.get("cart", ()))] or [
        b.product for b in (*view.browsing, *filled.get("browsing", ()))
    ]
    assert products
    now = view.as_of
    if "cases" in missing:
        filled["cases"] = tuple(
            ServiceCase(f"R-{100 + i}", kind, f"case {i}", now - (i + 1) * 86_400, now)
            for i, kind in enumerate(("repair", "complaint", "repair"))
        )
    if "wishlist" in missing:
        filled["wishlist"] = tuple(
            WishlistItem(f"W{i}", products[i % len(products)], now - (i + 1) * 86_400)
            for i in range(7)  # more than the panel shows until "show all"
        )
    missing -= {"cases", "wishlist"}
    assert not missing, f"the demo home has no {sorted(missing)}"
    return dataclasses.replace(view, **filled)


def _opened(view: CustomerView | None, member_id: str | None) -> Opened:
    ident = Identity("member_id", member_id or "123456", f"member:{member_id}")
    reason = None if view is not None else "not_cached"
    return Opened(ident, member_id, view, None, view is not None, reason)


def _record_paints(page: Any) -> dict[str, list[tuple[int, str]]]:
    """Every row each panel's delegate paints from now on: (row, key)."""
    painted: dict[str, list[tuple[int, str]]] = {name: [] for name in PANEL_ROWS}
    for name in PANEL_ROWS:
        delegate = getattr(page, name).list.row_delegate
        original = delegate.paint

        def paint(painter: Any, option: Any, index: Any, n: str = name, f: Any = original) -> None:
            painted[n].append((index.row(), str(index.data(Roles.Key))))
            f(painter, option, index)

        delegate.paint = paint
    return painted


def _show(qtbot: Any, window: Any, opened: Opened) -> None:
    page = window.screens.customer_view
    with qtbot.waitSignal(page.painted, timeout=5_000):
        window.nav.show_opened(opened)


def _scroll_into_view(qtbot: Any, panel: Any) -> None:
    area = panel.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    assert area is not None
    area.ensureWidgetVisible(panel.list, 0, 0)
    qtbot.waitUntil(lambda: not panel.list.visibleRegion().isEmpty(), timeout=3_000)


def _expected(view: CustomerView, name: str, model: Any) -> list[str]:
    rows = getattr(view, PANEL_ROWS[name])
    return [_key(name, row) for row in rows[: model.limit or len(rows)]]


def _keys(model: Any) -> list[str]:
    return [model.value(r, Roles.Key) for r in range(model.rowCount())]


def _in_sight(panel: Any) -> bool:
    return panel.isVisible() and not panel.visibleRegion().isEmpty()


def _snapshot(page: Any) -> dict[str, tuple[list[str], bool]]:
    """Each panel's rows and whether it is in sight, taken when the page says it painted."""
    frame: dict[str, tuple[list[str], bool]] = {}

    def take() -> None:
        if not frame:
            for name in PANEL_ROWS:
                panel = getattr(page, name)
                frame[name] = (_keys(panel.model), _in_sight(panel.list))

    page.painted.connect(take)
    return frame


def _check_frame(
    qtbot: Any, page: Any, view: CustomerView, frame: dict[str, tuple[list[str], bool]]
) -> list[str]:
    """At ``painted``: every panel in sight held the new customer's rows; one out of sight
    (below the fold) may be filled after that frame, within the same turn of the event loop.
    Returns the panels that were filled after the frame."""
    assert frame, "painted was not emitted"
    later = []
    for name, (keys, in_sight) in frame.items():
        model = getattr(page, name).model
        if keys != _expected(view, name, model):
            assert not in_sight, f"{name}: stale rows in sight"
            later.append(name)
    for name in PANEL_ROWS:  # the next turn of the event loop fills them
        model = getattr(page, name).model
        qtbot.waitUntil(lambda m=model, n=name: _keys(m) == _expected(view, n, m), timeout=1_000)
    return later


def test_every_panel_paints_its_rows_also_below_the_fold(
    qtbot: Any, session: Any, terminal: Any, home: Any
) -> None:
    window = session.window
    page = window.screens.customer_view
    view = _full_view(terminal, home)
    # before: a customer whose orders are not these (customer → customer)
    before = next(
        (m, v)
        for m in sorted(home.cards, reverse=True)
        if (v := terminal.view(m)) is not None and v.orders and v.orders != view.orders
    )
    _show(qtbot, window, _opened(before[1], before[0]))
    painted = _record_paints(page)
    frame = _snapshot(page)
    _show(qtbot, window, _opened(view, HERO))
    assert page.cases.isVisible()  # open cases: the panel above the talking points
    # the orders (last in the first column) are out of sight below the cases, the talking
    # points and the coupons: filled right after the first frame
    assert _check_frame(qtbot, page, view, frame) == ["orders"]
    for name in PANEL_ROWS:
        panel = getattr(page, name)
        model = panel.model
        expected = _expected(view, name, model)
        assert expected, name
        assert _keys(model) == expected, name
        assert panel.list.isVisibleTo(page) and not panel.empty.isVisibleTo(page), name
        _scroll_into_view(qtbot, panel)
        # every row the panel shows is painted, each with its own row's data
        qtbot.waitUntil(
            lambda n=name, e=expected: {k for _r, k in painted[n]} >= set(e), timeout=3_000
        )
        assert all(expected[r] == key for r, key in painted[name]), name
        assert panel.list.height() >= sum(
            panel.list.row_delegate.row_height(model.display(r), panel.list.viewport().width())
            for r in range(model.rowCount())
        ), name


def test_from_the_scan_screen_the_panels_below_the_fold_wait_for_the_first_frame(
    qtbot: Any, session: Any, terminal: Any, home: Any
) -> None:
    """Back on the scan screen the page is hidden, at the size it was painted at: the next
    customer's panels out of sight are filled right after the page's first frame there too,
    and no panel in sight shows the customer before."""
    window = session.window
    page = window.screens.customer_view
    view = _full_view(terminal, home)
    before = next(
        (m, v)
        for m in sorted(home.cards, reverse=True)
        if (v := terminal.view(m)) is not None and v.orders and v.orders != view.orders
    )
    _show(qtbot, window, _opened(before[1], before[0]))
    window.nav.next_customer()
    qtbot.waitUntil(lambda: not page.isVisible(), timeout=3_000)
    assert page.geometry_current()
    frame = _snapshot(page)
    _show(qtbot, window, _opened(view, HERO))
    assert _check_frame(qtbot, page, view, frame) == ["orders"]
    # resized while hidden: its geometry is not current, nothing waits
    window.nav.next_customer()
    qtbot.waitUntil(lambda: not page.isVisible(), timeout=3_000)
    window.resize(window.width() - 40, window.height())
    qtbot.waitUntil(lambda: not page.geometry_current(), timeout=3_000)
    frame = _snapshot(page)
    _show(qtbot, window, _opened(before[1], before[0]))
    assert _check_frame(qtbot, page, before[1], frame) == []


def test_another_customer_leaves_no_stale_row(
    qtbot: Any, session: Any, terminal: Any, home: Any
) -> None:
    window = session.window
    page = window.screens.customer_view
    first = _full_view(terminal, home)
    _show(qtbot, window, _opened(first, HERO))
    # another member: other rows, some panels empty (no cases: the panel goes)
    other_id = next(m for m in sorted(home.cards) if m != HERO)
    second = dataclasses.replace(terminal.view(other_id), cases=(), orders=(), wishlist=())
    painted = _record_paints(page)
    frame = _snapshot(page)
    _show(qtbot, window, _opened(second, other_id))
    assert not page.cases.isVisible()
    _check_frame(qtbot, page, second, frame)
    for name in PANEL_ROWS:
        panel = getattr(page, name)
        model = panel.model
        expected = _expected(second, name, model)
        assert _keys(model) == expected, name
        if name == "cases":  # none open: the whole panel goes
            assert not expected and panel.isHidden()
            continue
        assert panel.list.isVisibleTo(page) == bool(expected), name
        assert panel.empty.isVisibleTo(page) == (not expected), name
        if expected:
            _scroll_into_view(qtbot, panel)
            qtbot.waitUntil(lambda n=name: bool(painted[n]), timeout=3_000)
        assert all(expected[r] == key for r, key in painted[name]), name
    # the same member again: nothing changed, the page still says it painted
    _show(qtbot, window, _opened(second, other_id))
    # after the full customer, nobody with a 360 (a card not on this terminal): every panel
    # empty, no case shown
    frame = _snapshot(page)
    _show(qtbot, window, _opened(first, HERO))
    _check_frame(qtbot, page, first, frame)
    window.nav.show_opened(_opened(None, None))
    qtbot.waitUntil(lambda: page.unknown.isVisible(), timeout=3_000)
    for name in PANEL_ROWS:
        assert getattr(page, name).model.rowCount() == 0, name
    assert not page.cases.isVisible()


def test_another_customer_starts_at_the_top_and_paints_on_a_handheld(
    qtbot: Any, session: Any, terminal: Any, home: Any
) -> None:
    """The handheld's one column scrolled down to the last panel (the header out of sight):
    the next customer starts at the top, and the page still says it painted."""
    window = session.window
    window.set_layout_setting("handheld")
    window.resize(414, 860)
    page = window.screens.customer_view
    view = _full_view(terminal, home)
    _show(qtbot, window, _opened(view, HERO))
    area = page.areas[-1]
    _scroll_into_view(qtbot, page.visits)
    assert area.verticalScrollBar().value() > 0
    assert page.header.visibleRegion().isEmpty()
    other_id = next(m for m in sorted(home.cards) if m != HERO)
    _show(qtbot, window, _opened(terminal.view(other_id), other_id))  # painted, or it fails
    assert area.verticalScrollBar().value() == 0
    assert not page.header.visibleRegion().isEmpty()
