"""The customer screen's redemptions: a coupon's inline confirmation (what is selected in the
coupons panel, shown and confirmed is one coupon) and points redeemed at the counter
(clerk/points.py: the balance this terminal may redeem, the question naming the balance
after). A part of :class:`CustomerController`, whose customer it serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clerk.model import Coupon, PointsPanel
from ui import texts
from ui.i18n import fmt_money, fmt_number, local
from ui.models.rows_model import Roles
from ui.qt import QObject, translate

if TYPE_CHECKING:
    from ui.controllers.customer_controller import CustomerController


def points_over_text(available: int) -> str:
    return texts.fill(
        translate("Customer", "More than the balance: %1 points may be redeemed here."),
        fmt_number(available),
    )


class RedeemController(QObject):
    def __init__(self, screen: CustomerController) -> None:
        super().__init__(screen)
        self.screen = screen
        self.view = screen.view
        self.coupon: Coupon | None = None  # the coupon the open confirmation redeems
        # The coupon confirmed is always the coupon selected: a click (or Enter) on a row
        # opens its confirmation, and any move of the selection (mouse, keyboard) follows.
        coupons = screen.view.coupons.list
        coupons.activated.connect(self._coupon_activated)
        coupons.clicked.connect(self._coupon_clicked)
        coupon_selection = coupons.selectionModel()
        assert coupon_selection is not None
        coupon_selection.currentChanged.connect(self._coupon_current_changed)
        screen.view.composer.points.points.textChanged.connect(
            lambda _t: self._show_points_question()
        )

    # --- a coupon --------------------------------------------------------------------------

    def open_redeem(self, coupon_id: str | None = None) -> bool:
        """Show the inline confirmation for a coupon (the selected one, else the first usable)."""
        coupons = self.screen.models.coupons
        row = -1
        if coupon_id is not None:
            row = next((i for i, c in enumerate(coupons.rows) if c.id == coupon_id), -1)
        if row < 0:
            sel = self.view.coupons.list.currentIndex()
            if sel.isValid() and coupons.redeemable(coupons.row_at(sel.row())):
                row = sel.row()
        if row < 0:
            row = coupons.first_redeemable()
        if row < 0 or not coupons.redeemable(coupons.row_at(row)):
            self.screen.bridge.info(
                translate("Customer", "No coupon can be redeemed right now."), key="redeem"
            )
            return False
        self._show_redeem(row)
        self.view.composer.save.setFocus()
        self.view.scroll_to_composer()
        return True

    def _show_redeem(self, row: int) -> None:
        """Fill the confirmation with the coupon of ``row`` and select that row: what is
        selected, shown and confirmed is one coupon. One that cannot be redeemed is shown
        with Confirm disabled and why."""
        coupons = self.screen.models.coupons
        coupon = coupons.row_at(row)
        usable = coupons.redeemable(coupon)
        self.coupon = coupon if usable else None
        data = self.screen.data
        now = data.as_of if data is not None else 0
        member = data.profile.name if data else ""
        form = self.view.composer.redeem
        form.offer.setText(texts.offer(coupon.rule, coupon.value))
        form.title.setText(local(coupon.title))
        form.rule.setText(texts.coupon_rule_text(coupon))
        form.validity.setText(texts.coupon_validity(coupon, now))
        applies = [line for line in (data.cart if data else ()) if line.coupon_id == coupon.id]
        if applies:
            line = applies[0]
            form.applies.setText(
                texts.fill(
                    translate("Customer", "For %1 in the online cart (%2)"),
                    local(line.product.title),
                    fmt_money(line.price_cents),
                )
            )
        else:
            form.applies.setText("")
        form.applies.setVisible(bool(applies))
        if usable:
            form.question.setText(
                texts.fill(
                    translate(
                        "Customer", "Redeem “%1” (%2, %3) for %4 now? Enter confirms, Esc cancels."
                    ),
                    local(coupon.title),
                    texts.offer(coupon.rule, coupon.value),
                    texts.coupon_validity(coupon, now),
                    member,
                )
            )
        else:
            form.question.setText(
                texts.fill(
                    translate("Customer", "“%1” cannot be redeemed: %2."),
                    local(coupon.title),
                    texts.coupon_validity(coupon, now),
                )
            )
        self.view.composer.for_chip.setText(member)
        self.view.composer.open_form("redeem")
        self.view.composer.save.setEnabled(usable)
        lst = self.view.coupons.list
        if lst.currentIndex().row() != row:
            lst.setCurrentIndex(coupons.index(row, 0))

    def _coupon_activated(self, index: Any) -> None:
        coupon = index.data(Roles.Item)
        if coupon is not None and self.screen.models.coupons.redeemable(coupon):
            self.open_redeem(coupon.id)

    def _coupon_clicked(self, index: Any) -> None:
        """A single click shows the coupon's confirmation; the focus stays in the list (the
        arrow keys go on moving the selection, and the confirmation with it)."""
        coupon = index.data(Roles.Item)
        if coupon is not None and self.screen.models.coupons.redeemable(coupon):
            self._show_redeem(index.row())
            self.view.scroll_to_composer()

    def _coupon_current_changed(self, current: Any, _previous: Any = None) -> None:
        """The selection moved (mouse or keyboard) while a coupon is being confirmed: the
        confirmation follows it."""
        if self.view.composer.form == "redeem" and current.isValid():
            self._show_redeem(current.row())

    def confirmed_coupon(self) -> Coupon | None:
        """The coupon to redeem: the one confirmed, still the one selected."""
        coupon = self.coupon
        selected = self.view.coupons.list.currentIndex()
        if coupon is None or not selected.isValid():
            return None
        if self.screen.models.coupons.row_at(selected.row()).id != coupon.id:
            return None  # never: the confirmation follows the selection
        return coupon

    # --- points redeemed at the counter (clerk/points.py) -----------------------------------

    def points(self) -> PointsPanel | None:
        """The points of the member on screen, when this terminal holds their balance."""
        if self.screen.member_id is None or self.screen.data is None:
            return None
        return self.screen.data.points

    def open_points(self) -> bool:
        """The points form: the balance that may be redeemed here, the points, a note."""
        if self.points() is None:
            self.screen.bridge.info(
                translate("Customer", "This terminal holds no points balance for this customer."),
                key="redeem",
            )
            return False
        from clerk.shared.interactions import MAX_POINTS  # loaded with the first form

        c = self.view.composer
        c.save.setEnabled(True)
        c.for_chip.setText(self.screen.data.profile.name if self.screen.data is not None else "")
        c.points.set_limit(MAX_POINTS)
        c.points.points.clear()
        c.points.text.clear()
        c.open_form("points_redeem")
        self.show_points_balance()
        c.points.points.setFocus()
        self.view.scroll_to_composer()
        return True

    def show_points_balance(self) -> None:
        panel = self.points()
        form = self.view.composer.points
        if panel is None:
            form.available.setText("")
        else:
            text = texts.fill(
                translate("Customer", "%1 points available here"), fmt_number(panel.available)
            )
            if panel.pending_redeemed:
                held = texts.fill(
                    translate("Customer", "%1 held here"), fmt_number(panel.pending_redeemed)
                )
                text = f"{text} · {held}"
            form.available.setText(text)
        self._show_points_question()

    def _show_points_question(self) -> None:
        """What confirming does: the points, the member and the balance after."""
        panel = self.points()
        form = self.view.composer.points
        points = form.value()
        data = self.screen.data
        if panel is None or data is None or not points:
            form.question.setText("")
            form.question.setVisible(False)
            return
        if points > panel.available:
            text = points_over_text(panel.available)
        else:
            text = texts.fill(
                translate(
                    "Customer",
                    "Redeem %1 points for %2 now? Balance after: %3. Enter confirms, Esc cancels.",
                ),
                fmt_number(points),
                data.profile.name,
                fmt_number(panel.available - points),
            )
        form.question.setText(text)
        form.question.setVisible(True)

    def retranslate(self) -> None:
        """The open confirmation follows the language."""
        if self.view.composer.form == "redeem" and self.coupon is not None:
            self.open_redeem(self.coupon.id)
        if self.view.composer.form == "points_redeem":
            self.show_points_balance()
