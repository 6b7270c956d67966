"""The customer screen's fix of a record the hub did not take (clerk/rejected.py): a
"Rejected — fix" row of the history (or the dashboard's "Fix") opens the record's form holding
it as it was, with what the hub said; saving sends a corrected copy that supersedes it,
"Withdraw the record" takes it back. A part of :class:`CustomerController`, whose customer it
serves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ui import texts
from ui.models.product_choices_model import cents_text
from ui.qt import QObject, translate
from ui.views.composer_view import FIXABLE_KINDS

if TYPE_CHECKING:
    from clerk.outbox import Recorded, Settled
    from clerk.shared.interactions import Payload
    from clerk.staff import Session
    from ui.controllers.customer_controller import CustomerController


FIXABLE_STATES = ("rejected", "attention")  # the hub did not take them: a person decides


class RecordFixController(QObject):
    def __init__(self, screen: CustomerController) -> None:
        super().__init__(screen)
        self.screen = screen
        self.view = screen.view
        # The open form fixes this record (rejected or parked), for this manager's session
        # (None: the associate's own record)
        self.fixing: tuple[str, Session | None] | None = None
        screen.view.composer.withdraw_clicked.connect(self.withdraw)
        screen.view.visits.list.activated.connect(self.history_activated)
        screen.view.visits.list.clicked.connect(self.history_activated)

    def history_activated(self, index: Any) -> None:
        """A click (or Enter) on a history row "Rejected — fix": its form, as recorded."""
        if not index.isValid():
            return
        entry = self.screen.models.visits.row_at(index.row())
        if entry.sync_state not in FIXABLE_STATES:
            return
        if self.fixing is not None and self.fixing[0] == entry.id:
            return  # a click that also activates: the form is open already
        terminal = self.screen.terminal
        member = self.screen.member_id

        def found(row: Settled | None) -> None:
            # still the customer on screen, and still left for a person
            fits = row is not None and row.member_id == member == self.screen.member_id
            if row is not None and fits and row.state in FIXABLE_STATES:
                self.fix(row.id, row.kind, row.payload, row.reason)

        # the payload as recorded (one the vocabulary refuses has no facts to show)
        self.screen.runner.submit(
            lambda: terminal.left_for_a_person(entry.id), found, self.screen.refresh_failed
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
        screen = self.screen
        if kind not in FIXABLE_KINDS or not screen.member_ok:
            screen.bridge.info(
                translate(
                    "Customer",
                    "This record cannot be corrected in a form: withdraw it (or a manager "
                    "dismisses it) on the dashboard.",
                ),
                key="form",
            )
            return False
        screen.drafts.keep()
        screen.forms.open_form(kind)
        self._fill(kind, payload)
        c = self.view.composer
        c.show_draft(False)
        self.fixing = (iid, session)
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
        restore = self.screen.drafts.restore
        titles = {v.sku: v for v in self.screen.products.suggestions}
        if kind == "note":
            restore("note", {"text": payload.get("text") or ""})
        elif kind == "interest":
            sku = str(payload.get("sku") or "")
            known = titles.get(sku)
            restore(
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
            restore(
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

    def save(self, payload: Payload) -> None:
        """The corrected copy of the record the open form fixes, recorded (on the worker)."""
        if self.fixing is None:
            return
        iid, session = self.fixing
        screen = self.screen
        terminal, staff = screen.terminal, screen.staff_id

        def work() -> Recorded:
            return terminal.fix_record(iid, payload, staff_id=staff, session=session)

        def done(rec: Recorded) -> None:
            self.fixing = None
            self.view.composer.close_form()
            screen.remember(rec.id, rec.state)
            screen.bridge.success(
                translate("Customer", "Corrected · it is sent again as a new record"),
                key="recorded",
            )
            screen.recorded.emit(rec)
            screen.fixed.emit(iid, rec.id)
            screen.refresh()

        screen.runner.submit(work, done, screen.record_failed)

    def withdraw(self) -> None:
        """ "Withdraw the record": taken back (kept, never sent, never counted), audited."""
        if self.fixing is None:
            return
        iid, session = self.fixing
        screen = self.screen
        terminal, staff = screen.terminal, screen.staff_id

        def done(_row: object) -> None:
            self.fixing = None
            self.view.composer.close_form()
            screen.bridge.success(translate("Customer", "Record withdrawn"), key="recorded")
            screen.withdrawn.emit(iid)
            screen.refresh()

        screen.runner.submit(
            lambda: terminal.withdraw_record(iid, staff_id=staff, session=session),
            done,
            screen.record_failed,
        )
