"""The customer view: header, actions, the inline composer and the panels.

Every widget is created once. ``set_layout_mode`` moves them between the desktop
arrangement (header and actions on top, three scrolling columns) and the handheld one (one
scrolling column, actions pinned at the bottom); a new customer only resets the models.
"""

from __future__ import annotations

from typing import Any

from ui.models.customer_models import CustomerModels
from ui.qt import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QSize,
    QSizePolicy,
    QStackedLayout,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
    translate,
)
from ui.theme import icon
from ui.views.composer_view import Composer
from ui.views.link_view import LinkForm
from ui.views.profile_header_view import ProfileHeader
from ui.views.signup_view import SignupForm
from ui.views.widgets import (
    Banner,
    FlowRow,
    LanguageAware,
    ListPanel,
    RowList,
    button,
    label,
)

ACTIONS = (
    "note",
    "interest",
    "redeem",
    "points_redeem",
    "sale",
    "case",
    "consent",
    "task",
    "assign",
    "next",
)
HANDHELD_ACTIONS_PER_ROW = 5
MEMBER_ACTIONS = tuple(a for a in ACTIONS if a != "next")


class UnknownCustomerPrompt(QFrame):
    """Someone no member matches (offline: not on this terminal; online: the hub has no one
    with this card or number): what now — a walk-in, another card or number, or (offline
    only) a member the hub will match — or a sign-up (the form: ui/views/signup_view.py), or,
    for a card or number, a link to the member the customer proves to be (ui/views/link_view.py)."""

    walk_in = Signal()
    other = Signal()
    member = Signal()
    sign_up = Signal()
    link = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("unknownPrompt")
        self.setProperty("banner", "info")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(8)
        self.text = label("", "bannerText", wrap=True)
        self.text.setObjectName("unknownText")
        box.addWidget(self.text)
        self.signup = label("", "hint", wrap=True)
        box.addWidget(self.signup)
        row = FlowRow(8)  # side by side, or one above the other on a handheld
        self.walk_in_button = button("", icon_name="user", kind="primary", object_name="walkIn")
        self.walk_in_button.clicked.connect(self.walk_in)
        self.other_button = button("", icon_name="scan", kind="secondary", object_name="otherId")
        self.other_button.clicked.connect(self.other)
        self.member_button = button("", icon_name="sync", kind="ghost", object_name="memberRef")
        self.member_button.clicked.connect(self.member)
        self.signup_button = button("", icon_name="user", kind="secondary", object_name="signUp")
        self.signup_button.clicked.connect(self.sign_up)
        self.link_button = button("", icon_name="tag", kind="secondary", object_name="linkMember")
        self.link_button.clicked.connect(self.link)
        for b in (
            self.walk_in_button,
            self.signup_button,
            self.link_button,
            self.other_button,
            self.member_button,
        ):
            row.add(b)
        row.add_stretch(1)
        box.addWidget(row)
        self.reason = ""
        self.state = ""  # "" asking | walk_in | member
        self.linkable = False  # a card or number: it may be linked to a member
        self.hide()

    def ask(self, reason: str, linkable: bool = False) -> None:
        self.reason = reason
        self.linkable = linkable
        self.state = ""
        self.retranslate()
        self.show()

    def settle(self, state: str) -> None:
        self.state = state
        self.retranslate()

    def retranslate(self) -> None:
        asking = self.state == ""
        if self.state == "walk_in":
            text = translate(
                "Customer",
                "Served as a walk-in: the visit is counted, in no member's history. Notes, "
                "interest, sales, coupons and consent need a member.",
            )
        elif self.state == "member":
            text = translate(
                "Customer",
                "Recorded for the member with this card or number: the hub matches it when "
                "the terminal is back online.",
            )
        elif self.reason == "unknown_member":
            text = translate(
                "Customer",
                "The hub has no member with this card or number. Serve them as a walk-in, "
                "or scan or type another card or number.",
            )
        else:
            text = translate(
                "Customer",
                "No member with this card or number on this terminal (offline). Serve them as "
                "a walk-in, scan another card or number — or, if they are a member, record "
                "for the hub to match when back online.",
            )
        self.text.setText(text)
        self.setAccessibleName(text)
        self.signup.setText(
            translate(
                "Customer",
                "Not a member yet? Sign them up here — offline too: they are a member at once.",
            )
        )
        self.signup.setVisible(asking)
        self.walk_in_button.setText(translate("Customer", "Walk-in"))
        self.signup_button.setText(translate("Customer", "Sign up"))
        self.signup_button.setVisible(asking)
        self.link_button.setText(translate("Customer", "Link to a member"))
        self.link_button.setVisible(asking and self.linkable)
        self.other_button.setText(translate("Customer", "Another card or number"))
        self.member_button.setText(translate("Customer", "A member: the hub matches it"))
        self.walk_in_button.setVisible(asking)
        self.other_button.setVisible(asking)
        self.member_button.setVisible(asking and self.reason == "not_cached")


_ACTION_ICONS = {
    "note": "note",
    "interest": "interest",
    "redeem": "redeem",
    "points_redeem": "gift",
    "sale": "sale",
    "consent": "consent",
    "case": "warning",
    "task": "clock",
    "assign": "user",
    "next": "next",
}


def _column() -> tuple[QScrollArea, QVBoxLayout]:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    inner = QWidget()
    inner.setObjectName("column")
    box = QVBoxLayout(inner)
    box.setContentsMargins(0, 0, 6, 12)
    box.setSpacing(14)
    box.addStretch(1)
    area.setWidget(inner)
    return area, box


def _widgets(box: QVBoxLayout, count: int) -> list[QWidget]:
    """The widgets among the first ``count`` items of ``box``."""
    items = (box.itemAt(i) for i in range(count))
    return [w for w in (item.widget() if item is not None else None for item in items) if w]


class Customer360View(LanguageAware):
    action_triggered = Signal(str)
    painted = Signal()  # every visible panel painted since the last show

    def __init__(self, models: CustomerModels, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.models = models
        self.mode = ""

        self.header = ProfileHeader()
        self.notice = Banner("info", "info")
        self.notice.setObjectName("notCachedNotice")
        self.unknown = UnknownCustomerPrompt()
        self.signup = SignupForm()
        self.link = LinkForm()
        self.member_actions = True  # False: nobody a member-only record can be about
        self.may_assign = False  # a manager's session: the client book's assign

        self.action_bar = QFrame()
        self.action_bar.setObjectName("actionBar")
        self.action_layout = QGridLayout(self.action_bar)
        self.action_layout.setContentsMargins(0, 0, 0, 0)
        self.action_layout.setSpacing(8)
        self.buttons: dict[str, QToolButton] = {}
        for name in ACTIONS:
            b = QToolButton(self.action_bar)
            b.setObjectName(f"action_{name}")
            b.setProperty("kind", "action")
            b.setIcon(icon(_ACTION_ICONS[name], "primary" if name != "next" else "text"))
            b.setIconSize(QSize(22, 22))
            b.setMinimumHeight(48)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, n=name: self.action_triggered.emit(n))
            self.buttons[name] = b

        self.composer = Composer(models.interest_products, models.sale_products)
        self.talking = ListPanel(models.talking, "bulb", object_name="talkingPoints", tile=40)
        self.cart = ListPanel(models.cart, "cart", object_name="cart", tile=52)
        self.coupons = ListPanel(models.coupons, "redeem", object_name="coupons", tile=40)
        self.browsing = ListPanel(
            models.browsing, "eye", object_name="browsing", tile=44, dense=True, limit=8
        )
        self.visits = ListPanel(
            models.visits, "history", object_name="visits", tile=34, dense=True, limit=8
        )
        self.orders, self.wishlist = self._order_panels(models)
        # Open service cases come first, above the talking points; hidden when there are none
        # (so not among ``panels``, the panels always on the page).
        self.cases = ListPanel(models.cases, "warning", object_name="cases", tile=34, dense=True)
        self.cases.hide()
        self.panels = (
            self.talking,
            self.cart,
            self.coupons,
            self.browsing,
            self.visits,
            self.orders,
            self.wishlist,
        )

        # Desktop arrangement.
        self.desktop = QWidget()
        d = QVBoxLayout(self.desktop)
        d.setContentsMargins(20, 16, 14, 0)
        d.setSpacing(12)
        self.d_top = QVBoxLayout()
        self.d_top.setSpacing(10)
        d.addLayout(self.d_top)
        cols = QHBoxLayout()
        cols.setSpacing(14)
        self.d_cols = []
        self.areas: list[QScrollArea] = []  # the desktop's three columns, the handheld's one
        for stretch in (5, 5, 4):
            area, box = _column()
            self.areas.append(area)
            cols.addWidget(area, stretch)
            self.d_cols.append(box)
        d.addLayout(cols, 1)

        # Handheld arrangement.
        self.handheld = QWidget()
        h = QVBoxLayout(self.handheld)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(0)
        area, self.h_col = _column()
        self.areas.append(area)
        self.h_col.setContentsMargins(10, 10, 10, 12)
        self.h_col.setSpacing(10)
        h.addWidget(area, 1)
        self.h_bottom = QFrame()
        self.h_bottom.setObjectName("topBar")
        hb = QVBoxLayout(self.h_bottom)
        hb.setContentsMargins(8, 8, 8, 8)
        self.h_bottom_layout = hb
        h.addWidget(self.h_bottom)

        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.desktop)
        self.stack.addWidget(self.handheld)

        self._texts_for: tuple[bool, bool] | None = None  # the state the actions' texts say
        self._painted: set[int] = set()
        self._painted_as: tuple[str, QSize] | None = None  # arrangement and size last painted
        self._shrink: int | None = None  # _top_shrink for the customer being shown
        self._head_heights: dict[int, int] = {}  # panel → its header's height
        self._awaiting = False
        self._header_done = False
        self.header.painted.connect(self._on_header_painted)
        for panel in (self.cases, *self.panels):
            panel.list.painted.connect(lambda p=panel: self._on_list_painted(p.list))

        self.set_layout_mode("desktop")
        self.retranslate()

    @staticmethod
    def _order_panels(models: CustomerModels) -> tuple[ListPanel, ListPanel]:
        orders = ListPanel(
            models.orders, "sale", object_name="orders", tile=34, dense=True, limit=5
        )
        wishlist = ListPanel(
            models.wishlist, "star", object_name="wishlist", tile=40, dense=True, limit=5
        )
        return orders, wishlist

    # --- layout ----------------------------------------------------------------------------

    def set_layout_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        self._head_heights.clear()
        handheld = mode == "handheld"
        for name, b in self.buttons.items():
            self.action_layout.removeWidget(b)
            b.setToolButtonStyle(
                Qt.ToolButtonStyle.ToolButtonTextUnderIcon
                if handheld
                else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            )
            b.setMinimumHeight(56 if handheld else 48)
            b.setProperty("compact", handheld)
            b.style().unpolish(b)
            b.style().polish(b)
            b.setVisible(not (handheld and name == "next"))
        shown = [n for n in ACTIONS if not (handheld and n == "next")]
        # A phone's width takes four labelled buttons a row: more in one row cut their words.
        per_row = HANDHELD_ACTIONS_PER_ROW if handheld else len(shown)
        for i, name in enumerate(shown):
            self.action_layout.addWidget(self.buttons[name], i // per_row, i % per_row)
        self.header.set_compact(handheld)
        if handheld:
            order = [
                self.header,
                self.notice,
                self.unknown,
                self.signup,
                self.link,
                self.composer,
                self.cases,
                self.talking,
                self.cart,
                self.coupons,
                self.orders,
                self.browsing,
                self.wishlist,
                self.visits,
            ]
            for i, w in enumerate(order):
                self.h_col.insertWidget(i, w)
            self.h_bottom_layout.addWidget(self.action_bar)
            self.stack.setCurrentWidget(self.handheld)
        else:
            self.d_top.addWidget(self.header)
            self.d_top.addWidget(self.notice)
            self.d_top.addWidget(self.unknown)
            self.d_top.addWidget(self.action_bar)
            layout = (
                (self.cases, self.talking, self.coupons, self.orders),
                (self.cart, self.browsing, self.wishlist),
                (self.signup, self.link, self.composer, self.visits),
            )
            for box, widgets in zip(self.d_cols, layout, strict=True):
                for i, w in enumerate(widgets):
                    box.insertWidget(i, w)
            self.stack.setCurrentWidget(self.desktop)

    def _composer_area(self) -> QScrollArea | None:
        parent = self.composer.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        return parent

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        area = self._composer_area()
        if area is not None:
            self.composer.fit_height(area.viewport().height() - 16)

    @staticmethod
    def member_only_reason() -> str:
        return translate(
            "Customer", "Needs a member: not for a walk-in or a card or number no one has."
        )

    @staticmethod
    def manager_only_reason() -> str:
        return translate("Customer", "Managers only: a manager assigns customers to associates.")

    def set_may_assign(self, allowed: bool) -> None:
        """The assign action for a manager; an associate sees it disabled with the reason."""
        self.may_assign = allowed
        if not allowed:
            self.buttons["assign"].setEnabled(False)
        self._action_texts()

    def set_member_actions(self, enabled: bool) -> None:
        """Member-only actions on or off (off: disabled, the reason in their tooltips)."""
        self.member_actions = enabled
        if not enabled:
            for name in MEMBER_ACTIONS:
                self.buttons[name].setEnabled(False)
        self._action_texts()

    def scroll_to_composer(self) -> None:
        """Bring the open form into view (its column may be scrolled away)."""
        parent = self._composer_area()
        if parent is not None:
            # The card is never taller than what shows: its buttons stay on screen.
            self.composer.fit_height(parent.viewport().height() - 16)
            parent.ensureWidgetVisible(self.composer, 0, 8)

    def show_cases(self, any_open: bool) -> None:
        """The open-cases panel only when there are some (it goes above the talking points)."""
        self.cases.setVisible(any_open)

    def clear(self) -> None:
        """Nobody on screen (after a lock): header, notice and forms emptied (the controller
        empties the models)."""
        self.cases.hide()
        self.header.clear()
        self.notice.hide()
        self.notice.text.setText("")
        self.unknown.hide()
        self.signup.hide()
        self.link.hide()
        self.composer.reset()

    # --- paint tracking (for "fully painted") ------------------------------------------------

    def expect_paint(self) -> None:
        """Start waiting for the header and every visible panel to paint — and have them
        paint: a panel whose rows did not change (the same member read again) is not reset,
        and would otherwise not paint at all."""
        self._painted.clear()
        self._awaiting = True
        self._header_done = False
        self._shrink = None
        self.header.update()
        for panel in (self.cases, *self.panels):
            panel.list.viewport().update()

    def column_ends(self) -> list[ListPanel]:
        """The panels last in their column (in the layout shown): their rows move nothing
        else on the page."""
        ends = []
        for box in self.d_cols if self.mode == "desktop" else [self.h_col]:
            shown = [w for w in _widgets(box, box.count()) if not w.isHidden()]
            if shown and isinstance(shown[-1], ListPanel):
                ends.append(shown[-1])
        return ends

    def geometry_current(self) -> bool:
        """Are the page's columns where its next frame will have them (before the header
        above them is laid out again)? On screen, yes; hidden behind the scan screen, when it
        has the size of the pages again and the arrangement it was last painted in (the
        window was not resized nor switched to the other layout since)."""
        if self.isVisible():
            return True
        pages = self.parentWidget()
        return (
            pages is not None
            and self._painted_as == (self.mode, self.size())
            and pages.contentsRect().size() == self.size()
        )

    def _top_shrink(self) -> int:
        """How much shorter the desktop's top (header, notices, actions) is with what was
        just put in it than as laid out now: the columns below grow by as much. Worked out
        once per customer shown (:meth:`expect_paint`): it lays the header's text out."""
        if self._shrink is not None:
            return self._shrink
        rect = self.d_top.geometry()
        if self.mode != "desktop" or not rect.isValid():
            self._shrink = 0
        elif self.d_top.hasHeightForWidth():
            self._shrink = rect.height() - self.d_top.heightForWidth(rect.width())
        else:
            self._shrink = rect.height() - self.d_top.sizeHint().height()
        return self._shrink

    def _head_height(self, panel: ListPanel) -> int:
        """A panel's header height (one line: the same for every customer; kept per
        language and layout)."""
        height = self._head_heights.get(id(panel))
        if height is None:
            height = self._head_heights[id(panel)] = panel.header.sizeHint().height()
        return height

    def below_the_fold(self, panel: ListPanel) -> bool:
        """Is ``panel`` (one of :meth:`column_ends`) certainly out of sight until scrolled
        to? Only when the page's geometry is current (:meth:`geometry_current`) and what is
        above it in its column — at least each panel's header and fixed-height list, and the
        spacing — already reaches past the bottom of the column's viewport as scrolled now,
        that viewport taken as much taller as the top above the columns is now shorter."""
        if not self.geometry_current():
            return False
        for box in self.d_cols if self.mode == "desktop" else [self.h_col]:
            if box.indexOf(panel) >= 0:
                break
        else:
            return False
        area = box.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is None:
            return False
        top = box.contentsMargins().top()
        for w in _widgets(box, box.indexOf(panel)):
            if w.isHidden():
                continue
            top += box.spacing()
            if isinstance(w, ListPanel):
                if not w.header.isHidden():
                    top += self._head_height(w)
                if not w.list.isHidden():
                    top += w.list.maximumHeight()  # fixed to its rows (RowList.fit)
        bottom = area.verticalScrollBar().value() + area.viewport().height()
        # the top's new height only matters when the panel is past the bottom as laid out now
        return top > bottom and top > bottom + max(0, self._top_shrink())

    def awaiting_paint(self) -> bool:
        """A customer set and not yet painted in full (:meth:`expect_paint`); ``painted``
        follows when the page next paints."""
        return self._awaiting

    def scroll_to_top(self) -> None:
        """A new customer starts at the top of every column (header, cases, talking points)."""
        for area in self.areas:
            area.verticalScrollBar().setValue(0)

    def _on_header_painted(self) -> None:
        if self._awaiting:
            self._header_done = True
            self._check_painted()

    def _on_list_painted(self, lst: RowList) -> None:
        if self._awaiting:
            self._painted.add(id(lst))
            # a header scrolled out of sight (the handheld's one column) is not waited for
            if self._header_done or self.header.visibleRegion().isEmpty():
                self._check_painted()

    def _check_painted(self) -> None:
        waiting = [
            p.list
            for p in (self.cases, *self.panels)
            if p.list.isVisible()
            and not p.list.visibleRegion().isEmpty()
            and id(p.list) not in self._painted
        ]
        if not waiting:
            self._awaiting = False
            self._painted_as = (self.mode, self.size())
            self.painted.emit()

    def retranslate(self) -> None:
        self._texts_for = None
        self._head_heights.clear()
        self._action_texts()
        self._panel_texts()

    def _action_texts(self) -> None:
        """The actions' labels and tooltips (a disabled one says why) for the state shown —
        on every customer shown, so only these, not the whole page (:meth:`retranslate`) — and
        only when that state changed."""
        state = (self.member_actions, self.may_assign)
        if state == self._texts_for:
            return
        self._texts_for = state
        names = {
            "note": (translate("Customer", "Note"), "Ctrl+N"),
            "interest": (translate("Customer", "Interest"), "Ctrl+I"),
            "redeem": (translate("Customer", "Redeem"), "Ctrl+R"),
            "points_redeem": (translate("Customer", "Points"), "Ctrl+P"),
            "sale": (translate("Customer", "Sale"), "Ctrl+S"),
            "case": (translate("Customer", "Case"), "Ctrl+E"),
            "consent": (translate("Customer", "Consent"), "Ctrl+K"),
            "task": (translate("Customer", "Follow-up"), "Ctrl+T"),
            "assign": (translate("Customer", "Assign"), "Ctrl+J"),
            "next": (translate("Customer", "Next customer"), "Esc"),
        }
        for name, (text, keys) in names.items():
            b = self.buttons[name]
            b.setText(text)
            b.setToolTip(f"{text} ({keys})")
            b.setAccessibleName(text)
            b.setAccessibleDescription("")
        if not self.member_actions:
            reason = self.member_only_reason()
            for name in MEMBER_ACTIONS:
                self.buttons[name].setToolTip(reason)
                self.buttons[name].setAccessibleDescription(reason)
        elif not self.may_assign:
            reason = self.manager_only_reason()
            self.buttons["assign"].setToolTip(reason)
            self.buttons["assign"].setAccessibleDescription(reason)

    def _panel_texts(self) -> None:
        self.unknown.retranslate()
        self.signup.retranslate()
        self.link.retranslate()
        self.talking.set_texts(
            translate("Customer", "Talking points"),
            translate("Customer", "Nothing stands out — ask how you can help."),
        )
        self.cart.set_texts(
            translate("Customer", "Online cart"), translate("Customer", "The online cart is empty.")
        )
        self.coupons.set_texts(
            translate("Customer", "Coupons"), translate("Customer", "No coupons.")
        )
        self.browsing.set_texts(
            translate("Customer", "Browsed online"),
            translate("Customer", "No online browsing (or no consent to use it)."),
            translate("Customer", "Show all %1 products"),
        )
        self.visits.set_texts(
            translate("Customer", "Visits and notes"),
            translate("Customer", "No earlier visits."),
            translate("Customer", "Show all %1 entries"),
        )
        self.cases.set_texts(
            translate("Customer", "Open service cases"),
            translate("Customer", "No open service cases."),
        )
        self.orders.set_texts(
            translate("Customer", "Orders and returns"),
            translate("Customer", "No orders in the last 12 months."),
            translate("Customer", "Show all %1 orders"),
        )
        self.wishlist.set_texts(
            translate("Customer", "Wishlist"),
            translate("Customer", "Nothing on the wishlist."),
            translate("Customer", "Show all %1 products"),
        )
        self.header.retranslate()
