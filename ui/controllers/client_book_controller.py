"""The "My customers" screen: the signed-in associate's client book, or — for a manager — the book
of the associate picked at the top, read on the terminal runner (offline, from the cache). Enter
or a double click on a row opens that customer (``Terminal.open_found(…, via="clientbook")``:
the view audited, no visit recorded). The selected customer's Message
(``ui.controllers.message_controller``) drafts an outreach message and records the contact —
both shared with the Follow-ups list (``ui.controllers.member_list_controller``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clerk.staff import allowed
from ui.controllers.member_list_controller import MemberListController
from ui.models.client_book_model import ClientBookModel
from ui.qt import Signal
from ui.views.client_book_view import ClientBookView

if TYPE_CHECKING:
    from clerk.model import Client
    from clerk.staff import StaffMember


class ClientBookController(MemberListController):
    loaded = Signal()  # the list shows the book asked for last
    view: ClientBookView
    model: ClientBookModel

    VIA = "clientbook"

    def _setup(self) -> None:
        view = self.view
        self._message_for: str | None = None
        self.showing: str | None = None  # whose book the list shows
        self._asked: str | None = None
        view.associate.activated.connect(lambda _i: self.refresh())
        self.message.recorded.connect(lambda _rec: self.refresh())

    @property
    def is_manager(self) -> bool:
        return allowed(self.session(), "dashboard")

    def _whose(self) -> str | None:
        session = self.session()
        if session is None:
            return None
        if self.is_manager:
            picked = self.view.associate.currentData()
            if picked:
                return str(picked)
        return session.staff_id

    def refresh(self) -> None:
        """Read the book again (the signed-in associate's; a manager's pick)."""
        session = self.session()
        self.view.show_associate_picker(self.is_manager)
        if session is None:
            self.model.set_rows([])
            return
        if self.is_manager and self.view.associate.count() == 0:
            self.runner.submit(self.terminal.roster, self._roster, self._failed)
        whose = self._whose()
        assert whose is not None
        self._asked = whose
        terminal, signed_in = self.terminal, session.staff_id
        self.runner.submit(
            lambda: (whose, terminal.client_book(whose, signed_in)), self._loaded, self._failed
        )

    def _roster(self, roster: list[StaffMember]) -> None:
        box = self.view.associate
        session = self.session()
        box.clear()
        for member in roster:
            box.addItem(f"{member.name} ({member.id})", member.id)
        if session is not None:
            box.setCurrentIndex(max(0, box.findData(session.staff_id)))

    def _loaded(self, result: tuple[str, list[Client]]) -> None:
        whose, rows = result
        if whose != self._asked:
            return  # a later pick is on its way
        self.showing = whose
        self.model.set_rows(rows)
        self.loaded.emit()

    def selected(self) -> Client | None:
        client: Client | None = super().selected()
        return client

    def _sync_selected(self) -> None:
        client = self.selected()
        current = None if client is None else client.member_id
        if current == self._message_for:
            return
        self._message_for = current
        self.view.message_why.setText("")
        reason = None if client is None or not client.reasons else client.reasons[0]
        self.message.select(current, reason=reason)

    def _activated(self, index: Any) -> None:
        member_id = index.data(ClientBookModel.MemberId)
        if member_id:
            self.open_member(str(member_id))

    def open_member(self, member_id: str) -> None:
        self._open(member_id, self._signed_in())

    def forget(self) -> None:
        """The session ended: nobody's book shows."""
        super().forget()
        self._message_for = None
        self.model.set_rows([])
        self.view.associate.clear()
        self.showing = self._asked = None
