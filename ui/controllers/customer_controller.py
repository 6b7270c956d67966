"""The customer screen: showing a 360 view, the actions on it, and recording.

The screen's controller holds the customer on screen (the 360, the identity scanned, whether
records may be about them) and composes its parts, each a controller of its own:
``ComposerController`` (a form opened, its payload validated and saved), ``ProductsController``
(the pickers and the sale's lines), ``RedeemController`` (coupons and points redeemed),
``DraftsController`` (what was typed and not saved) and ``RecordFixController`` (a record the
hub did not take, fixed or withdrawn). Every record goes through ``TerminalPort.record`` on the
terminal runner; the GUI thread only collects the form and shows "saved · will sync" (turned
into "saved · synced" if the record settles while that toast is still up). When the sync
worker reports, the 360 is re-read and each record this session made shows its new state
(synced, conflict …). A language switch re-renders what is shown (the 360 carries its texts in
both languages).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from clerk.errors import ClerkError, RecordError
from clerk.model import CustomerView, Identity
from ui import texts
from ui.controllers.composer_controller import ComposerController
from ui.controllers.drafts_controller import DraftsController
from ui.controllers.products_controller import ProductsController
from ui.controllers.record_fix_controller import RecordFixController
from ui.controllers.redeem_controller import RedeemController
from ui.messages import MessageBridge
from ui.models.customer_models import CustomerModels, PanelModel
from ui.qt import QT_TRANSLATE_NOOP, QObject, QTimer, Signal, translate
from ui.views.customer_view import MEMBER_ACTIONS, Customer360View
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.outbox import Recorded
    from clerk.ports import Opened, TerminalPort
    from clerk.shared.interactions import Payload

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

MINE_KEPT = 1000  # records of this session whose settling the associate is told about


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
        self.member_ok = False  # a member (or an identity the hub will match) is on screen
        # interaction id → last state seen, this session's newest MINE_KEPT (a day of scans
        # without a lock must not grow it for good: bench/all_day.py)
        self._mine: dict[str, str] = {}
        self._refresh_again = False
        self._toasted: str | None = None  # the record the last "saved" toast is about
        self._refreshing = False
        view.action_triggered.connect(self.action)
        view.painted.connect(self._painted)
        self._shown = 0  # counts what was put on the page: work left for after its frame
        self._drafts_due = False  # the drafts are read once the page has painted
        # panels below the fold, filled once the page has painted: (the 360, their models)
        self._later: tuple[CustomerView, tuple[PanelModel, ...]] | None = None
        # what waited for the frame runs on this timer's next turn of the event loop (one
        # timer for the screen, not one made and deleted per customer)
        self._after = QTimer(self)
        self._after.setSingleShot(True)
        self._after.setInterval(0)
        self._after_shown = 0
        self._after.timeout.connect(lambda: self._after_paint(self._after_shown))
        view.unknown.walk_in.connect(self.walk_in)
        view.unknown.member.connect(self.record_for_the_hub)
        view.unknown.other.connect(self.next_customer)
        # its parts (each connects to the part of the view it serves)
        self.forms = ComposerController(self)
        self.redeem = RedeemController(self)
        self.products = ProductsController(self)
        self.drafts = DraftsController(self)
        self.fixes = RecordFixController(self)
        # What the window, the scan controller and the demo call on the screen: the parts'.
        self.open_redeem = self.redeem.open_redeem
        self.save = self.forms.save
        self.cancel = self.forms.cancel
        self.escape = self.forms.escape
        self.take_scan = self.products.take_scan
        self.history_activated = self.fixes.history_activated
        self.fix = self.fixes.fix

    # --- showing -------------------------------------------------------------------------

    def show(self, opened: Opened) -> None:
        """Show what ``open_customer`` returned (a cached 360, or only the identity)."""
        self._shown += 1
        self.drafts.keep()  # what was typed for the previous customer stays theirs
        self.view.composer.close_form()
        self.fixes.fixing = None
        self.drafts.forget()
        if opened.member_id is None or opened.member_id != self.member_id:
            self.view.scroll_to_top()  # someone else: their page from the top
        self.identity = opened.identity
        self.member_id = opened.member_id
        self.member_ok = opened.member_id is not None
        unknown = opened.member_id is None and opened.reason in ("not_cached", "unknown_member")
        if unknown:
            linkable = opened.identity.kind in ("card", "phone")  # ui/controllers/link_controller
            self.view.unknown.ask(opened.reason or "not_cached", linkable)
        else:
            self.view.unknown.hide()
        if opened.visit is not None:
            self.remember(opened.visit.id, opened.visit.state)
        if opened.view is not None:
            self._set_view(opened.view)
        else:
            self.data = None
            for model in self.models.panels():  # nothing of the customer before stays
                model.clear()
            self.view.show_cases(False)
            self.view.header.show_identity(opened.identity, opened.reason)
            if unknown:  # the prompt says it, with what to do
                self.view.notice.hide()
            else:
                self.view.notice.show_text(texts.reason_message(opened.reason or "not_cached"))
            self.products.stale()
            self._enable_actions()
        self._load_drafts()
        self.shown.emit()

    def _load_drafts(self) -> None:
        """The drafts kept for the customer shown, read once the page has painted: the read's
        thread start and its Python time would otherwise share the frame (they are said in
        the notice, never opened, so a frame later changes nothing the associate sees first)."""
        if self.view.awaiting_paint():
            self._drafts_due = True
        else:
            self._drafts_due = False
            self.drafts.load()

    def _painted(self) -> None:
        """The page's first complete frame: what waited for it runs next, in this same turn
        of the event loop (posted, so after whoever else waits for the frame) — unless
        something else was put on the page in between."""
        if self._later is not None or self._drafts_due:
            self._after_shown = self._shown
            self._after.start()

    def _after_paint(self, shown: int) -> None:
        if shown != self._shown:
            return  # another customer (or nobody) since: their own frame comes first
        later, self._later = self._later, None
        if later is not None and later[0] is self.data:
            for model in later[1]:
                model.set_view(later[0])
        if self._drafts_due:
            self._drafts_due = False
            self.drafts.load()

    def _set_view(self, view: CustomerView) -> None:
        self.data = view
        self.view.expect_paint()
        self.view.header.show_view(view)
        self.view.notice.hide()
        # The first frame is what is in sight: a panel last in its column (its rows move
        # nothing else) that what is above it already pushes out of sight is filled right
        # after that frame — in the same turn of the event loop, before any scroll could
        # bring it into view.
        ends = {id(p.model): p for p in self.view.column_ends()}
        for model in self.models.panels():
            if id(model) not in ends:
                model.set_view(view)
        self.view.show_cases(bool(view.cases))
        later = []
        for model in self.models.panels():
            if id(model) not in ends:
                continue
            if self.view.below_the_fold(ends[id(model)]):
                later.append(model)
            else:
                model.set_view(view)
        self._later = (view, tuple(later)) if later else None
        self.products.stale()  # product pickers are filled when a form needs them
        self._enable_actions()
        self._report_changes(view)

    def _enable_actions(self) -> None:
        """Member-only actions need someone a record can be about (disabled with the reason
        for a walk-in); redeem needs a usable coupon. Interest and sale take any product of
        the catalogue, online history or not."""
        ok = self.member_ok
        self.view.set_member_actions(ok)
        if not ok:
            return
        may_assign = self.may_assign()
        enabled = {
            "assign": may_assign,
            "redeem": self.models.coupons.first_redeemable() >= 0,
            # points: a member whose balance this terminal holds (not an identity the hub
            # matches)
            "points_redeem": self.redeem.points() is not None,
        }
        # Each button set once, to its state for this customer: one enabled and disabled
        # again in the same call still changes its style and repaints it.
        for name in MEMBER_ACTIONS:
            self.view.buttons[name].setEnabled(enabled.get(name, True))
        self.view.set_may_assign(may_assign)

    def clear(self) -> None:
        self._shown += 1
        self._drafts_due = False
        self._later = None
        self.drafts.keep()
        self.data = None
        self.identity = None
        self.member_id = None
        self.view.composer.close_form()

    def forget(self) -> None:
        """Forget the customer entirely (the terminal locked): nothing of them stays in a
        model or a widget, and results still on their way are dropped (no member id)."""
        self.clear()
        self.redeem.coupon = None
        self.member_ok = False
        self.drafts.forget()
        self._mine.clear()
        for model in self.models.panels():
            model.clear()
        self.products.forget()
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
            self.refresh_failed,
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
            self._shown += 1
            self._later = None
            self.view.expect_paint()
            self.view.header.show_view(view)
            for model in self.models.panels():
                model.set_view(view)
            self.view.show_cases(bool(view.cases))
            self._enable_actions()
            self._report_changes(view)
            if self.view.composer.form == "points_redeem":  # the balance may have moved
                self.redeem.show_points_balance()
        else:
            self.view.composer.close_form()
            self._set_view(view)

    def refresh_failed(self, exc: BaseException) -> None:
        self._refreshing = False
        self._refresh_again = False
        if isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key="refresh")
        else:
            raise exc

    def remember(self, iid: str, state: str) -> None:
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
        if not self.member_ok:  # a shortcut on a walk-in: say why not
            self.bridge.info(self.view.member_only_reason(), key="form")
            return
        if name == "redeem":
            self.redeem.open_redeem()
            return
        if name == "points_redeem":
            self.redeem.open_points()
            return
        if name == "assign" and not self.may_assign():  # a shortcut: say why not
            self.bridge.warning(self.view.manager_only_reason(), key="form")
            return
        self.forms.open_form("case_open" if name == "case" else name)

    # --- someone no member matches ----------------------------------------------------------

    def walk_in(self) -> None:
        """Serve them as a walk-in: a visit naming no one (the hub accepts it, the dashboard
        counts it as a walk-in)."""
        terminal, staff, who = self.terminal, self.staff_id, self.identity
        self.runner.submit(
            lambda: terminal.record_walk_in(staff),
            lambda rec: self._walked_in(rec) if self.identity is who else None,
            self.record_failed,
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
            self.record_failed,
        )

    def _matched(self, rec: Recorded | None) -> None:
        if rec is not None:
            self._mine[rec.id] = rec.state
            self.recorded.emit(rec)
        self.member_ok = True
        self.view.unknown.settle("member")
        self._enable_actions()
        self.bridge.success(translate("Customer", "Saved · will sync"), key="recorded")

    # --- recording ---------------------------------------------------------------------------

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

        self.runner.submit(work, self._recorded, self.record_failed)

    def _recorded(self, rec: Recorded) -> None:
        self.remember(rec.id, rec.state)
        source = RECORDED_TEXT.get(rec.kind, RECORDED_TEXT["visit"])
        self._toasted = rec.id
        self.bridge.success(translate("Customer", source), key="recorded")
        # The rows are re-read before the status counts (one runner, in order): the chips
        # never lag behind the status bar.
        if rec.member_id is not None and rec.member_id == self.member_id:
            self.refresh()
        self.recorded.emit(rec)

    def record_failed(self, exc: BaseException) -> None:
        if isinstance(exc, RecordError):
            self.bridge.error(texts.record_problem(exc.field, exc.problem), key="recorded")
        elif isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key="recorded")
        else:
            raise exc

    def retranslate(self) -> None:
        """Language switched: product titles in forms follow, the open redeem panel too."""
        self.products.stale()
        if self.view.composer.form:  # an open form's product pickers follow
            self.products.ensure_choices()
        self.redeem.retranslate()
