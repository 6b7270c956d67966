"""Link a card or number no member has to a member, at the counter (the form:
ui/views/link_view.py; the rule: ``TerminalPort.link``).

Opened from the prompt for someone no member matches, when what was scanned or typed is a
card or a phone number. The customer proves who they are — their member code scanned (a
scanner burst while the form is open lands in it) or their full mobile number typed; the
member is the one this terminal holds for that proof. Link records the ``link`` on the
terminal's worker (the hub applies it and every terminal converges), then the member's page
opens (their visit recorded: they proved they are here). Cancel writes nothing. When a sync
later brings the hub's answer and the hub did not take the link (the card or number is
another member's: ``identity_taken``), the associate is told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clerk.errors import ClerkError, RecordError
from ui import texts
from ui.qt import QObject, Signal, translate

if TYPE_CHECKING:
    from clerk.model import Identity
    from clerk.outbox import Recorded, Settled
    from clerk.ports import Opened, TerminalPort
    from ui.messages import MessageBridge
    from ui.views.link_view import LinkForm
    from ui.workers import TaskRunner

LINKABLE = ("card", "phone")  # what identify() reads that a member can be linked to


class NoMember(RecordError):
    """The proof names no member this terminal holds (or several: a shared number's last
    digits)."""

    def __init__(self) -> None:
        super().__init__("no member for this proof", problem="no_member", field="proof")


def masked(identity: Identity) -> str:
    """What of the identity may be shown: its last four digits."""
    if identity.kind == "phone" and identity.display:
        return identity.display.removeprefix("phone:")
    return "**** " + identity.value[-4:]


class LinkController(QObject):
    linked = Signal(object)  # clerk.ports.Opened: the member the identity was linked to

    def __init__(
        self,
        terminal: TerminalPort,
        view: LinkForm,
        runner: TaskRunner,
        bridge: MessageBridge,
        *,
        staff_id: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.view = view
        self.runner = runner
        self.bridge = bridge
        self.staff_id = staff_id
        self.identity: Identity | None = None  # what is being linked (the form open)
        self.pending: dict[str, str] = {}  # link ids recorded here, not yet settled → kind
        view.submit.connect(self.submit)
        view.cancel.connect(self.close)

    @staticmethod
    def linkable(identity: Identity | None) -> bool:
        return identity is not None and identity.kind in LINKABLE

    def open(self, identity: Identity | None) -> None:
        if identity is None or not self.linkable(identity):
            return
        self.identity = identity
        self.view.open(identity.kind, masked(identity))

    def close(self) -> None:
        self.identity = None
        self.view.hide()

    def customer_shown(self, member_id: str | None) -> None:
        """Another customer (or the member just linked) on the page: the form goes."""
        del member_id
        self.close()

    def take_scan(self, text: str) -> bool:
        """A scanner burst while the form is open: the member's code, as proof (False: the
        form is not open, the caller goes on)."""
        if self.identity is None or not self.view.isVisible() or not text.strip():
            return False
        self.view.proof.setText(text.strip())
        self.submit()
        return True

    def submit(self) -> None:
        identity = self.identity
        proof = self.view.proof.text().strip()
        if identity is None or not self.view.save.isEnabled():
            return
        if not proof:
            self.view.show_problem(_problem("no_proof"))
            return
        terminal, staff = self.terminal, self.staff_id
        self.view.save.setEnabled(False)

        def work() -> tuple[Recorded, Opened]:
            found = terminal.identify(proof)
            if found.kind not in ("code", "phone"):
                raise RecordError("not a member code or number", problem="no_proof", field="proof")
            member_id = terminal.resolve(found)
            if member_id is None:
                raise NoMember
            rec = terminal.link(
                member_id, identity=identity.kind, value=identity.value, proof=proof, staff_id=staff
            )
            return rec, terminal.open_customer(found, staff)

        self.runner.submit(
            work,
            lambda result: self._done(identity, result) if self.identity is identity else None,
            lambda exc: self._failed(exc) if self.identity is identity else None,
        )

    def _done(self, identity: Identity, result: tuple[Recorded, Opened]) -> None:
        rec, opened = result
        self.pending[rec.id] = identity.kind
        name = opened.view.profile.name if opened.view is not None else (opened.member_id or "")
        text = (
            translate("Link", "Card linked to %1 · will sync")
            if identity.kind == "card"
            else translate("Link", "Number linked to %1 · will sync")
        )
        self.bridge.success(texts.fill(text, name), key="recorded")
        self.close()
        self.linked.emit(opened)

    def _failed(self, exc: BaseException) -> None:
        self.view.save.setEnabled(True)
        if isinstance(exc, RecordError):
            at_field = exc.field == "proof"
            self.view.show_problem(_problem(exc.problem, exc.field), at_field)
        elif isinstance(exc, ClerkError):
            self.view.show_problem(_problem(exc.reason, "proof"))
        else:
            raise exc

    # --- the hub's answer --------------------------------------------------------------------

    def check_settled(self) -> None:
        """After a sync: tell the associate of a link the hub did not take."""
        if not self.pending:
            return
        ids, terminal = list(self.pending), self.terminal

        def work() -> list[Settled]:
            return [row for row in (terminal.left_for_a_person(i) for i in ids) if row]

        self.runner.submit(work, self._settled, lambda _exc: None)

    def _settled(self, rows: list[Settled]) -> None:
        for row in rows:
            if row.state in ("pending", "sent") or row.id not in self.pending:
                continue
            del self.pending[row.id]
            if row.state not in ("conflict", "rejected"):
                continue
            reason = texts.hub_reason(row.reason) if row.reason else None
            self.bridge.warning(
                texts.fill(
                    translate("Link", "The link was not applied — %1"),
                    reason or translate("Link", "ask a store manager"),
                ),
                key=f"sync:{row.id}",
            )


def _problem(problem: str, field: str | None = "proof") -> str:
    if field == "value":
        return translate("Link", "This card or number cannot be linked: scan or type it again.")
    if problem == "no_member":
        return translate(
            "Link",
            "No member on this terminal has this code or number. Scan the member's code, or "
            "sync and try again.",
        )
    if problem == "no_proof":
        return translate(
            "Link",
            "Scan the member's code, or type their full mobile number (e.g. 138 1234 5678).",
        )
    if problem in ("malformed", "product_barcode") or problem not in texts.REASONS:
        return _problem("no_proof")
    return texts.reason_message(problem)  # an expired code, a terminal not enrolled …
