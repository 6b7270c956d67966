"""The customer screen: showing a 360 view, the inline composer, and recording.

A form becomes a typed payload of the interaction vocabulary (``clerk.shared.interactions``:
``Sale.of(…)`` …), checked by the same rules the hub applies before anything is saved — a
refusal points at the field to fix. The amount is read with the locale into whole fen
(``clerk.shared.money``). Every record goes through ``TerminalPort.record`` on the terminal
runner; the GUI thread only collects the form and shows "saved · will sync" (turned into
"saved · synced" if the record settles while that toast is still up). When the sync
worker reports, the 360 is re-read and each record this session made shows its new state
(synced, conflict …). A language switch re-renders what is shown (the 360 carries its texts in
both languages).

Over 700 lines, on purpose for now: the customer screen's one controller (the 360, the
composer's six forms, drafts and the unknown-customer prompt share its state); the seam for
a split is the sale form's lines and picker into a controller of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError, RecordError
from clerk.model import Coupon, CustomerView, Identity, PointsPanel, Product
from ui import texts
from ui.i18n import fmt_money, fmt_number, local
from ui.messages import MessageBridge
from ui.models.customer_models import CustomerModels
from ui.models.product_choices_model import Choice, SaleLineValue, cents_text
from ui.models.rows_model import Roles
from ui.qt import QT_TRANSLATE_NOOP, QDate, QLocale, QObject, Signal, translate
from ui.views.composer_view import FIXABLE_KINDS
from ui.views.customer_view import MEMBER_ACTIONS, Customer360View
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.outbox import Recorded, Settled
    from clerk.ports import Opened, TerminalPort
    from clerk.shared.interactions import Payload
    from clerk.staff import Session

log = logging.getLogger(__name__)

RECORDED_TEXT = {
    "note": QT_TRANSLATE_NOOP("Customer", "Note saved · will sync"),
    "interest": QT_TRANSLATE_NOOP("Customer", "Interest saved · will sync"),
    "redeem": QT_TRANSLATE_NOOP("Customer", "Coupon redeemed · will sync"),
    "sale": QT_TRANSLATE_NOOP("Customer", "Sale saved · will sync"),
    "points_redeem": QT_TRANSLATE_NOOP("Customer", "Points redeemed · will sync"),
    "consent": QT_TRANSLATE_NOOP("Customer", "Consent saved · will sync"),
    "case_open": QT_TRANSLATE_NOOP("Customer", "Case opened · will sync"),
    "case_note": QT_TRANSLATE_NOOP("Customer", "Case note saved · will sync"),
    "case_close": QT_TRANSLATE_NOOP("Customer", "Case closed · will sync"),
    "task": QT_TRANSLATE_NOOP("Customer", "Follow-up saved · will sync"),
    "task_update": QT_TRANSLATE_NOOP("Customer", "Follow-up updated · will sync"),
    "assign": QT_TRANSLATE_NOOP("Customer", "Client assigned · will sync"),
    "contacted": QT_TRANSLATE_NOOP("Customer", "Contact recorded · will sync"),
    "visit": QT_TRANSLATE_NOOP("Customer", "Saved · will sync"),
}


SETTLED_TEXT = {
    "note": QT_TRANSLATE_NOOP("Customer", "Note saved · synced"),
    "interest": QT_TRANSLATE_NOOP("Customer", "Interest saved · synced"),
    "redeem": QT_TRANSLATE_NOOP("Customer", "Coupon redeemed · synced"),
    "sale": QT_TRANSLATE_NOOP("Customer", "Sale saved · synced"),
    "consent": QT_TRANSLATE_NOOP("Customer", "Consent saved · synced"),
    "visit": QT_TRANSLATE_NOOP("Customer", "Saved · synced"),
}


TASK_DUE_HOUR = 18  # a follow-up is due at 18:00 on its day, local time (as `clerk task add`)

MINE_KEPT = 1000  # records of this session whose settling the associate is told about


FIXABLE_STATES = ("rejected", "attention")  # the hub did not take them: a person decides


class CustomerController(QObject):
    shown = Signal()
    recorded = Signal(object)  # clerk.outbox.Recorded
    next_customer = Signal()
    fixed = Signal(str, str)  # the record fixed, its corrected copy
    withdrawn = Signal(str)  # a record taken back

    def __init__(
        self,
        terminal: TerminalPort,
        view: Customer360View,
        models: CustomerModels,
        runner: TaskRunner,
        bridge: MessageBridge,
        *,
        staff_id: str | None = None,
        may_assign: Callable[[], bool] = lambda: False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.may_assign = may_assign  # a manager's session: the client book's assign
        self.terminal = terminal
        self.view = view
        self.models = models
        self.runner = runner
        self.bridge = bridge
        self.staff_id = staff_id
        self.data: CustomerView | None = None  # the 360 on screen
        self.identity: Identity | None = None
        self.member_id: str | None = None
        self.redeem_coupon: Coupon | None = None
        # interaction id → last state seen, this session's newest MINE_KEPT (a day of scans
        # without a lock must not grow it for good: bench/all_day.py)
        self._mine: dict[str, str] = {}
        self._refresh_again = False
        self._toasted: str | None = None  # the record the last "saved" toast is about
        self._refreshing = False
        self._choices_for: CustomerView | None = None
        view.action_triggered.connect(self.action)
        view.composer.save_clicked.connect(self.save)
        view.composer.cancel_clicked.connect(self.cancel)
        # The coupon confirmed is always the coupon selected: a click (or Enter) on a row
        # opens its confirmation, and any move of the selection (mouse, keyboard) follows.
        view.coupons.list.activated.connect(self._coupon_activated)
        view.coupons.list.clicked.connect(self._coupon_clicked)
        coupon_selection = view.coupons.list.selectionModel()
        assert coupon_selection is not None
        coupon_selection.currentChanged.connect(self._coupon_current_changed)
        view.cases.list.activated.connect(self._case_activated)
        view.cases.list.clicked.connect(self._case_activated)
        view.unknown.walk_in.connect(self.walk_in)
        view.unknown.member.connect(self.record_for_the_hub)
        view.unknown.other.connect(self.next_customer)
        self._member_ok = False  # a member (or an identity the hub will match) is on screen
        c = view.composer
        c.interest.picker.picked.connect(self._interest_picked)
        c.interest.picker.search_changed.connect(lambda q: self._search("interest", q))
        c.sale.picker.picked.connect(self._sale_picked)
        c.sale.picker.search_changed.connect(lambda q: self._search("sale", q))
        c.sale.lines_changed.connect(self._sale_lines_changed)
        c.sale.amount.textEdited.connect(lambda _t: self._sale_lines_changed())
        c.points.points.textChanged.connect(lambda _t: self._show_points_question())
        self._suggestions: list[Choice] = []
        self._interest_choice: Choice | None = None
        self._drafts: dict[str, dict[str, Any]] = {}  # kept drafts of the customer on screen
        self._discarded: tuple[str, dict[str, Any]] | None = None  # for "Undo discard"
        c.discard_clicked.connect(self.discard_or_undo)
        # The open form fixes this record (rejected or parked), for this manager's session
        # (None: the associate's own record)
        self._fixing: tuple[str, Session | None] | None = None
        c.withdraw_clicked.connect(self.withdraw_fixing)
        view.visits.list.activated.connect(self.history_activated)
        view.visits.list.clicked.connect(self.history_activated)

    # --- showing -------------------------------------------------------------------------

    def show(self, opened: Opened) -> None:
        """Show what ``open_customer`` returned (a cached 360, or only the identity)."""
        self.keep_draft()  # what was typed for the previous customer stays theirs
        self.view.composer.close_form()
        self._fixing = None
        self._drafts = {}
        self._discarded = None
        self.identity = opened.identity
        self.member_id = opened.member_id
        self._member_ok = opened.member_id is not None
        unknown = opened.member_id is None and opened.reason in ("not_cached", "unknown_member")
        if unknown:
            linkable = opened.identity.kind in ("card", "phone")  # ui/controllers/link_controller
            self.view.unknown.ask(opened.reason or "not_cached", linkable)
        else:
            self.view.unknown.hide()
        if opened.visit is not None:
            self._remember(opened.visit.id, opened.visit.state)
        if opened.view is not None:
            self._set_view(opened.view)
        else:
            self.data = None
            for model in (
                self.models.talking,
                self.models.cart,
                self.models.coupons,
                self.models.browsing,
                self.models.visits,
            ):
                model.clear()
            self.view.header.show_identity(opened.identity, opened.reason)
            if unknown:  # the prompt says it, with what to do
                self.view.notice.hide()
            else:
                self.view.notice.show_text(texts.reason_message(opened.reason or "not_cached"))
            self._choices_for = None
            self._enable_actions()
        self._load_drafts()
        self.shown.emit()

    def _set_view(self, view: CustomerView) -> None:
        self.data = view
        self.view.expect_paint()
        self.view.header.show_view(view)
        self.view.notice.hide()
        m = self.models
        m.talking.set_view(view)
        m.cart.set_view(view)
        m.coupons.set_view(view)
        m.browsing.set_view(view)
        m.visits.set_view(view)
        m.cases.set_view(view)
        self.view.show_cases(bool(view.cases))
        m.orders.set_view(view)
        m.wishlist.set_view(view)
        self._choices_for = None  # product pickers are filled when a form needs them
        self._enable_actions()
        self._report_changes(view)

    def _enable_actions(self) -> None:
        """Member-only actions need someone a record can be about (disabled with the reason
        for a walk-in); redeem needs a usable coupon. Interest and sale take any product of
        the catalogue, online history or not."""
        ok = self._member_ok
        self.view.set_member_actions(ok)
        if not ok:
            return
        for name in MEMBER_ACTIONS:
            self.view.buttons[name].setEnabled(True)
        self.view.set_may_assign(self.may_assign())
        redeemable = self.models.coupons.first_redeemable() >= 0
        self.view.buttons["redeem"].setEnabled(redeemable)
        # points: a member whose balance this terminal holds (not an identity the hub matches)
        self.view.buttons["points_redeem"].setEnabled(self._points() is not None)

    def _ensure_choices(self) -> None:
        if self._choices_for is not self.data or self.data is None:
            self._fill_choices(self.data)
            self._choices_for = self.data

    def _fill_choices(self, view: CustomerView | None) -> None:
        """The suggestions of the product pickers: the online cart's products, then what
        was browsed (nothing picked: the associate picks)."""
        choices: list[Choice] = []
        seen: set[str] = set()
        if view is not None:
            for line in view.cart:
                if line.product.sku in seen:
                    continue
                seen.add(line.product.sku)
                choices.append(
                    Choice(
                        line.product.sku,
                        local(line.product.title),
                        line.price_cents,
                        line.product.image or "",
                        line.qty,
                        "cart",
                        line.id,
                    )
                )
            for b in view.browsing:
                if b.product.sku in seen:
                    continue
                seen.add(b.product.sku)
                choices.append(
                    Choice(
                        b.product.sku,
                        local(b.product.title),
                        b.product.price_cents,
                        b.product.image or "",
                        source="browsed",
                    )
                )
        self._suggestions = choices[:12]
        c = self.view.composer
        for form, model in (
            (c.interest, self.models.interest_products),
            (c.sale, self.models.sale_products),
        ):
            if not form.picker.search.text().strip():
                model.set_choices(self._suggestions)

    def _search(self, form: str, query: str) -> None:
        """The picker's search changed: the catalogue's matches (on the worker), or the
        suggestions again when it is emptied."""
        model = self.models.interest_products if form == "interest" else self.models.sale_products
        if not query.strip():
            model.set_choices(self._suggestions)
            return
        terminal = self.terminal

        def found(products: list[Product]) -> None:
            picker = getattr(self.view.composer, form).picker
            if picker.search.text() != query:
                return  # typed on since
            model.set_choices(
                [Choice(p.sku, local(p.title), p.price_cents, p.image or "") for p in products]
            )

        self.runner.submit(lambda: terminal.products(query, 20), found, self._refresh_failed)

    def clear(self) -> None:
        self.keep_draft()
        self.data = None
        self.identity = None
        self.member_id = None
        self.view.composer.close_form()

    def forget(self) -> None:
        """Forget the customer entirely (the terminal locked): nothing of them stays in a
        model or a widget, and results still on their way are dropped (no member id)."""
        self.clear()
        self.redeem_coupon = None
        self._member_ok = False
        self._drafts = {}
        self._discarded = None
        self._mine.clear()
        self._choices_for = None
        m = self.models
        for model in (
            m.talking,
            m.cart,
            m.coupons,
            m.browsing,
            m.visits,
            m.cases,
            m.orders,
            m.wishlist,
        ):
            model.clear()
        m.interest_products.set_choices([])
        m.sale_products.set_choices([])
        self._suggestions = []
        self._interest_choice = None
        self.view.composer.sale.clear_lines()
        self.view.clear()

    # --- refresh after records and syncs -------------------------------------------------------

    def refresh(self) -> None:
        if self.member_id is None:
            return
        if self._refreshing:  # asked while a read is under way: read again after it
            self._refresh_again = True
            return
        self._read(self.member_id)

    def _read(self, member_id: str) -> None:
        self._refreshing = True
        self._refresh_again = False
        self.runner.submit(
            lambda: self.terminal.view(member_id),
            lambda view: self._refreshed(member_id, view),
            self._refresh_failed,
        )

    def _refreshed(self, member_id: str, view: CustomerView | None) -> None:
        self._refreshing = False
        if self._refresh_again and self.member_id is not None:  # this read is stale: again
            self._read(self.member_id)
        if view is None or member_id != self.member_id:
            return
        form = self.view.composer.form
        keep = bool(form) and form != "redeem"  # a typed form stays as typed
        self._set_view_keep_form(view, keep)

    def _set_view_keep_form(self, view: CustomerView, keep_form: bool) -> None:
        if keep_form:
            # Re-read under an open form: update the panels, leave the form as typed.
            self.data = view
            self.view.expect_paint()
            self.view.header.show_view(view)
            for model in (
                self.models.talking,
                self.models.cart,
                self.models.coupons,
                self.models.browsing,
                self.models.visits,
                self.models.cases,
                self.models.orders,
                self.models.wishlist,
            ):
                model.set_view(view)
            self.view.show_cases(bool(view.cases))
            self._enable_actions()
            self._report_changes(view)
            if self.view.composer.form == "points_redeem":  # the balance may have moved
                self._show_points_balance()
        else:
            self.view.composer.close_form()
            self._set_view(view)

    def _refresh_failed(self, exc: BaseException) -> None:
        self._refreshing = False
        self._refresh_again = False
        if isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key="refresh")
        else:
            raise exc

    def _remember(self, iid: str, state: str) -> None:
        """A record of this session, to tell the associate when it settles badly (or well)."""
        self._mine[iid] = state
        if len(self._mine) > MINE_KEPT:
            del self._mine[next(iter(self._mine))]  # the oldest

    def _report_changes(self, view: CustomerView) -> None:
        """Tell the associate when a record of this session settled badly (or well)."""
        for entry in view.visits:
            old = self._mine.get(entry.id)
            if old is None or entry.sync_state is None or entry.sync_state == old:
                continue
            self._mine[entry.id] = entry.sync_state
            if entry.sync_state == "acked" and entry.id == self._toasted:
                # The "· will sync" toast still up no longer says what is true.
                source = SETTLED_TEXT.get(entry.kind, SETTLED_TEXT["visit"])
                self.bridge.update(translate("Customer", source), key="recorded")
            kind = texts.term(texts.KINDS, entry.kind)
            reason = texts.hub_reason(entry.sync_reason) if entry.sync_reason else None
            if entry.sync_state == "conflict":
                msg = texts.fill(
                    translate("Customer", "%1: conflict — %2"),
                    kind,
                    reason or translate("Customer", "the hub flagged it for a manager"),
                )
                self.bridge.warning(msg, key=f"sync:{entry.id}")
            elif entry.sync_state == "rejected":
                msg = texts.fill(
                    translate("Customer", "%1: rejected by the hub — %2"),
                    kind,
                    reason or translate("Customer", "ask a store manager"),
                )
                self.bridge.error(msg, key=f"sync:{entry.id}")

    # --- actions -------------------------------------------------------------------------

    def action(self, name: str) -> None:
        if name == "next":
            self.next_customer.emit()
            return
        if self.identity is None:
            return
        if not self._member_ok:  # a shortcut on a walk-in: say why not
            self.bridge.info(self.view.member_only_reason(), key="form")
            return
        if name == "redeem":
            self.open_redeem()
            return
        if name == "points_redeem":
            self.open_points()
            return
        if name == "assign" and not self.may_assign():  # a shortcut: say why not
            self.bridge.warning(self.view.manager_only_reason(), key="form")
            return
        self.open_form("case_open" if name == "case" else name)

    def open_form(self, form: str) -> None:
        self._fixing = None
        c = self.view.composer
        c.save.setEnabled(True)
        name = (
            self.data.profile.name
            if self.data is not None
            else (self.identity.label if self.identity else "")
        )
        c.for_chip.setText(name)
        if form == "note":
            from clerk.shared.interactions import MAX_TEXT  # loaded with the first form

            c.note.set_limit(MAX_TEXT)
            c.note.text.clear()
            c.open_form("note")
            c.note.text.setFocus()
        elif form == "interest":
            c.interest.picker.search.clear()
            self._choices_for = None
            self._ensure_choices()
            c.interest.text.clear()
            c.interest.asked_about.setChecked(True)
            self._interest_choice = None
            current = self._selected_sku()  # a product the associate selected in a panel
            row = self.models.interest_products.row_of(current) if current else -1
            c.open_form("interest")
            if row >= 0:
                self._interest_picked(row)
            else:
                self._show_interest_choice()
            c.interest.picker.search.setFocus()
        elif form == "sale":
            from clerk.shared.interactions import MAX_QTY

            c.sale.max_qty = MAX_QTY
            c.sale.picker.search.clear()
            self._choices_for = None
            self._ensure_choices()
            c.sale.text.clear()
            c.sale.clear_lines()
            c.sale.amount_edited = False
            c.open_form("sale")
            self._sale_lines_changed()
            c.sale.picker.search.setFocus()
        elif form == "consent":
            p = self.data.profile if self.data is not None else None
            c.consent.marketing.setChecked(bool(p and p.consent_marketing))
            c.consent.browsing.setChecked(bool(p and p.consent_browsing))
            wording = {t.purpose: t for t in (self.data.consent_texts if self.data else ())}
            for purpose, shown in (
                ("marketing", c.consent.marketing_wording),
                ("browsing", c.consent.browsing_wording),
            ):
                found = wording.get(purpose)
                shown.setText(texts.consent_wording(found) if found is not None else "")
                shown.setVisible(found is not None)
            c.open_form("consent")
            c.consent.marketing.setFocus()
        elif form == "case_open":
            c.case_open.subject.clear()
            c.case_open.text.clear()
            c.case_open.type_buttons["repair"].setChecked(True)
            c.open_form("case_open")
            c.case_open.subject.setFocus()
        elif form == "task":
            p = self.data.profile if self.data is not None else None
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
            terminal = self.terminal
            self.runner.submit(terminal.roster, self._assign_roster, self._record_failed)
        if form in self._drafts:
            self._restore(form, self._drafts[form])
        self.view.scroll_to_composer()

    def _case_activated(self, index: Any) -> None:
        """A click (or Enter) on an open case: a note on it, or close it."""
        if not index.isValid() or self.identity is None or not self._member_ok:
            return
        case = self.models.cases.row_at(index.row())
        c = self.view.composer
        c.save.setEnabled(True)
        c.for_chip.setText(self.data.profile.name if self.data is not None else "")
        c.case_update.case_id = case.id
        c.case_update.case.setText(texts.case_title(case))
        c.case_update.text.clear()
        c.case_update.close_case.setChecked(False)
        c.open_form("case_update")
        c.case_update.text.setFocus()
        self.view.scroll_to_composer()

    # --- someone no member matches ----------------------------------------------------------

    def walk_in(self) -> None:
        """Serve them as a walk-in: a visit naming no one (the hub accepts it, the dashboard
        counts it as a walk-in)."""
        terminal, staff, who = self.terminal, self.staff_id, self.identity
        self.runner.submit(
            lambda: terminal.record_walk_in(staff),
            lambda rec: self._walked_in(rec) if self.identity is who else None,
            self._record_failed,
        )

    def _walked_in(self, rec: Recorded) -> None:
        self._mine[rec.id] = rec.state
        self.view.unknown.settle("walk_in")
        self.bridge.success(
            translate("Customer", "Walk-in visit saved · will sync"), key="recorded"
        )
        self.recorded.emit(rec)

    def record_for_the_hub(self) -> None:
        """Offline, the associate says the customer is a member: the visit is recorded against
        the scanned identity for the hub to match, and records about them are enabled."""
        identity, terminal, staff = self.identity, self.terminal, self.staff_id
        if identity is None:
            return
        self.runner.submit(
            lambda: terminal.record_unmatched_visit(identity, staff),
            lambda rec: self._matched(rec) if self.identity is identity else None,
            self._record_failed,
        )

    def _matched(self, rec: Recorded | None) -> None:
        if rec is not None:
            self._mine[rec.id] = rec.state
            self.recorded.emit(rec)
        self._member_ok = True
        self.view.unknown.settle("member")
        self._enable_actions()
        self.bridge.success(translate("Customer", "Saved · will sync"), key="recorded")

    def open_redeem(self, coupon_id: str | None = None) -> bool:
        """Show the inline confirmation for a coupon (the selected one, else the first usable)."""
        coupons = self.models.coupons
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
            self.bridge.info(
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
        coupons = self.models.coupons
        coupon = coupons.row_at(row)
        usable = coupons.redeemable(coupon)
        self.redeem_coupon = coupon if usable else None
        now = self.data.as_of if self.data is not None else 0
        member = self.data.profile.name if self.data else ""
        form = self.view.composer.redeem
        form.offer.setText(texts.offer(coupon.rule, coupon.value))
        form.title.setText(local(coupon.title))
        form.rule.setText(texts.coupon_rule_text(coupon))
        form.validity.setText(texts.coupon_validity(coupon, now))
        applies = [
            line for line in (self.data.cart if self.data else ()) if line.coupon_id == coupon.id
        ]
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

    # --- points redeemed at the counter (clerk/points.py) -----------------------------------

    def _points(self) -> PointsPanel | None:
        """The points of the member on screen, when this terminal holds their balance."""
        if self.member_id is None or self.data is None:
            return None
        return self.data.points

    def open_points(self) -> bool:
        """The points form: the balance that may be redeemed here, the points, a note."""
        if self._points() is None:
            self.bridge.info(
                translate("Customer", "This terminal holds no points balance for this customer."),
                key="redeem",
            )
            return False
        from clerk.shared.interactions import MAX_POINTS  # loaded with the first form

        c = self.view.composer
        c.save.setEnabled(True)
        c.for_chip.setText(self.data.profile.name if self.data is not None else "")
        c.points.set_limit(MAX_POINTS)
        c.points.points.clear()
        c.points.text.clear()
        c.open_form("points_redeem")
        self._show_points_balance()
        c.points.points.setFocus()
        self.view.scroll_to_composer()
        return True

    def _show_points_balance(self) -> None:
        panel = self._points()
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
        panel = self._points()
        form = self.view.composer.points
        points = form.value()
        if panel is None or self.data is None or not points:
            form.question.setText("")
            form.question.setVisible(False)
            return
        if points > panel.available:
            text = self._points_over_text(panel.available)
        else:
            text = texts.fill(
                translate(
                    "Customer",
                    "Redeem %1 points for %2 now? Balance after: %3. Enter confirms, Esc cancels.",
                ),
                fmt_number(points),
                self.data.profile.name,
                fmt_number(panel.available - points),
            )
        form.question.setText(text)
        form.question.setVisible(True)

    @staticmethod
    def _points_over_text(available: int) -> str:
        return texts.fill(
            translate("Customer", "More than the balance: %1 points may be redeemed here."),
            fmt_number(available),
        )

    def _coupon_activated(self, index: Any) -> None:
        coupon = index.data(Roles.Item)
        if coupon is not None and self.models.coupons.redeemable(coupon):
            self.open_redeem(coupon.id)

    def _coupon_clicked(self, index: Any) -> None:
        """A single click shows the coupon's confirmation; the focus stays in the list (the
        arrow keys go on moving the selection, and the confirmation with it)."""
        coupon = index.data(Roles.Item)
        if coupon is not None and self.models.coupons.redeemable(coupon):
            self._show_redeem(index.row())
            self.view.scroll_to_composer()

    def _coupon_current_changed(self, current: Any, _previous: Any = None) -> None:
        """The selection moved (mouse or keyboard) while a coupon is being confirmed: the
        confirmation follows it."""
        if self.view.composer.form == "redeem" and current.isValid():
            self._show_redeem(current.row())

    def _selected_sku(self) -> str | None:
        for panel in (self.view.cart, self.view.browsing):
            idx = panel.list.currentIndex()
            if idx.isValid():
                item = idx.data(Roles.Item)
                product = getattr(item, "product", None)
                if product is not None:
                    return str(product.sku)
        return None

    def _interest_picked(self, row: int) -> None:
        model = self.models.interest_products
        if not 0 <= row < model.rowCount():
            return
        self._interest_choice = model.row_at(row)
        self.view.composer.interest.picker.list.setCurrentIndex(model.index(row, 0))
        self._show_interest_choice()

    def _show_interest_choice(self) -> None:
        """The interest form names the product it will save — the one picked."""
        form = self.view.composer.interest
        choice = self._interest_choice
        if choice is None:
            form.chosen.setText(translate("Customer", "Pick the product above."))
            form.chosen.setVisible(True)
        else:
            form.show_chosen(choice.title, choice.sku, fmt_money(choice.price_cents))

    def _sale_picked(self, row: int) -> None:
        """A product picked (a suggestion, a search result): one more line of it."""
        model = self.models.sale_products
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
        terminal = self.terminal
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

        self.runner.submit(lambda: terminal.products(query, 1), found, self._refresh_failed)
        return True

    def _scan_barcode(self, digits: str) -> None:
        """An EAN-13 / UPC-A scanned into the open sale: its product's line; a wrong check
        digit or a barcode not in the catalogue is said, and nothing else happens."""
        from clerk.shared.gtin import is_valid

        if not is_valid(digits):
            self.bridge.warning(texts.reason_message("bad_barcode"), key="form")
            return
        terminal = self.terminal

        def found(hit: Product | None) -> None:
            if self.view.composer.form != "sale":
                return
            if hit is None:
                self.bridge.info(
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

        self.runner.submit(lambda: terminal.product_by_barcode(digits), found, self._refresh_failed)

    def _coupon_discount(self, subtotal: int) -> tuple[int, list[str]]:
        """What the coupons redeemed here (pending sync) take off ``subtotal``, and their
        titles."""
        if self.data is None:
            return 0, []
        off = 0
        titles: list[str] = []
        for coupon in self.data.coupons:
            if not coupon.pending_redeem:
                continue
            value = coupon.value if coupon.rule != "percent_off" else subtotal * coupon.value // 100
            off += value
            titles.append(local(coupon.title))
        return min(off, subtotal), titles

    def _sale_lines_changed(self) -> None:
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

    def cancel(self) -> None:
        """Esc, Cancel, the close button: the form closes; what was typed is kept."""
        self.keep_draft()
        self._fixing = None
        self.view.composer.close_form()
        self.redeem_coupon = None

    def escape(self) -> bool:
        """Esc: close an open form first. True if it did."""
        if self.view.composer.form:
            self.cancel()
            return True
        return False

    # --- drafts (clerk/drafts.py) ----------------------------------------------------------

    def _member_key(self) -> str | None:
        """Whom a draft belongs to: the member, or the identity the hub will match."""
        if self.member_id:
            return self.member_id
        if self._member_ok and self.identity is not None:
            return self.identity.ref
        return None

    def _draft_values(self) -> tuple[str, dict[str, Any]] | None:
        """The open form's values worth keeping (None: nothing typed)."""
        c = self.view.composer
        if c.form == "note":
            text = c.note.text.toPlainText()
            return ("note", {"text": text}) if text.strip() else None
        if c.form == "interest":
            choice, text = self._interest_choice, c.interest.text.text()
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

    def keep_draft(self) -> bool:
        """Keep the open form's values for this customer and staff member (on the worker)."""
        if self._fixing is not None:
            return False  # a fix is not a draft: the record it fixes stays as it was
        key, got = self._member_key(), self._draft_values()
        if key is None or got is None:
            return False
        form, values = got
        self._drafts[form] = values
        terminal, staff = self.terminal, self.staff_id
        self.runner.submit(
            lambda: terminal.save_draft(staff, key, form, values),
            lambda _done: None,
            self._refresh_failed,
        )
        self.bridge.info(
            translate("Customer", "Draft kept — it is back when you open the form again."),
            key="draft",
        )
        return True

    def _load_drafts(self) -> None:
        key = self._member_key()
        if key is None:
            return
        terminal, staff = self.terminal, self.staff_id

        def loaded(found: dict[str, dict[str, Any]]) -> None:
            if key != self._member_key() or not found:
                return
            self._drafts = dict(found)
            # Said, not opened: the focus stays where the associate (or a scan) has it; the
            # form comes back as typed when they open it.
            forms = translate("Customer", ", ").join(texts.term(texts.KINDS, f) for f in found)
            # in the page (no toast popping up while a scan may be under way)
            self.view.notice.show_text(
                texts.fill(translate("Customer", "Draft kept: %1 — open it to go on."), forms)
            )

        self.runner.submit(lambda: terminal.drafts(staff, key), loaded, self._refresh_failed)

    def _restore(self, form: str, values: dict[str, Any]) -> None:
        c = self.view.composer
        if form == "note":
            c.note.text.setPlainText(str(values.get("text") or ""))
        elif form == "interest":
            sku = values.get("sku")
            if isinstance(sku, str) and sku:
                self._interest_choice = Choice(
                    sku, str(values.get("title") or sku), int(values.get("price_cents") or 0), ""
                )
            (c.interest.tried_on if values.get("tried_on") else c.interest.asked_about).setChecked(
                True
            )
            c.interest.text.setText(str(values.get("text") or ""))
            self._show_interest_choice()
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
                self._sale_lines_changed()
            c.sale.text.setText(str(values.get("text") or ""))
        c.show_draft(True)

    def _drop_draft(self, form: str) -> None:
        key = self._member_key()
        self._drafts.pop(form, None)
        if key is None:
            return
        terminal, staff = self.terminal, self.staff_id
        self.runner.submit(
            lambda: terminal.discard_draft(staff, key, form),
            lambda _done: None,
            self._refresh_failed,
        )

    def discard_or_undo(self) -> None:
        """ "Discard draft": the form is emptied and the draft deleted; the button then offers
        "Undo discard" (until the form closes), which brings both back."""
        c = self.view.composer
        form = c.form
        if c.undo_discard and self._discarded is not None:
            form, values = self._discarded
            self._discarded = None
            self.open_form(form)
            self._restore(form, values)
            self.keep_draft()
            return
        got = self._draft_values()
        self._discarded = got if got is not None else (form, self._drafts.get(form, {}))
        self._drop_draft(form)
        self.open_form(form)  # emptied
        self._drafts.pop(form, None)
        c.show_draft(False, undo=True)
        self.bridge.info(
            translate("Customer", "Draft discarded — Undo brings it back."), key="draft"
        )

    # --- fixing a record the hub did not take (clerk/rejected.py) --------------------------

    def history_activated(self, index: Any) -> None:
        """A click (or Enter) on a history row "Rejected — fix": its form, as recorded."""
        if not index.isValid():
            return
        entry = self.models.visits.row_at(index.row())
        if entry.sync_state not in FIXABLE_STATES:
            return
        if self._fixing is not None and self._fixing[0] == entry.id:
            return  # a click that also activates: the form is open already
        terminal = self.terminal
        member = self.member_id

        def found(row: Settled | None) -> None:
            # still the customer on screen, and still left for a person
            fits = row is not None and row.member_id == member == self.member_id
            if row is not None and fits and row.state in FIXABLE_STATES:
                self.fix(row.id, row.kind, row.payload, row.reason)

        # the payload as recorded (one the vocabulary refuses has no facts to show)
        self.runner.submit(
            lambda: terminal.left_for_a_person(entry.id), found, self._refresh_failed
        )

    def fix(
        self,
        iid: str,
        kind: str,
        payload: Mapping[str, Any],
        hub_reason: str | None,
        session: Session | None = None,
    ) -> bool:
        """Open ``kind``'s form holding the record ``iid`` as it was (``payload``), with what
        the hub said; saving records the corrected copy (a new record superseding it),
        "Withdraw the record" takes it back. ``session``: a manager's, fixing someone else's
        record. False (and the associate told why) when the kind has no form to fix it in."""
        if kind not in FIXABLE_KINDS or not self._member_ok:
            self.bridge.info(
                translate(
                    "Customer",
                    "This record cannot be corrected in a form: withdraw it (or a manager "
                    "dismisses it) on the dashboard.",
                ),
                key="form",
            )
            return False
        self.keep_draft()
        self.open_form(kind)
        self._fill(kind, payload)
        c = self.view.composer
        c.show_draft(False)
        self._fixing = (iid, session)
        c.show_fixing(
            texts.fill(
                translate("Customer", "The hub did not take this record: %1. Correct it and "
                          "save to send it again, or withdraw it."),
                texts.hub_reason(hub_reason) if hub_reason else texts.hub_reason(None),
            )
        )  # fmt: skip
        return True

    def _fill(self, kind: str, payload: Mapping[str, Any]) -> None:
        """The form holds ``payload`` (the vocabulary's JSON of ``kind``)."""
        c = self.view.composer
        titles = {v.sku: v for v in self._suggestions}
        if kind == "note":
            self._restore("note", {"text": payload.get("text") or ""})
        elif kind == "interest":
            sku = str(payload.get("sku") or "")
            known = titles.get(sku)
            self._restore(
                "interest",
                {
                    "sku": sku,
                    "title": known.title if known else sku,
                    "price_cents": known.price_cents if known else 0,
                    "tried_on": payload.get("action") == "tried_on",
                    "text": payload.get("text") or "",
                },
            )
        elif kind == "sale":
            lines = []
            for item in payload.get("items") or []:
                sku = str(item.get("sku") or "")
                known = titles.get(sku)
                title = known.title if known else sku
                lines.append(
                    [sku, title, int(item.get("qty") or 1), int(item["price_cents"]), None]
                )
            amount = payload.get("amount_cents")
            self._restore(
                "sale",
                {
                    "lines": lines,
                    "amount": cents_text(int(amount)) if isinstance(amount, int) else None,
                    "text": payload.get("text") or "",
                },
            )
        elif kind == "consent":
            for key, box in (("marketing", c.consent.marketing), ("browsing", c.consent.browsing)):
                if isinstance(payload.get(key), bool):
                    box.setChecked(bool(payload[key]))

    def _save_fix(self, iid: str, session: Session | None, payload: Payload) -> None:
        terminal, staff = self.terminal, self.staff_id

        def work() -> Recorded:
            return terminal.fix_record(iid, payload, staff_id=staff, session=session)

        def done(rec: Recorded) -> None:
            self._fixing = None
            self.view.composer.close_form()
            self._remember(rec.id, rec.state)
            self.bridge.success(
                translate("Customer", "Corrected · it is sent again as a new record"),
                key="recorded",
            )
            self.recorded.emit(rec)
            self.fixed.emit(iid, rec.id)
            self.refresh()

        self.runner.submit(work, done, self._record_failed)

    def withdraw_fixing(self) -> None:
        """ "Withdraw the record": taken back (kept, never sent, never counted), audited."""
        if self._fixing is None:
            return
        iid, session = self._fixing
        terminal, staff = self.terminal, self.staff_id

        def done(_row: object) -> None:
            self._fixing = None
            self.view.composer.close_form()
            self.bridge.success(translate("Customer", "Record withdrawn"), key="recorded")
            self.withdrawn.emit(iid)
            self.refresh()

        self.runner.submit(
            lambda: terminal.withdraw_record(iid, staff_id=staff, session=session),
            done,
            self._record_failed,
        )

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        # the vocabulary (pydantic) is loaded with the first record, not at the app's start
        from clerk.shared.interactions import InvalidInteraction

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
        if self._fixing is not None:
            iid, session = self._fixing
            self._save_fix(iid, session, payload)
            return
        self.record(payload.kind, payload)
        self._drop_draft(form)
        c.close_form()
        self.redeem_coupon = None

    def _payload(self, form: str) -> Payload | None:
        """The typed payload of the open form (InvalidInteraction when the vocabulary refuses
        it), or None when there is nothing to save yet (and the associate was told)."""
        from clerk.shared.interactions import (
            CaseClose,
            CaseNote,
            CaseOpen,
            Consent,
            Interest,
            Note,
            PointsRedeem,
            Redeem,
            Sale,
            Task,
        )
        from clerk.shared.money import AmountError, parse_cents

        c = self.view.composer
        if form == "note":
            text = c.note.text.toPlainText().strip()
            if not text:
                self._refuse("text", "empty")
                return None
            return Note.of(text)
        if form == "interest":
            choice = self._interest_choice
            if choice is None:
                self._refuse("sku", "missing")
                return None
            action = "tried_on" if c.interest.tried_on.isChecked() else "asked_about"
            return Interest.of(choice.sku, action, c.interest.text.text().strip() or None)
        if form == "redeem":
            coupon = self.redeem_coupon
            selected = self.view.coupons.list.currentIndex()
            if coupon is None or not selected.isValid():
                return None
            if self.models.coupons.row_at(selected.row()).id != coupon.id:
                return None  # never: the confirmation follows the selection
            return Redeem.of(coupon.id)
        if form == "points_redeem":
            panel = self._points()
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
            amount_text = c.sale.amount.text().strip()
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
            values = c.sale.values()
            for i, line in enumerate(c.sale.rows):
                if line.price_cents() is None:
                    self._refuse(f"items.{i}.price_cents", "out_of_range")
                    line.price.setFocus()
                    return None
            # The hub takes each line with its price, and the online-cart lines it settles.
            skus = {v.sku for v in values}
            cart_ids = [
                line.id
                for line in (self.data.cart if self.data else ())
                if line.product.sku in skus
            ]
            return Sale.of(
                [(v.sku, v.qty, v.price_cents) for v in values],
                amount,
                cart_ids,
                c.sale.text.text().strip() or None,
            )
        if form == "consent":
            p = self.data.profile if self.data is not None else None
            marketing: bool | None = c.consent.marketing.isChecked()
            browsing: bool | None = c.consent.browsing.isChecked()
            if p is not None:  # only what changed
                marketing = None if marketing == p.consent_marketing else marketing
                browsing = None if browsing == p.consent_browsing else browsing
            if marketing is None and browsing is None:
                self._refuse("marketing", "no_change")
                return None
            return Consent.of(marketing=marketing, browsing=browsing)
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
            title = c.task.title.text().strip()
            if not title:
                self._refuse("title", "missing")
                return None
            due = c.task.due.date().startOfDay().addSecs(TASK_DUE_HOUR * 3600)
            # For the associate who makes it; only with consent does it contact the customer.
            outreach = c.task.outreach.isChecked() and c.task.consented
            return Task.of(title, int(due.toSecsSinceEpoch()), self.staff_id, outreach)
        if form == "assign":
            from clerk.shared.interactions import Assign

            if not self.may_assign():
                self.bridge.warning(self.view.manager_only_reason(), key="form")
                return None
            picked = c.assign.staff.currentData()
            return Assign.of(str(picked) if picked else None)
        return None

    def _assign_roster(self, roster: list[Any]) -> None:
        c = self.view.composer
        c.assign.set_roster([(m.id, f"{m.name} ({m.id})") for m in roster])
        c.assign.staff.setEnabled(True)
        c.assign.staff.setFocus()

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
            self._points_over_text(available)
            if problem == "points_over_balance" and available is not None
            else texts.record_problem(field, problem)
        )
        name = texts.form_field_name(c.form or "", root)
        if name:
            message = texts.fill(translate("Customer", "%1: %2"), name, message)
        widget = widgets.get((c.form or "", root))
        c.show_problem(message, widget)
        self.bridge.info(message, key="form")
        if widget is not None:
            widget.setFocus()

    def record(self, kind: str, payload: Payload) -> None:
        """Record one interaction on the worker, against the member (or the scanned ref)."""
        member_id = self.member_id
        member_ref = None if member_id else (self.identity.ref if self.identity else None)
        staff = self.staff_id
        terminal = self.terminal

        def work() -> Recorded:
            return terminal.record(
                kind, member_id=member_id, member_ref=member_ref, staff_id=staff, payload=payload
            )

        self.runner.submit(work, self._recorded, self._record_failed)

    def _recorded(self, rec: Recorded) -> None:
        self._remember(rec.id, rec.state)
        source = RECORDED_TEXT.get(rec.kind, RECORDED_TEXT["visit"])
        self._toasted = rec.id
        self.bridge.success(translate("Customer", source), key="recorded")
        # The rows are re-read before the status counts (one runner, in order): the chips
        # never lag behind the status bar.
        if rec.member_id is not None and rec.member_id == self.member_id:
            self.refresh()
        self.recorded.emit(rec)

    def _record_failed(self, exc: BaseException) -> None:
        if isinstance(exc, RecordError):
            self.bridge.error(texts.record_problem(exc.field, exc.problem), key="recorded")
        elif isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key="recorded")
        else:
            raise exc

    def retranslate(self) -> None:
        """Language switched: product titles in forms follow, the open redeem panel too."""
        self._choices_for = None
        if self.view.composer.form:  # an open form's product pickers follow
            self._ensure_choices()
        if self.view.composer.form == "redeem" and self.redeem_coupon is not None:
            self.open_redeem(self.redeem_coupon.id)
        if self.view.composer.form == "points_redeem":
            self._show_points_balance()
