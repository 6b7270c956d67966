"""The customer screen's composer: opening a form (emptied, or holding its kept draft), and
saving it. A form becomes a typed payload of the interaction vocabulary
(``clerk.shared.interactions``: ``Sale.of(…)`` …), checked by the same rules the hub applies
before anything is saved — a refusal says under the form which field and what to fix, and
puts the focus there. The amount is read with the locale into whole fen
(``clerk.shared.money``). A part of :class:`CustomerController`, which records the payload."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui import texts
from ui.controllers.redeem_controller import points_over_text
from ui.qt import QDate, QLocale, QObject, translate

if TYPE_CHECKING:
    from clerk.shared.interactions import Payload
    from ui.controllers.customer_controller import CustomerController


TASK_DUE_HOUR = 18  # a follow-up is due at 18:00 on its day, local time (as `clerk task add`)


class ComposerController(QObject):
    def __init__(self, screen: CustomerController) -> None:
        super().__init__(screen)
        self.screen = screen
        self.view = screen.view
        screen.view.composer.save_clicked.connect(self.save)
        screen.view.composer.cancel_clicked.connect(self.cancel)
        screen.view.cases.list.activated.connect(self._case_activated)
        screen.view.cases.list.clicked.connect(self._case_activated)

    # --- opening --------------------------------------------------------------------------------

    def open_form(self, form: str) -> None:
        screen = self.screen
        screen.fixes.fixing = None
        c = self.view.composer
        c.save.setEnabled(True)
        name = (
            screen.data.profile.name
            if screen.data is not None
            else (screen.identity.label if screen.identity else "")
        )
        c.for_chip.setText(name)
        if form == "note":
            from clerk.shared.interactions import MAX_TEXT  # loaded with the first form

            c.note.set_limit(MAX_TEXT)
            c.note.text.clear()
            c.open_form("note")
            c.note.text.setFocus()
        elif form == "interest":
            screen.products.open_interest()
        elif form == "sale":
            from clerk.shared.interactions import MAX_QTY

            screen.products.open_sale(MAX_QTY)
        elif form == "consent":
            self._open_consent()
        elif form == "case_open":
            c.case_open.subject.clear()
            c.case_open.text.clear()
            c.case_open.type_buttons["repair"].setChecked(True)
            c.open_form("case_open")
            c.case_open.subject.setFocus()
        elif form == "task":
            p = screen.data.profile if screen.data is not None else None
            consented = bool(p and p.consent_marketing)
            c.task.consented = consented
            c.task.title.clear()
            c.task.due.setMinimumDate(QDate.currentDate())
            c.task.due.setDate(QDate.currentDate().addDays(1))
            c.task.outreach.setChecked(consented)
            c.task.outreach.setEnabled(consented)
            c.open_form("task")
            c.task.title.setFocus()
        elif form == "assign":
            c.assign.staff.setEnabled(False)  # until the roster is here
            c.open_form("assign")
            terminal = screen.terminal
            screen.runner.submit(terminal.roster, self._assign_roster, screen.record_failed)
        screen.drafts.restore_kept(form)
        self.view.scroll_to_composer()

    def _open_consent(self) -> None:
        """Ticked as the profile has it, the wording in force under each box."""
        data = self.screen.data
        c = self.view.composer
        p = data.profile if data is not None else None
        c.consent.marketing.setChecked(bool(p and p.consent_marketing))
        c.consent.browsing.setChecked(bool(p and p.consent_browsing))
        wording = {t.purpose: t for t in (data.consent_texts if data else ())}
        for purpose, shown in (
            ("marketing", c.consent.marketing_wording),
            ("browsing", c.consent.browsing_wording),
        ):
            found = wording.get(purpose)
            shown.setText(texts.consent_wording(found) if found is not None else "")
            shown.setVisible(found is not None)
        c.open_form("consent")
        c.consent.marketing.setFocus()

    def _case_activated(self, index: Any) -> None:
        """A click (or Enter) on an open case: a note on it, or close it."""
        screen = self.screen
        if not index.isValid() or screen.identity is None or not screen.member_ok:
            return
        case = screen.models.cases.row_at(index.row())
        c = self.view.composer
        c.save.setEnabled(True)
        c.for_chip.setText(screen.data.profile.name if screen.data is not None else "")
        c.case_update.case_id = case.id
        c.case_update.case.setText(texts.case_title(case))
        c.case_update.text.clear()
        c.case_update.close_case.setChecked(False)
        c.open_form("case_update")
        c.case_update.text.setFocus()
        self.view.scroll_to_composer()

    def _assign_roster(self, roster: list[Any]) -> None:
        c = self.view.composer
        c.assign.set_roster([(m.id, f"{m.name} ({m.id})") for m in roster])
        c.assign.staff.setEnabled(True)
        c.assign.staff.setFocus()

    # --- closing --------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Esc, Cancel, the close button: the form closes; what was typed is kept."""
        self.screen.drafts.keep()
        self.screen.fixes.fixing = None
        self.view.composer.close_form()
        self.screen.redeem.coupon = None

    def escape(self) -> bool:
        """Esc: close an open form first. True if it did."""
        if self.view.composer.form:
            self.cancel()
            return True
        return False

    # --- saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        # the vocabulary (pydantic) is loaded with the first record, not at the app's start
        from clerk.shared.interactions import InvalidInteraction

        screen = self.screen
        c = self.view.composer
        form = c.form
        if not form:
            return
        try:
            payload = self._payload(form)
        except InvalidInteraction as exc:
            self._refuse(exc.field, exc.reason)
            return
        if payload is None:
            return  # nothing to save; the associate was told why
        if screen.fixes.fixing is not None:
            screen.fixes.save(payload)
            return
        screen.record(payload.kind, payload)
        screen.drafts.drop(form)
        c.close_form()
        screen.redeem.coupon = None

    def _payload(self, form: str) -> Payload | None:
        """The typed payload of the open form (InvalidInteraction when the vocabulary refuses
        it), or None when there is nothing to save yet (and the associate was told)."""
        from clerk.shared.interactions import (
            CaseClose,
            CaseNote,
            CaseOpen,
            Interest,
            Note,
            PointsRedeem,
            Redeem,
        )

        screen = self.screen
        c = self.view.composer
        if form == "note":
            text = c.note.text.toPlainText().strip()
            if not text:
                self._refuse("text", "empty")
                return None
            return Note.of(text)
        if form == "interest":
            choice = screen.products.interest_choice
            if choice is None:
                self._refuse("sku", "missing")
                return None
            action = "tried_on" if c.interest.tried_on.isChecked() else "asked_about"
            return Interest.of(choice.sku, action, c.interest.text.text().strip() or None)
        if form == "redeem":
            coupon = screen.redeem.confirmed_coupon()
            return Redeem.of(coupon.id) if coupon is not None else None
        if form == "points_redeem":
            panel = screen.redeem.points()
            if panel is None:
                return None
            points = c.points.value()
            if points is None:
                self._refuse("points", "missing")
                return None
            typed = PointsRedeem.of(points, c.points.text.text().strip() or None)
            if typed.points > panel.available:  # the terminal checks it again when it writes
                self._refuse("points", "points_over_balance", panel.available)
                return None
            return typed
        if form == "sale":
            return self._sale_payload()
        if form == "consent":
            return self._consent_payload()
        if form == "case_open":
            subject = c.case_open.subject.text().strip()
            if not subject:
                self._refuse("subject", "empty")
                return None
            return CaseOpen.of(
                c.case_open.case_type(), subject, text=c.case_open.text.text().strip() or None
            )
        if form == "case_update":
            u = c.case_update
            text = u.text.toPlainText().strip()
            if u.close_case.isChecked():
                return CaseClose.of(u.case_id, text or None)
            if not text:
                self._refuse("text", "empty")
                return None
            return CaseNote.of(u.case_id, text)
        if form == "task":
            return self._task_payload()
        if form == "assign":
            from clerk.shared.interactions import Assign

            if not screen.may_assign():
                screen.bridge.warning(self.view.manager_only_reason(), key="form")
                return None
            picked = c.assign.staff.currentData()
            return Assign.of(str(picked) if picked else None)
        return None

    def _sale_payload(self) -> Payload | None:
        from clerk.shared.interactions import Sale
        from clerk.shared.money import AmountError, parse_cents

        sale = self.view.composer.sale
        amount_text = sale.amount.text().strip()
        locale = QLocale()
        try:
            amount = parse_cents(
                amount_text,
                decimal_point=locale.decimalPoint(),
                group_separator=locale.groupSeparator(),
            )
        except AmountError as exc:
            self._refuse("amount_cents", "missing" if not amount_text else exc.reason)
            return None
        values = sale.values()
        for i, line in enumerate(sale.rows):
            if line.price_cents() is None:
                self._refuse(f"items.{i}.price_cents", "out_of_range")
                line.price.setFocus()
                return None
        # The hub takes each line with its price, and the online-cart lines it settles.
        skus = {v.sku for v in values}
        data = self.screen.data
        cart_ids = [line.id for line in (data.cart if data else ()) if line.product.sku in skus]
        return Sale.of(
            [(v.sku, v.qty, v.price_cents) for v in values],
            amount,
            cart_ids,
            sale.text.text().strip() or None,
        )

    def _consent_payload(self) -> Payload | None:
        from clerk.shared.interactions import Consent

        data = self.screen.data
        consent = self.view.composer.consent
        p = data.profile if data is not None else None
        marketing: bool | None = consent.marketing.isChecked()
        browsing: bool | None = consent.browsing.isChecked()
        if p is not None:  # only what changed
            marketing = None if marketing == p.consent_marketing else marketing
            browsing = None if browsing == p.consent_browsing else browsing
        if marketing is None and browsing is None:
            self._refuse("marketing", "no_change")
            return None
        return Consent.of(marketing=marketing, browsing=browsing)

    def _task_payload(self) -> Payload | None:
        from clerk.shared.interactions import Task

        task = self.view.composer.task
        title = task.title.text().strip()
        if not title:
            self._refuse("title", "missing")
            return None
        due = task.due.date().startOfDay().addSecs(TASK_DUE_HOUR * 3600)
        # For the associate who makes it; only with consent does it contact the customer.
        outreach = task.outreach.isChecked() and task.consented
        return Task.of(title, int(due.toSecsSinceEpoch()), self.screen.staff_id, outreach)

    def _refuse(self, field: str | None, problem: str, available: int | None = None) -> None:
        """The vocabulary refused the form: say under the form which field and what to fix
        ("Note: the text is too long — at most 4,000 characters."), mark the field and put
        the focus there. Nothing is saved."""
        c = self.view.composer
        root = (field or "").split(".", 1)[0]
        widgets: dict[tuple[str, str], Any] = {
            ("note", "text"): c.note.text,
            ("interest", "text"): c.interest.text,
            ("sale", "text"): c.sale.text,
            ("sale", "amount_cents"): c.sale.amount,
            ("sale", "items"): c.sale.picker.search,
            ("interest", "sku"): c.interest.picker.search,
            ("case_open", "subject"): c.case_open.subject,
            ("case_open", "text"): c.case_open.text,
            ("case_update", "text"): c.case_update.text,
            ("task", "title"): c.task.title,
            ("points_redeem", "points"): c.points.points,
            ("points_redeem", "text"): c.points.text,
        }
        message = (
            points_over_text(available)
            if problem == "points_over_balance" and available is not None
            else texts.record_problem(field, problem)
        )
        name = texts.form_field_name(c.form or "", root)
        if name:
            message = texts.fill(translate("Customer", "%1: %2"), name, message)
        widget = widgets.get((c.form or "", root))
        c.show_problem(message, widget)
        self.screen.bridge.info(message, key="form")
        if widget is not None:
            widget.setFocus()
