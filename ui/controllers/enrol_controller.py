"""First start: enrol the terminal to its store, then the first download, then sign-in.

:class:`EnrolPage` is shown by ``ui.app`` when the terminal has no device id yet. The person
types (or scans) the hub address, the store id and the one-time enrolment code;
:func:`sync.local.enroll` runs on the page's worker thread, then the first
``sync_once(progress=…)``, whose progress callback (called on the worker thread) is re-emitted
through a queued signal to the GUI thread for the progress bar and the time left. Refusals
are shown under the field they concern, in the current language; nothing typed is lost. The
UI never talks HTTP itself: it calls ``sync.local`` on the worker.

The enrolment QR printed by ``clerk hub enrol-code --png`` holds the code itself
(``ABCD-EFGH-JKLM``). :func:`parse_enrol_payload` also reads a link form that carries the
hub and the store too (``…?hub=https://hub.example.com&store=S001&code=ABCD-EFGH-JKLM``) and
the same keys as a JSON object.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from clerk.errors import ClerkError, ConfigError
from clerk.settings import SETTINGS
from ui import texts
from ui.i18n import fmt_number
from ui.qt import (
    QFileDialog,
    QObject,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
    translate,
)
from ui.views.enrol_view import EnrolView
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None, float | None], None]
_CODE = re.compile(r"^[A-Za-z0-9]{6,32}$")


class NotEnrolCodeError(ClerkError):
    reason = "not_enrol_code"


@dataclass(frozen=True)
class EnrolPayload:
    """What an enrolment QR (or typed text) holds: the code, maybe the hub and store too."""

    code: str
    hub_url: str | None = None
    store_id: str | None = None


def normalise_code(text: str) -> str:
    """``abcd efgh-jklm`` → ``ABCD-EFGH-JKLM`` (the hub ignores spaces, dashes and case)."""
    raw = re.sub(r"[\s\-]", "", text).upper()
    if not _CODE.match(raw):
        raise NotEnrolCodeError(f"not an enrolment code: {text[:40]!r}")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _first(values: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = values.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return None


def parse_enrol_payload(text: str) -> EnrolPayload:
    """The enrolment details in scanned or pasted text. Raises NotEnrolCodeError."""
    body = text.strip()
    fields: dict[str, Any] | None = None
    if body.startswith("{"):
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise NotEnrolCodeError("unreadable enrolment QR") from exc
        if isinstance(doc, dict):
            fields = {str(k).lower(): v for k, v in doc.items()}
    elif "?" in body and "code=" in body.lower():
        query = urlsplit(body).query or body.split("?", 1)[1]
        fields = {k.lower(): v for k, v in parse_qs(query).items()}
    if fields is None:
        return EnrolPayload(normalise_code(body))
    code = _first(fields, "code", "enrol_code", "enrolment_code")
    if code is None:
        raise NotEnrolCodeError("the QR holds no enrolment code")
    return EnrolPayload(
        normalise_code(code),
        _first(fields, "hub", "hub_url", "url"),
        _first(fields, "store", "store_id"),
    )


def enrol_error(exc: ClerkError) -> tuple[str | None, str]:
    """(the field it concerns or None, the sentence to show) for a failed enrolment."""
    reason = exc.reason
    hub_reason = getattr(exc, "hub_reason", None)
    status = getattr(exc, "status", None)
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
    if hub_reason == "enrol_code_invalid" or reason == "device_revoked":
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


class EnrolJobs:
    """Qt-free: the work, run on the page's worker thread (``enroll`` and ``engine_for`` from
    ``sync.local`` unless given)."""

    def __init__(
        self,
        terminal: Any,
        *,
        enroll: Callable[..., Any] | None = None,
        engine_for: Callable[[Path], Any] | None = None,
    ) -> None:
        self.terminal = terminal
        self._enroll = enroll
        self._engine_for = engine_for

    def enrol(self, hub_url: str, store_id: str, code: str, device_name: str) -> Any:
        enroll = self._enroll
        if enroll is None:
            from sync.local import enroll as local_enroll

            enroll = local_enroll
        creds = enroll(Path(self.terminal.home), hub_url, store_id, code, device_name=device_name)
        # sync.local saved hub_url through its own Settings; keep the terminal's copy in step
        # (it rewrites the whole file on its next change).
        settings = self.terminal.settings
        settings.set("hub_url", creds.hub_url)
        if device_name:
            settings.set("device_name", device_name)
        return creds

    def first_pull(self, progress: Progress) -> Any:
        engine_for = self._engine_for
        if engine_for is None:
            from sync.local import engine_for as local_engine_for

            engine_for = local_engine_for
        engine = engine_for(Path(self.terminal.home))
        try:
            return engine.sync_once(progress=progress)
        finally:
            engine.close()


class EnrolController(QObject):
    progressed = Signal(int, object, object)  # done, remaining | None, eta s | None
    enrolled = Signal(object)  # sync.credentials.Credentials
    finished = Signal(object)  # the first SyncReport: ready for sign-in
    failed = Signal(object)  # a ClerkError of either step

    def __init__(
        self,
        view: EnrolView,
        jobs: EnrolJobs,
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
        settings = self.jobs.terminal.settings
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


class EnrolPage(QWidget):
    """The enrolment screen for the main window: ``done(SyncReport)`` once the terminal is
    enrolled and has its store's data."""

    done = Signal(object)

    def __init__(
        self,
        terminal: Any,
        *,
        jobs: EnrolJobs | None = None,
        runner: TaskRunner | None = None,
        choose_image: Callable[[], str | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enrolPage")
        self.runner = runner or TaskRunner("enrol", max_threads=1, parent=self)
        self.view = EnrolView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.controller = EnrolController(
            self.view,
            jobs or EnrolJobs(terminal),
            self.runner,
            choose_image=choose_image,
            parent=self,
        )
        self.controller.finished.connect(self.done)

    def take_scan(self, text: str) -> None:
        self.controller.take_scan(text)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._focus_first)

    def _focus_first(self) -> None:
        v = self.view
        if v.stage == "form":  # the first empty field takes the typing (or the scanner)
            empty = [e for e in (v.hub_url, v.store_id, v.code) if not e.text().strip()]
            (empty[0] if empty else v.submit).setFocus(Qt.FocusReason.OtherFocusReason)

    def shutdown(self, wait_ms: int = 30_000) -> None:
        self.runner.close(wait_ms)
