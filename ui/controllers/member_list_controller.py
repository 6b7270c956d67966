"""What the signed-in person's lists share ("My customers", "Follow-ups"): the rows read on
the terminal runner, the selected row's Message (``ui.controllers.message_controller``:
drafts an outreach message and records the contact), and Enter or a double click opening
that row's customer (``Terminal.open_found``, audited as opened from that list, no visit
recorded). Each list's controller keeps only what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from clerk.errors import ClerkError
from ui import texts
from ui.controllers.message_controller import MessageController
from ui.messages import MessageBridge
from ui.models.rows_model import RowsModel
from ui.qt import QObject, Signal
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.ports import Opened, TerminalPort
    from clerk.staff import Session
    from ui.qt import QLabel, QPushButton
    from ui.views.message_view import MessagePanel
    from ui.views.widgets import RowList


class MemberListView(Protocol):
    """The parts of a list's view its controller works: the list, its Message button (with
    why it is disabled) and the message panel."""

    @property
    def list(self) -> RowList: ...
    @property
    def message(self) -> QPushButton: ...
    @property
    def message_why(self) -> QLabel: ...
    @property
    def message_panel(self) -> MessagePanel: ...


class MemberListController(QObject):
    """A list's controller; a subclass names ``VIA`` (what an open from it is audited as, and
    its messages' key) and wires what it adds in ``_setup``."""

    opened = Signal(object)  # clerk.ports.Opened
    VIA = ""

    def __init__(
        self,
        terminal: TerminalPort,
        view: MemberListView,
        model: RowsModel[Any],
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
        self.via = self.VIA
        view.list.activated.connect(self._activated)
        selection = view.list.selectionModel()
        assert selection is not None
        selection.currentChanged.connect(lambda *_: self._sync_selected())
        model.modelReset.connect(self._sync_selected)
        self.message = MessageController(
            terminal, view.message_panel, view.message, runner, bridge, session=session, parent=self
        )
        self.message.ready.connect(lambda: view.message_why.setText(self.message.why_not))
        self._setup()

    def _setup(self) -> None:
        """What the list adds to the shared wiring (its own state, buttons and signals)."""

    def _signed_in(self) -> str | None:
        session = self.session()
        return None if session is None else session.staff_id

    def selected(self) -> Any:
        """The selected row (None: none)."""
        index = self.view.list.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row_at(index.row())

    def _sync_selected(self) -> None:
        """The selection moved (or the rows changed): what acts on the selected row follows."""
        raise NotImplementedError

    def _activated(self, index: Any) -> None:
        raise NotImplementedError

    def _open(self, member_id: str, staff: str | None) -> None:
        """Open ``member_id``'s customer, as opened from this list."""
        terminal, via = self.terminal, self.via
        self.runner.submit(
            lambda: terminal.open_found(member_id, staff, via), self._open_done, self._failed
        )

    def _open_done(self, opened: Opened) -> None:
        self.opened.emit(opened)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ClerkError):
            self.bridge.error(texts.reason_message(exc.reason), key=self.via)
        else:
            raise exc

    def forget(self) -> None:
        """The session ended: no message for anyone (each list empties itself too)."""
        self.message.forget()
