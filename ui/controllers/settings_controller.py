"""The settings screen: the manager's terminal settings and "copy diagnostics".

Every change a manager makes goes through :func:`clerk.staff.set_setting` — validated by
:mod:`clerk.settings`, refused for any other role, written to the audit log
(``settings_change``) — on the terminal's worker, through a short-lived writer connection to
outbox.db (``BEGIN IMMEDIATE`` serialises it with the other writers). A refused value is
shown under its field, in the current language; the values that were fine are saved.

Language and layout are display choices anyone may make; for a manager they are saved (and
audited) the same way, for anyone else straight into the settings file as before.

"Copy diagnostics" runs :func:`clerk.diagnostics.collect` on its own worker (the doctor's
checks take a moment) and puts the text on the clipboard.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clerk.db import connect
from clerk.errors import ClerkError, ConfigError
from clerk.staff import Session, allowed, set_setting
from ui import texts
from ui.messages import MessageBridge
from ui.qt import QGuiApplication, QObject, Signal, is_alive, translate
from ui.views.settings_page import TERMINAL_FIELDS, SettingsPage
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

Cameras = Callable[[], list[tuple[str, str]]]
Diagnostics = Callable[[Path], str]
_RANGE = re.compile(r"from (\d+) to (\d+)")


def _default_cameras() -> list[tuple[str, str]]:
    from ui.camera import available_cameras

    return available_cameras()


def _default_diagnostics(home: Path) -> str:
    from clerk.diagnostics import collect

    return collect(home)


def setting_error_text(name: str, exc: ClerkError) -> str:
    """The sentence under a field whose value was refused, in the current language."""
    if not isinstance(exc, ConfigError):
        return texts.reason_message(exc.reason)
    if name == "hub_url":
        return translate(
            "Settings",
            "Enter the hub's full address, e.g. https://hub.example.com or http://10.0.0.5:8000",
        )
    found = _RANGE.search(str(exc))
    if found is not None:
        return texts.fill(
            translate("Settings", "Enter a whole number from %1 to %2."), found[1], found[2]
        )
    if "200 characters" in str(exc):
        return translate("Settings", "Too long: at most 200 characters.")
    return texts.reason_message("config")


class SettingsWriter:
    """Qt-free: applies changes as the signed-in manager (each validated and audited)."""

    def __init__(self, terminal: Any) -> None:
        self.terminal = terminal

    def apply(self, session: Session | None, changes: dict[str, str]) -> dict[str, Any]:
        """Set each of ``changes``; returns name → new value, or the ConfigError refusing it.

        Raises PermissionDeniedError (nothing is changed) unless ``session`` is a manager's.
        """
        results: dict[str, Any] = {}
        if not changes:
            return results
        writer = connect(self.terminal.outbox_path, synchronous="FULL")
        try:
            now = int(self.terminal.clock())
            for name, value in changes.items():
                try:
                    results[name] = set_setting(
                        session, self.terminal.settings, name, value, audit_conn=writer, now=now
                    )
                except ConfigError as exc:
                    results[name] = exc
        finally:
            writer.close()
        return results


class SettingsController(QObject):
    """Fills the terminal settings from ``terminal.settings``, saves what changed, shows
    refusals inline. ``saved(dict)`` carries name → new value of what was saved."""

    saved = Signal(dict)
    diagnostics_copied = Signal(str)

    def __init__(
        self,
        page: SettingsPage,
        terminal: Any,
        runner: TaskRunner,
        bridge: MessageBridge,
        *,
        session: Callable[[], Session | None],
        cameras: Cameras | None = None,
        diagnostics: Diagnostics | None = None,
        diagnostics_runner: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = page
        self.terminal = terminal
        self.runner = runner
        self.bridge = bridge
        self.session = session
        self.cameras = cameras or _default_cameras
        self.diagnostics = diagnostics or _default_diagnostics
        self.diagnostics_runner = diagnostics_runner or TaskRunner(
            "diagnostics", max_threads=1, parent=self
        )
        self.writer = SettingsWriter(terminal)
        self._loaded: dict[str, str] = {}
        self._saving = False
        page.save.clicked.connect(self.save)
        page.revert.clicked.connect(self.load)
        page.diagnostics.clicked.connect(self.copy_diagnostics)
        for editor in (page.hub_url, page.idle_lock, page.retention):
            editor.textEdited.connect(self._edited)
            editor.returnPressed.connect(self.save)
        page.camera.currentIndexChanged.connect(self._edited)

    # --- who may ---------------------------------------------------------------------------------

    def is_manager(self) -> bool:
        s = self.session()
        return s is not None and allowed(s, "settings")

    def sync_role(self) -> None:
        """Show the terminal settings to a manager, the note to anyone else."""
        s = self.session()
        manager = self.is_manager()
        who = f"{s.name} ({s.staff_id})" if s is not None and manager else ""
        self.page.set_manager(manager, who)
        if manager:
            self.load()

    # --- values ----------------------------------------------------------------------------------

    def load(self) -> None:
        """Show the saved values (and forget edits and errors)."""
        settings = self.terminal.settings
        page = self.page
        values = {name: str(settings.get(name) or "") for name in TERMINAL_FIELDS}
        page.hub_url.setText(values["hub_url"])
        page.idle_lock.setText(values["idle_lock_minutes"])
        page.retention.setText(values["retention_days"])
        self._fill_cameras(values["camera"])
        self._loaded = values
        page.clear_errors()
        page.saved_note.setText("")
        page.set_dirty(False)

    def _fill_cameras(self, current: str) -> None:
        combo = self.page.camera
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(translate("Settings", "System default camera"), "")
        try:
            found = self.cameras()
        except RuntimeError as exc:  # the multimedia backend failed to load
            log.warning("cannot list cameras: %s", exc)
            found = []
        for device_id, name in found:
            combo.addItem(name or device_id, device_id)
        ids = [str(combo.itemData(i)) for i in range(combo.count())]
        if current and current not in ids:
            combo.addItem(translate("Settings", "Saved camera (not connected)"), current)
            ids.append(current)
        combo.setCurrentIndex(ids.index(current) if current in ids else 0)
        combo.blockSignals(False)

    def values(self) -> dict[str, str]:
        page = self.page
        camera = page.camera.currentData()
        return {
            "hub_url": page.hub_url.text().strip(),
            "idle_lock_minutes": page.idle_lock.text().strip(),
            "retention_days": page.retention.text().strip(),
            "camera": "" if camera is None else str(camera),
        }

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.values().items() if v != self._loaded.get(k, "")}

    def _edited(self, *_args: object) -> None:
        self.page.saved_note.setText("")
        self.page.set_dirty(bool(self.changes()))

    # --- saving ----------------------------------------------------------------------------------

    def save(self) -> None:
        if self._saving:
            return
        changes = self.changes()
        if not changes:
            return
        if not self.is_manager():
            self.bridge.warning(texts.reason_message("permission_denied"), key="settings")
            return
        session = self.session()
        self._saving = True
        self.page.save.setEnabled(False)
        self.runner.submit(
            lambda: self.writer.apply(session, changes), self._applied, self._apply_failed
        )

    def save_one(self, name: str, value: str) -> None:
        """A display choice (language, layout): audited for a manager, plain otherwise."""
        session = self.session()
        if session is not None and allowed(session, "settings"):
            self.runner.submit(
                lambda: self.writer.apply(session, {name: value}),
                lambda results: self._one_applied(name, results),
            )
        else:
            settings = self.terminal.settings
            self.runner.submit(lambda: settings.set(name, value))

    def _one_applied(self, name: str, results: dict[str, Any]) -> None:
        outcome = results.get(name)
        if isinstance(outcome, ClerkError):
            self.bridge.error(setting_error_text(name, outcome), key="settings")

    def _applied(self, results: dict[str, Any]) -> None:
        self._saving = False
        if not is_alive(self.page):
            return
        done: dict[str, Any] = {}
        refused = 0
        for name, outcome in results.items():
            field = self.page.fields[name]
            if isinstance(outcome, ClerkError):
                field.set_error(setting_error_text(name, outcome))
                refused += 1
            else:
                field.set_error("")
                done[name] = outcome
                self._loaded[name] = "" if outcome is None else str(outcome)
        # Show what was saved as it is now stored (e.g. a URL without its trailing slash).
        if "hub_url" in done:
            self.page.hub_url.setText(self._loaded["hub_url"])
        self.page.set_dirty(bool(self.changes()))
        if refused:
            first = next(n for n, o in results.items() if isinstance(o, ClerkError))
            self.page.fields[first].editor.setFocus()
            self.page.saved_note.setText(
                translate("Settings", "%n value(s) not saved — see below.", None, refused)
            )
        else:
            self.page.saved_note.setText(translate("Settings", "Saved."))
            self.bridge.success(translate("Settings", "Settings saved"), key="settings")
        if done:
            self.saved.emit(done)

    def _apply_failed(self, exc: BaseException) -> None:
        self._saving = False
        if not isinstance(exc, ClerkError):
            raise exc
        if is_alive(self.page):
            self.page.set_dirty(bool(self.changes()))
        self.bridge.error(texts.reason_message(exc.reason), key="settings")

    # --- diagnostics -----------------------------------------------------------------------------

    def copy_diagnostics(self) -> None:
        home = Path(self.terminal.home)
        collect = self.diagnostics
        self.page.diagnostics.setEnabled(False)
        self.bridge.info(translate("Settings", "Collecting diagnostics…"), key="diagnostics")
        self.diagnostics_runner.submit(
            lambda: collect(home), self._diagnostics_done, self._diagnostics_failed
        )

    def _diagnostics_done(self, text: str) -> None:
        if is_alive(self.page):
            self.page.diagnostics.setEnabled(True)
        QGuiApplication.clipboard().setText(text)
        self.bridge.success(
            translate("Settings", "Diagnostics copied — paste them into your message to IT."),
            key="diagnostics",
        )
        self.diagnostics_copied.emit(text)

    def _diagnostics_failed(self, exc: BaseException) -> None:
        if is_alive(self.page):
            self.page.diagnostics.setEnabled(True)
        if not isinstance(exc, ClerkError):
            raise exc
        self.bridge.error(texts.reason_message(exc.reason), key="diagnostics")

    def shutdown(self, wait_ms: int = 10_000) -> None:
        self.diagnostics_runner.close(wait_ms)
