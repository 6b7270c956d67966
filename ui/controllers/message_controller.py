"""The outreach message (issue 17 item 6) for the Follow-ups and My customers screens: for the
selected task or customer (its first open task, else its client-book reason), what to draft
from (``Terminal.outreach``: the member's name and consent, the cached templates, the task's
facts) is read on the terminal runner; the "Message" button is enabled only with the member's
marketing consent (else disabled, the hint says why). The panel (``ui.views.message_view``)
shows the message drafted in the UI's language (:func:`clerk.outreach.draft`, editable); Copy
puts it on the clipboard, Share hands an ``sms:`` / ``mailto:`` link to the OS when the member
has what it needs, and Mark contacted records ``contacted`` for the task
(``Terminal.record_contacted``, with the template's id)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from clerk import outreach
from clerk.errors import ClerkError
from clerk.staff import Session
from ui import texts
from ui.i18n import is_chinese
from ui.messages import MessageBridge
from ui.models.client_book_model import REASONS
from ui.models.follow_ups_model import RULES
from ui.qt import QObject, QPushButton, Signal, copy_text, open_url, translate
from ui.views.message_view import MessagePanel
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.outbox import Recorded
    from clerk.ports import TerminalPort


class MessageController(QObject):
    recorded = Signal(object)  # clerk.outbox.Recorded
    ready = Signal()  # what to draft from is read (or refused) for the selection

    def __init__(
        self,
        terminal: TerminalPort,
        panel: MessagePanel,
        button: QPushButton,
        runner: TaskRunner,
        bridge: MessageBridge,
        *,
        session: Callable[[], Session | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.panel = panel
        self.button = button
        self.runner = runner
        self.bridge = bridge
        self.session = session
        self.prepared: outreach.Prepared | None = None
        self.template_id: str | None = None
        self._asked: tuple[str, str | None] | None = None
        self._reason: str | None = None
        self.why_not = ""  # why Message is disabled, as the hint says it
        button.setEnabled(False)
        button.clicked.connect(self.open)
        panel.copy.clicked.connect(self.copy)
        panel.share.clicked.connect(self.share)
        panel.contacted.clicked.connect(self.mark_contacted)

    def _signed_in(self) -> str | None:
        session = self.session()
        return None if session is None else session.staff_id

    def select(
        self, member_id: str | None, task_id: str | None = None, *, reason: str | None = None
    ) -> None:
        """The selection changed: read what to draft a message to ``member_id`` from (for the
        task named; none named: the member's first open task, else ``reason`` — a client-book
        reason such as birthday —, else ``any``)."""
        self.prepared = None
        self._reason = reason
        self.button.setEnabled(False)
        self.panel.hide()
        signed_in = self._signed_in()
        if member_id is None or signed_in is None:
            self._asked = None
            return
        asked = (member_id, task_id)
        self._asked = asked
        terminal = self.terminal
        self.runner.submit(
            lambda: terminal.outreach(member_id, signed_in, task_id=task_id),
            lambda p: self._prepared(asked, p),
            self._failed,
        )

    def _prepared(self, asked: tuple[str, str | None], prepared: outreach.Prepared) -> None:
        if asked != self._asked:
            return  # the selection moved on
        if prepared.task_id is None and self._reason:
            prepared = replace(prepared, facts=outreach.Facts(self._reason))
        self.prepared = prepared
        self.button.setEnabled(prepared.consent)
        self.why_not = (
            ""
            if prepared.consent
            else translate("Outreach", "No marketing consent: no message to this customer.")
        )
        self.button.setToolTip(self.why_not)
        self.ready.emit()

    def label(self, facts: outreach.Facts) -> str:
        """The reason as the screen says it: a rule's words, else the task's title."""
        if facts.reason in RULES:
            return translate("FollowUps", RULES[facts.reason])
        if facts.reason in REASONS:
            return translate("ClientBook", REASONS[facts.reason])
        return facts.label

    def open(self) -> None:
        """Draft the message in the UI's language and show it in the panel."""
        p = self.prepared
        if p is None or not p.consent:
            return
        lang = "zh" if is_chinese() else "en"
        d = outreach.draft(p.templates, p.name, replace(p.facts, label=self.label(p.facts)), lang)
        self.template_id = d.template_id
        url = outreach.share_url(d.text, phone=p.phone, email=p.email)
        self.panel.show_message(p.name, d.text, can_share=url is not None)
        self.panel.text.setFocus()

    def copy(self) -> None:
        copy_text(self.panel.message())
        self.bridge.success(translate("Outreach", "Message copied"), key="outreach")

    def share(self) -> None:
        p = self.prepared
        if p is None:
            return
        url = outreach.share_url(self.panel.message(), phone=p.phone, email=p.email)
        if url is not None:
            open_url(url)

    def mark_contacted(self) -> None:
        p, signed_in = self.prepared, self._signed_in()
        if p is None or signed_in is None:
            return
        terminal, template = self.terminal, self.template_id
        self.runner.submit(
            lambda: terminal.record_contacted(
                p.member_id, signed_in, task_id=p.task_id, template=template
            ),
            self._recorded,
            self._failed,
        )

    def _recorded(self, rec: Recorded) -> None:
        self.bridge.success(
            translate("FollowUps", "Contact recorded · pending sync"), key="recorded"
        )
        self.panel.hide()
        self.recorded.emit(rec)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        if exc.reason == "no_marketing_consent":
            text = translate("Outreach", "No marketing consent: no message to this customer.")
        else:
            text = texts.reason_message(exc.reason)
        self.bridge.error(text, key="outreach")

    def forget(self) -> None:
        self.prepared = None
        self._asked = None
        self.panel.hide()
        self.button.setEnabled(False)
