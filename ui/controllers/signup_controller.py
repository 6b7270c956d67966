"""Sign-up at the counter (the form: ui/views/signup_view.py; the rules: clerk/signup.py).

Opened from the prompt for someone no member matches (the number typed at the scan, if any,
filled in): the chain's consent wording in the current language is read from the cache; Sign
up records the sign-up and the customer's visit on the terminal's worker, then the customer
page shows the new member at once ("new member, pending sync") with the sign-up QR the member
app redeems (``SU1:<provisional id>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clerk.errors import ClerkError, RecordError
from ui import texts
from ui.i18n import is_chinese
from ui.qt import QObject, QPixmap, Signal, translate

if TYPE_CHECKING:
    from clerk.model import Identity, Provisional, SignupText
    from clerk.ports import Opened, TerminalPort
    from ui.messages import MessageBridge
    from ui.views.signup_view import SignupForm
    from ui.workers import TaskRunner

QR_SCALE = 4


class SignupController(QObject):
    signed_up = Signal(object)  # clerk.ports.Opened: the new member, served

    def __init__(
        self,
        terminal: TerminalPort,
        view: SignupForm,
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
        self.consent: SignupText | None = None
        self.member_id: str | None = None  # the member just signed up (their code shown)
        view.submit.connect(self.submit)
        view.cancel.connect(self.close)

    def open(self, identity: Identity | None = None) -> None:
        phone = identity.value if identity is not None and identity.kind == "phone" else ""
        self.view.open(phone)
        terminal, lang = self.terminal, "zh" if is_chinese() else "en"
        self.runner.submit(lambda: terminal.signup_text(lang), self._consent, self._failed)

    def _consent(self, consent: SignupText | None) -> None:
        self.consent = consent
        self.view.set_consent(consent.version if consent else "", consent.text if consent else None)

    def close(self) -> None:
        self.member_id = None
        self.view.hide()

    def customer_shown(self, member_id: str | None) -> None:
        """Another customer on the page: the form (or the code) of this one goes."""
        if member_id is None or member_id != self.member_id:
            self.close()

    def submit(self) -> None:
        consent = self.consent
        if consent is None:
            return
        v = self.view
        phone, name = v.phone.text(), v.name.text()
        birthday = v.birthday.text().strip() or None
        marketing, browsing = v.marketing.isChecked(), v.browsing.isChecked()
        terminal, staff = self.terminal, self.staff_id
        v.save.setEnabled(False)

        def work() -> tuple[Provisional, Opened]:
            made = terminal.sign_up(
                phone=phone,
                name=name,
                consent=consent,
                marketing=marketing,
                browsing=browsing,
                birthday=birthday,
                staff_id=staff,
            )
            return made, terminal.open_signed_up(made.id, staff)

        self.runner.submit(work, self._done, self._failed)

    def _done(self, result: tuple[Provisional, Opened]) -> None:
        from clerk.shared.barcodes import qr_png

        made, opened = result
        self.member_id = opened.member_id
        image = QPixmap()
        image.loadFromData(qr_png(made.code, scale=QR_SCALE))
        self.view.show_code(
            image,
            translate(
                "Signup",
                "New member, pending sync. They scan this in the member app to finish "
                "joining; their member code works once the terminal has synced.",
            ),
        )
        self.view.save.setEnabled(False)
        self.bridge.success(
            translate("Signup", "New member signed up · pending sync"), key="recorded"
        )
        self.signed_up.emit(opened)

    def _failed(self, exc: BaseException) -> None:
        self.view.save.setEnabled(self.consent is not None)
        if isinstance(exc, RecordError):
            self.view.show_problem(_problem(exc.field, exc.problem), _field(exc.field))
        elif isinstance(exc, ClerkError):
            self.view.show_problem(texts.reason_message(exc.reason))
        else:
            raise exc

    def retranslate(self) -> None:
        if self.view.isVisible():
            self.view.retranslate()


def _field(field: str | None) -> str | None:
    return {"phone": "phone", "name": "name", "birthday": "birthday"}.get(field or "")


def _problem(field: str | None, problem: str) -> str:
    if field == "phone":
        return translate("Signup", "Type the full mobile number, e.g. 138 1234 5678.")
    if field == "name":
        return translate("Signup", "Type the customer's name.")
    if field == "birthday":
        return translate("Signup", "A birthday is a date: YYYY-MM-DD.")
    return texts.record_problem(field, problem)
