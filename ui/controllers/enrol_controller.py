"""The enrolment screen — first start: enrol the terminal to its store, then the first
download, then sign-in.

``ui.app`` shows it when the terminal has no device id yet. The person types (or scans) the
hub address, the store id and the one-time enrolment code (:func:`sync.enrolment.
parse_enrol_payload` reads what a QR holds); :class:`sync.enrolment.Enrolment` enrols on this
screen's worker thread, then makes the first download, whose progress callback (called on the
worker thread) is re-emitted through a queued signal to the GUI thread for the progress bar and
the time left. Refusals are shown under the field they concern, in the current language;
nothing typed is lost. The UI never talks HTTP itself.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from clerk.errors import ClerkError, ConfigError
from clerk.settings import SETTINGS, InsecureHubUrlError
from sync.enrolment import Enrolment, NotEnrolCodeError, parse_enrol_payload
from ui import texts
from ui.i18n import fmt_number
from ui.qt import QFileDialog, QObject, Signal, is_alive, translate
from ui.views.enrol_view import EnrolView
from ui.workers import TaskRunner

log = logging.getLogger(__name__)


def enrol_error(exc: ClerkError) -> tuple[str | None, str]:
    """(the field it concerns or None, the sentence to show) for a failed enrolment."""
    reason = exc.reason
    hub_reason = getattr(exc, "hub_reason", None)
    status = getattr(exc, "status", None)
    if isinstance(exc, InsecureHubUrlError):
        return "hub_url", translate(
            "Enrol",
            "The hub's address must start with https:// — http:// only for a hub on this machine.",
        )
    if isinstance(exc, ConfigError) or reason == "hub_url":
        return "hub_url", translate(
            "Enrol", "Enter the hub's full address, starting with https:// or http://."
        )
    if isinstance(exc, NotEnrolCodeError):
        return "code", translate(
            "Enrol", "That is not an enrolment code — scan the enrolment QR code from IT or HQ."
        )
    if reason == "offline":
        return "hub_url", translate(
            "Enrol",
            "The hub does not answer at this address — check the address and the network "
            "connection, then try again.",
        )
    if hub_reason == "enrol_code_used":
        return "code", translate("Enrol", "This code has already been used — ask for a new one.")
    if hub_reason == "enrol_code_expired":
        return "code", translate("Enrol", "This code has expired — ask for a new one.")
    if hub_reason == "enrol_code_invalid" or reason in ("unauthorized", "device_revoked"):
        return "code", translate(
            "Enrol",
            "The hub does not accept this code for this store — check the store ID and the code.",
        )
    if reason == "hub_busy":
        return None, translate("Enrol", "The hub is busy right now — try again in a minute.")
    if status == 404 or reason == "protocol":
        return "hub_url", translate(
            "Enrol",
            "Something answers at this address, but it is not an Omni Clerk hub — check the "
            "address.",
        )
    if reason == "rejected":
        return None, texts.fill(
            translate("Enrol", "The hub refused the enrolment: %1"), str(exc)[:200]
        )
    return None, texts.reason_message(reason)


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return translate("Enrol", "about %n second(s) left", None, max(1, round(seconds)))
    return translate("Enrol", "about %n minute(s) left", None, round(seconds / 60))


class EnrolController(QObject):
    progressed = Signal(int, object, object)  # done, remaining | None, eta s | None
    enrolled = Signal(object)  # sync.credentials.Credentials
    finished = Signal(object)  # the first SyncReport: ready for sign-in
    failed = Signal(object)  # a ClerkError of either step

    def __init__(
        self,
        view: EnrolView,
        jobs: Enrolment,
        runner: TaskRunner,
        *,
        choose_image: Callable[[], str | None] | None = None,
        decode_file: Callable[[str], list[Any]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.jobs = jobs
        self.runner = runner
        self.choose_image = choose_image or self._ask_image
        self._decode_file = decode_file
        self.credentials: Any = None
        self.report: Any = None
        self.progressed.connect(self._show_progress)
        view.submit.clicked.connect(self.submit)
        for editor in (view.hub_url, view.store_id, view.code, view.device_name):
            editor.returnPressed.connect(self.submit)
        view.code.editingFinished.connect(self._tidy_code)
        view.read_image.clicked.connect(self.read_image)
        self.prefill()

    def prefill(self) -> None:
        settings = self.jobs.settings
        v = self.view
        if not v.hub_url.text():
            v.hub_url.setText(str(settings.get("hub_url") or ""))
        if not v.device_name.text():
            v.device_name.setText(str(settings.get("device_name") or ""))
        v.set_stage("form")

    # --- input -----------------------------------------------------------------------------------

    def take_scan(self, text: str) -> None:
        """A scanner (or an image, or a paste) read an enrolment QR: fill what it holds."""
        if self.view.stage != "form":
            return
        try:
            payload = parse_enrol_payload(text)
        except NotEnrolCodeError as exc:
            self.view.fields["code"].set_error(enrol_error(exc)[1])
            return
        v = self.view
        v.code.setText(payload.code)
        v.fields["code"].set_error("")
        if payload.hub_url:
            v.hub_url.setText(payload.hub_url)
        if payload.store_id:
            v.store_id.setText(payload.store_id)
        empty = next((e for e in (v.hub_url, v.store_id) if not e.text().strip()), None)
        (empty or v.submit).setFocus()

    def _tidy_code(self) -> None:
        text = self.view.code.text()
        if text.strip():
            with contextlib.suppress(NotEnrolCodeError):  # said when submitting
                self.view.code.setText(parse_enrol_payload(text).code)

    def _ask_image(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(
            self.view,
            translate("Enrol", "Read the enrolment QR code from an image"),
            "",
            translate("Enrol", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"),
        )
        return path or None

    def read_image(self) -> None:
        path = self.choose_image()
        if not path:
            return
        decode = self._decode_file

        def work() -> list[Any]:
            if decode is not None:
                return decode(path)
            from clerk.decode import decode_file

            return decode_file(path)

        self.runner.submit(work, self._image_read, self._image_failed)

    def _image_read(self, found: list[Any]) -> None:
        if not is_alive(self.view):
            return
        if not found:
            self.view.fields["code"].set_error(texts.reason_message("no_code_found"))
            return
        self.take_scan(str(getattr(found[0], "text", found[0])))

    def _image_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        if is_alive(self.view):
            self.view.fields["code"].set_error(texts.reason_message(exc.reason))

    # --- enrolling -------------------------------------------------------------------------------

    def collect(self) -> tuple[str, str, str, str] | None:
        """The form's values, checked; None (with the errors shown) when one is missing."""
        v = self.view
        v.clear_errors()
        url, store = v.hub_url.text().strip(), v.store_id.text().strip()
        code_text, name = v.code.text().strip(), v.device_name.text().strip()
        errors: dict[str, str] = {}
        try:
            url = str(SETTINGS["hub_url"].parse(url)) if url else ""
        except ConfigError as exc:
            errors["hub_url"] = enrol_error(exc)[1]
        if not url and "hub_url" not in errors:
            errors["hub_url"] = translate("Enrol", "Enter the hub address.")
        if not store:
            errors["store_id"] = translate("Enrol", "Enter the store ID.")
        code = ""
        if not code_text:
            errors["code"] = translate("Enrol", "Enter or scan the enrolment code.")
        else:
            try:
                code = parse_enrol_payload(code_text).code
            except NotEnrolCodeError as exc:
                errors["code"] = enrol_error(exc)[1]
        if errors:
            for key, text in errors.items():
                v.fields[key].set_error(text)
            v.fields[next(iter(errors))].editor.setFocus()
            return None
        return url, store, code, name or "terminal"

    def submit(self) -> None:
        if self.view.stage == "retry":
            self.pull()
            return
        if self.view.stage != "form":
            return
        values = self.collect()
        if values is None:
            return
        url, store, code, name = values
        self.view.set_stage("enrolling")
        self.view.progress.set_fraction(None)
        self.view.progress_text.setText(translate("Enrol", "Connecting to the hub…"))
        jobs = self.jobs
        self.runner.submit(
            lambda: jobs.enrol(url, store, code, name), self._enrolled, self._enrol_failed
        )

    def _enrolled(self, creds: Any) -> None:
        self.credentials = creds
        self.enrolled.emit(creds)
        if is_alive(self.view):
            self.view.set_summary(
                texts.fill(
                    translate("Enrol", "Enrolled to %1 (%2) at %3."),
                    creds.store_name or creds.store_id,
                    creds.store_id,
                    creds.hub_url,
                )
            )
            self.pull()

    def _enrol_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        log.warning("enrolment failed: %s", exc)
        if is_alive(self.view):
            self.view.set_stage("form")
            field, text = enrol_error(exc)
            if field is None:
                self.view.set_message(text)
            else:
                self.view.fields[field].set_error(text)
                self.view.fields[field].editor.setFocus()
        self.failed.emit(exc)

    # --- the first download ----------------------------------------------------------------------

    def pull(self) -> None:
        v = self.view
        v.set_message("")
        v.set_stage("downloading")
        v.progress.set_fraction(None)
        v.progress_text.setText(translate("Enrol", "Asking the hub for the store's data…"))
        emit = self.progressed.emit  # from the worker thread: queued to the GUI thread
        jobs = self.jobs
        self.runner.submit(lambda: jobs.first_pull(emit), self._pulled, self._pull_failed)

    def _show_progress(self, done: int, remaining: Any, eta: Any) -> None:
        if not is_alive(self.view):
            return
        v = self.view
        if remaining is None:
            v.progress.set_fraction(None)
            v.progress_text.setText(translate("Enrol", "%n record(s) downloaded…", None, int(done)))
            return
        total = int(done) + int(remaining)
        v.progress.set_fraction(1.0 if total == 0 else int(done) / total)
        text = texts.fill(
            translate("Enrol", "%1 of %2 records"), fmt_number(int(done)), fmt_number(total)
        )
        left = eta_text(None if eta is None or not remaining else float(eta))
        v.progress_text.setText(f"{text} · {left}" if left else text)

    def _pulled(self, report: Any) -> None:
        self.report = report
        if is_alive(self.view):
            v = self.view
            v.set_stage("done")
            v.progress.set_fraction(1.0)
            pulled = getattr(getattr(report, "pulled", None), "changes", None)
            v.progress_text.setText(
                translate("Enrol", "Done — %n record(s) downloaded.", None, int(pulled or 0))
                if pulled is not None
                else translate("Enrol", "Done.")
            )
        self.finished.emit(report)

    def _pull_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, ClerkError):
            raise exc
        log.warning("first download failed: %s", exc)
        if is_alive(self.view):
            v = self.view
            v.set_stage("retry")
            v.progress.set_fraction(0.0)
            v.progress_text.setText(
                translate(
                    "Enrol",
                    "The terminal is enrolled; the download stopped. What arrived is kept.",
                )
            )
            v.set_message(enrol_error(exc)[1])
            v.submit.setFocus()
        self.failed.emit(exc)

    def shutdown(self, wait_ms: int = 30_000) -> None:
        self.runner.close(wait_ms)
