"""The customer screen's products in its forms: the pickers' suggestions (the online cart,
then what was browsed) and catalogue search, the product the interest form names, and the
sale's lines — picked, scanned (a sku or a product barcode) — with the total computed from
them less a coupon redeemed here. A part of :class:`CustomerController`, whose customer it
serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from clerk.model import CustomerView, Product
from ui import texts
from ui.i18n import fmt_money, local
from ui.models.product_choices_model import Choice, SaleLineValue, cents_text
from ui.models.rows_model import Roles
from ui.qt import QObject, translate

if TYPE_CHECKING:
    from ui.controllers.customer_controller import CustomerController


class ProductsController(QObject):
    def __init__(self, screen: CustomerController) -> None:
        super().__init__(screen)
        self.screen = screen
        self.view = screen.view
        self.suggestions: list[Choice] = []
        self.interest_choice: Choice | None = None  # the product the interest form names
        self._choices_for: CustomerView | None = None
        c = screen.view.composer
        c.interest.picker.picked.connect(self.interest_picked)
        c.interest.picker.search_changed.connect(lambda q: self._search("interest", q))
        c.sale.picker.picked.connect(self._sale_picked)
        c.sale.picker.search_changed.connect(lambda q: self._search("sale", q))
        c.sale.lines_changed.connect(self.sale_lines_changed)
        c.sale.amount.textEdited.connect(lambda _t: self.sale_lines_changed())

    def forget(self) -> None:
        """Nothing of the customer stays in a picker or on a line."""
        self._choices_for = None
        models = self.screen.models
        models.interest_products.set_choices([])
        models.sale_products.set_choices([])
        self.suggestions = []
        self.interest_choice = None
        self.view.composer.sale.clear_lines()

    def stale(self) -> None:
        """A new 360 (or a language switch): the suggestions are filled again when needed."""
        self._choices_for = None

    def ensure_choices(self) -> None:
        data = self.screen.data
        if self._choices_for is not data or data is None:
            self._fill_choices(data)
            self._choices_for = data

    def _fill_choices(self, view: CustomerView | None) -> None:
        """The suggestions of the product pickers: the online cart's products, then what
        was browsed (nothing picked: the associate picks)."""
        choices: list[Choice] = []
        seen: set[str] = set()
        if view is not None:
            cart = [(c.product, c.price_cents, c.qty, "cart", c.id) for c in view.cart]
            browsed = [
                (b.product, b.product.price_cents, 1, "browsed", None) for b in view.browsing
            ]
            for product, price, qty, source, cart_id in cart + browsed:
                if product.sku in seen:
                    continue
                seen.add(product.sku)
                choices.append(
                    Choice(
                        product.sku,
                        local(product.title),
                        price,
                        product.image or "",
                        qty,
                        source,
                        cart_id,
                    )
                )
        self.suggestions = choices[:12]
        c = self.view.composer
        for form, model in (
            (c.interest, self.screen.models.interest_products),
            (c.sale, self.screen.models.sale_products),
        ):
            if not form.picker.search.text().strip():
                model.set_choices(self.suggestions)

    def _search(self, form: str, query: str) -> None:
        """The picker's search changed: the catalogue's matches (on the worker), or the
        suggestions again when it is emptied."""
        models = self.screen.models
        model = models.interest_products if form == "interest" else models.sale_products
        if not query.strip():
            model.set_choices(self.suggestions)
            return
        terminal = self.screen.terminal

        def found(products: list[Product]) -> None:
            picker = getattr(self.view.composer, form).picker
            if picker.search.text() != query:
                return  # typed on since
            model.set_choices(
                [Choice(p.sku, local(p.title), p.price_cents, p.image or "") for p in products]
            )

        self.screen.runner.submit(
            lambda: terminal.products(query, 20), found, self.screen.refresh_failed
        )

    # --- the interest form ---------------------------------------------------------------------

    def open_interest(self) -> None:
        """The interest form, emptied: the product selected in a panel picked, else none."""
        c = self.view.composer
        c.interest.picker.search.clear()
        self._choices_for = None
        self.ensure_choices()
        c.interest.text.clear()
        c.interest.asked_about.setChecked(True)
        self.interest_choice = None
        current = self._selected_sku()  # a product the associate selected in a panel
        row = self.screen.models.interest_products.row_of(current) if current else -1
        c.open_form("interest")
        if row >= 0:
            self.interest_picked(row)
        else:
            self.show_interest_choice()
        c.interest.picker.search.setFocus()

    def _selected_sku(self) -> str | None:
        for panel in (self.view.cart, self.view.browsing):
            idx = panel.list.currentIndex()
            if idx.isValid():
                item = idx.data(Roles.Item)
                product = getattr(item, "product", None)
                if product is not None:
                    return str(product.sku)
        return None

    def interest_picked(self, row: int) -> None:
        model = self.screen.models.interest_products
        if not 0 <= row < model.rowCount():
            return
        self.interest_choice = model.row_at(row)
        self.view.composer.interest.picker.list.setCurrentIndex(model.index(row, 0))
        self.show_interest_choice()

    def show_interest_choice(self) -> None:
        """The interest form names the product it will save — the one picked."""
        form = self.view.composer.interest
        choice = self.interest_choice
        if choice is None:
            form.chosen.setText(translate("Customer", "Pick the product above."))
            form.chosen.setVisible(True)
        else:
            form.show_chosen(choice.title, choice.sku, fmt_money(choice.price_cents))

    # --- the sale form -------------------------------------------------------------------------

    def open_sale(self, max_qty: int) -> None:
        """The sale form, emptied: no line yet, the suggestions in the picker."""
        c = self.view.composer
        c.sale.max_qty = max_qty
        c.sale.picker.search.clear()
        self._choices_for = None
        self.ensure_choices()
        c.sale.text.clear()
        c.sale.clear_lines()
        c.sale.amount_edited = False
        c.open_form("sale")
        self.sale_lines_changed()
        c.sale.picker.search.setFocus()

    def _sale_picked(self, row: int) -> None:
        """A product picked (a suggestion, a search result): one more line of it."""
        model = self.screen.models.sale_products
        if not 0 <= row < model.rowCount():
            return
        choice = model.row_at(row)
        form = self.view.composer.sale
        line = form.add_line(
            SaleLineValue(choice.sku, choice.title, 1, choice.price_cents, choice.cart_item_id)
        )
        if form.picker.search.text():
            form.picker.search.clear()  # ready for the next search or scan
        line.qty.setFocus()
        line.qty.selectAll()

    def take_scan(self, text: str, otherwise: Callable[[str], object]) -> bool:
        """A scanner burst while the sale form is open: a product's sku adds its line; any
        other text goes on to ``otherwise`` (the scan controller: a member). False when the
        sale form is not open (the caller goes on itself)."""
        query = text.strip()
        if self.view.composer.form != "sale" or not query or query[:4].upper() == "MC1:":
            return False
        terminal = self.screen.terminal
        from clerk.shared.gtin import is_product_shape

        digits = "".join(query.split())
        if is_product_shape(digits):  # a product barcode: its line, never a member
            self._scan_barcode(digits)
            return True

        def found(products: list[Product]) -> None:
            hit = products[0] if products else None
            if (
                hit is not None
                and hit.sku.casefold() == query.casefold()
                and self.view.composer.form == "sale"
            ):
                self.view.composer.sale.add_line(
                    SaleLineValue(hit.sku, local(hit.title), 1, hit.price_cents)
                )
            else:
                otherwise(text)

        self.screen.runner.submit(
            lambda: terminal.products(query, 1), found, self.screen.refresh_failed
        )
        return True

    def _scan_barcode(self, digits: str) -> None:
        """An EAN-13 / UPC-A scanned into the open sale: its product's line; a wrong check
        digit or a barcode not in the catalogue is said, and nothing else happens."""
        from clerk.shared.gtin import is_valid

        bridge = self.screen.bridge
        if not is_valid(digits):
            bridge.warning(texts.reason_message("bad_barcode"), key="form")
            return
        terminal = self.screen.terminal

        def found(hit: Product | None) -> None:
            if self.view.composer.form != "sale":
                return
            if hit is None:
                bridge.info(
                    texts.fill(
                        translate("Customer", "Barcode %1 is not in this store's catalogue."),
                        digits,
                    ),
                    key="form",
                )
                return
            self.view.composer.sale.add_line(
                SaleLineValue(hit.sku, local(hit.title), 1, hit.price_cents)
            )

        self.screen.runner.submit(
            lambda: terminal.product_by_barcode(digits), found, self.screen.refresh_failed
        )

    def _coupon_discount(self, subtotal: int) -> tuple[int, list[str]]:
        """What the coupons redeemed here (pending sync) take off ``subtotal``, and their
        titles."""
        data = self.screen.data
        if data is None:
            return 0, []
        off = 0
        titles: list[str] = []
        for coupon in data.coupons:
            if not coupon.pending_redeem:
                continue
            value = coupon.value if coupon.rule != "percent_off" else subtotal * coupon.value // 100
            off += value
            titles.append(local(coupon.title))
        return min(off, subtotal), titles

    def sale_lines_changed(self) -> None:
        """The lines changed: the total follows them (less a coupon redeemed here) until the
        associate types a total of their own; the form says how it was computed."""
        sale = self.view.composer.sale
        subtotal = 0
        for line in sale.rows:
            price = line.price_cents()
            subtotal += (price or 0) * line.qty.value()
        discount, titles = self._coupon_discount(subtotal)
        computed = subtotal - discount
        if titles:
            sale.discount.setText(
                texts.fill(
                    translate("Customer", "Coupon redeemed here: %1, −%2"),
                    translate("Customer", ", ").join(titles),
                    fmt_money(discount),
                )
            )
        sale.discount.setVisible(bool(titles))
        if not sale.amount_edited:
            sale.amount.setText(cents_text(computed) if sale.rows else "")
        sale.computed.setText(
            texts.fill(translate("Customer", "Computed from the lines: %1"), fmt_money(computed))
            if sale.rows
            else ""
        )
        sale.computed.setVisible(bool(sale.rows))
