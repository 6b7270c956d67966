"""The customer screen's drafts (clerk/drafts.py): what was typed in a note, interest or sale
form and not saved is kept for that customer and staff member — on cancel, on the next
customer, on a lock — said when the customer comes back, restored when the form opens again;
"Discard draft" throws it away with an "Undo discard". A part of :class:`CustomerController`,
whose customer it serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui import texts
from ui.models.product_choices_model import Choice, SaleLineValue
from ui.qt import QObject, translate

if TYPE_CHECKING:
    from ui.controllers.customer_controller import CustomerController


class DraftsController(QObject):
    def __init__(self, screen: CustomerController) -> None:
        super().__init__(screen)
        self.screen = screen
        self.view = screen.view
        self.kept: dict[str, dict[str, Any]] = {}  # kept drafts of the customer on screen
        self._discarded: tuple[str, dict[str, Any]] | None = None  # for "Undo discard"
        screen.view.composer.discard_clicked.connect(self.discard_or_undo)

    def forget(self) -> None:
        """Another customer (or none): their drafts are theirs, read again for them."""
        self.kept = {}
        self._discarded = None

    def _member_key(self) -> str | None:
        """Whom a draft belongs to: the member, or the identity the hub will match."""
        screen = self.screen
        if screen.member_id:
            return screen.member_id
        if screen.member_ok and screen.identity is not None:
            return screen.identity.ref
        return None

    def _values(self) -> tuple[str, dict[str, Any]] | None:
        """The open form's values worth keeping (None: nothing typed)."""
        c = self.view.composer
        if c.form == "note":
            text = c.note.text.toPlainText()
            return ("note", {"text": text}) if text.strip() else None
        if c.form == "interest":
            choice, text = self.screen.products.interest_choice, c.interest.text.text()
            if choice is None and not text.strip():
                return None
            return (
                "interest",
                {
                    "sku": choice.sku if choice else None,
                    "title": choice.title if choice else "",
                    "price_cents": choice.price_cents if choice else 0,
                    "tried_on": c.interest.tried_on.isChecked(),
                    "text": text,
                },
            )
        if c.form == "sale":
            lines, text = c.sale.values(), c.sale.text.text()
            if not lines and not text.strip():
                return None
            return (
                "sale",
                {
                    "lines": [
                        [v.sku, v.title, v.qty, v.price_cents, v.cart_item_id] for v in lines
                    ],
                    "amount": c.sale.amount.text() if c.sale.amount_edited else None,
                    "text": text,
                },
            )
        return None

    def keep(self) -> bool:
        """Keep the open form's values for this customer and staff member (on the worker)."""
        screen = self.screen
        if screen.fixes.fixing is not None:
            return False  # a fix is not a draft: the record it fixes stays as it was
        key, got = self._member_key(), self._values()
        if key is None or got is None:
            return False
        form, values = got
        self.kept[form] = values
        terminal, staff = screen.terminal, screen.staff_id
        screen.runner.submit(
            lambda: terminal.save_draft(staff, key, form, values),
            lambda _done: None,
            screen.refresh_failed,
        )
        screen.bridge.info(
            translate("Customer", "Draft kept — it is back when you open the form again."),
            key="draft",
        )
        return True

    def load(self) -> None:
        """The drafts kept for the customer now on screen: said, not opened."""
        key = self._member_key()
        if key is None:
            return
        screen = self.screen
        terminal, staff = screen.terminal, screen.staff_id

        def loaded(found: dict[str, dict[str, Any]]) -> None:
            if key != self._member_key() or not found:
                return
            self.kept = dict(found)
            # Said, not opened: the focus stays where the associate (or a scan) has it; the
            # form comes back as typed when they open it.
            forms = translate("Customer", ", ").join(texts.term(texts.KINDS, f) for f in found)
            # in the page (no toast popping up while a scan may be under way)
            self.view.notice.show_text(
                texts.fill(translate("Customer", "Draft kept: %1 — open it to go on."), forms)
            )

        screen.runner.submit(lambda: terminal.drafts(staff, key), loaded, screen.refresh_failed)

    def restore_kept(self, form: str) -> None:
        """The form just opened holds its kept draft, if it has one."""
        if form in self.kept:
            self.restore(form, self.kept[form])

    def restore(self, form: str, values: dict[str, Any]) -> None:
        c = self.view.composer
        products = self.screen.products
        if form == "note":
            c.note.text.setPlainText(str(values.get("text") or ""))
        elif form == "interest":
            sku = values.get("sku")
            if isinstance(sku, str) and sku:
                products.interest_choice = Choice(
                    sku, str(values.get("title") or sku), int(values.get("price_cents") or 0), ""
                )
            (c.interest.tried_on if values.get("tried_on") else c.interest.asked_about).setChecked(
                True
            )
            c.interest.text.setText(str(values.get("text") or ""))
            products.show_interest_choice()
        elif form == "sale":
            lines = [
                SaleLineValue(str(v[0]), str(v[1]), int(v[2]), int(v[3]), v[4] or None)
                for v in values.get("lines") or []
                if isinstance(v, list) and len(v) == 5
            ]
            c.sale.set_lines(lines)
            amount = values.get("amount")
            if isinstance(amount, str):
                c.sale.amount.setText(amount)
                c.sale.amount_edited = True
                products.sale_lines_changed()
            c.sale.text.setText(str(values.get("text") or ""))
        c.show_draft(True)

    def drop(self, form: str) -> None:
        """The form's draft is done with (saved, or discarded)."""
        key = self._member_key()
        self.kept.pop(form, None)
        if key is None:
            return
        screen = self.screen
        terminal, staff = screen.terminal, screen.staff_id
        screen.runner.submit(
            lambda: terminal.discard_draft(staff, key, form),
            lambda _done: None,
            screen.refresh_failed,
        )

    def discard_or_undo(self) -> None:
        """ "Discard draft": the form is emptied and the draft deleted; the button then offers
        "Undo discard" (until the form closes), which brings both back."""
        c = self.view.composer
        forms = self.screen.forms
        form = c.form
        if c.undo_discard and self._discarded is not None:
            form, values = self._discarded
            self._discarded = None
            forms.open_form(form)
            self.restore(form, values)
            self.keep()
            return
        got = self._values()
        self._discarded = got if got is not None else (form, self.kept.get(form, {}))
        self.drop(form)
        forms.open_form(form)  # emptied
        self.kept.pop(form, None)
        c.show_draft(False, undo=True)
        self.screen.bridge.info(
            translate("Customer", "Draft discarded — Undo brings it back."), key="draft"
        )
