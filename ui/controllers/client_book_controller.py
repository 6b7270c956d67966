"""The "My customers" screen: the signed-in associate's client book, or — for a manager — the book
of the associate picked at the top, read on the terminal runner (offline, from the cache). Enter
or a double click on a row opens that customer (``Terminal.open_found(…, via="clientbook")``:
the view audited, no visit recorded). The selected customer's Message
(``ui.controllers.message_controller``) drafts an outreach message and records the contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError
from clerk.staff import Session, allowed
from ui import texts
from ui.controllers.message_controller import MessageController
from ui.messages import MessageBridge
from ui.models.client_book_model import ClientBookModel
from ui.qt import QObject, Signal
from ui.views.client_book_view import ClientBookView
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.model import Client
    from clerk.ports import Opened, TerminalPort
    from clerk.staff import StaffMember


class ClientBookController(QObject):
    opened = Signal(object)  # clerk.ports.Opened
    loaded = Signal()  # the list shows the book asked for last

    def __init__(
        self,
        terminal: TerminalPort,
        view: ClientBookView,
        model: ClientBookModel,
        runner: TaskRunner,
        bridge: MessageBridge,
        *,
        session: Callable[[], Session | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.view = view
        self.model = model
        self.runner = runner
        self.bridge = bridge
        self.session = session
        self.showing: str | None = None  # whose book the list shows
        self._asked: str | None = None
        view.list.activated.connect(self._activated)
        view.associate.activated.connect(lambda _i: self.refresh())
        self.message = MessageController(
            terminal, view.message_panel, view.message, runner, bridge, session=session, parent=self
        )
        self.message.ready.connect(lambda: view.message_why.setText(self.message.why_not))
        self.message.recorded.connect(lambda _rec: self.refresh())
        self._message_for: str | None = None
        selection = view.list.selectionModel()
        assert selection is not None
        selection.currentChanged.connect(lambda *_: self._sync_selected())
        model.modelReset.connect(self._sync_selected)

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
        index = self.view.list.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

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
        session = self.session()
        staff = None if session is None else session.staff_id
        terminal = self.terminal
        self.runner.submit(
            lambda: terminal.open_found(member_id, staff, "clientbook"),
            self._open_done,
            self._failed,
        )

    def _open_done(self, opened: Opened) -> None:
        self.opened.emit(opened)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key="clientbook")
        else:
            raise exc

    def forget(self) -> None:
        """The session ended: nobody's book shows."""
        self.message.forget()
        self._message_for = None
        self.model.set_rows([])
        self.view.associate.clear()
        self.showing = self._asked = None
