"""The settings screen: the manager's terminal settings and "copy diagnostics".

Every change a manager makes goes through ``TerminalPort.change_settings`` on the terminal's
worker — validated by :mod:`clerk.settings`, refused for any other role, written to the audit
log (``settings_change``) through the terminal's one outbox writer. A refused value is shown
under its field, in the current language; the values that were fine are saved.

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
from typing import TYPE_CHECKING, Any

from clerk.errors import ClerkError, ConfigError
from clerk.staff import Session, allowed
from ui import texts
from ui.messages import MessageBridge
from ui.qt import QGuiApplication, QObject, Signal, is_alive, translate
from ui.views.settings_view import TERMINAL_FIELDS, SettingsView
from ui.workers import TaskRunner

if TYPE_CHECKING:
    from clerk.ports import TerminalPort

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
            "Enter the hub's full address, e.g. https://hub.example.com (http:// only for a hub "
            "on this machine)",
        )
    found = _RANGE.search(str(exc))
    if found is not None:
        return texts.fill(
            translate("Settings", "Enter a whole number from %1 to %2."), found[1], found[2]
        )
    if "200 characters" in str(exc):
        return translate("Settings", "Too long: at most 200 characters.")
    return texts.reason_message("config")


class SettingsController(QObject):
    """Fills the terminal settings from ``terminal.settings``, saves what changed, shows
    refusals inline. ``saved(dict)`` carries name → new value of what was saved."""

    saved = Signal(dict)
    diagnostics_copied = Signal(str)

    def __init__(
        self,
        terminal: TerminalPort,
        view: SettingsView,
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
        self.terminal = terminal
        self.view = view
        self.runner = runner
        self.bridge = bridge
        self.session = session
        self.cameras = cameras or _default_cameras
        self.diagnostics = diagnostics or _default_diagnostics
        self.diagnostics_runner = diagnostics_runner or TaskRunner(
            "diagnostics", max_threads=1, parent=self
        )
        self._loaded: dict[str, str] = {}
        self._saving = False
        view.save.clicked.connect(self.save)
        view.revert.clicked.connect(self.load)
        view.diagnostics.clicked.connect(self.copy_diagnostics)
        for editor in (view.hub_url, view.idle_lock, view.retention):
            editor.textEdited.connect(self._edited)
            editor.returnPressed.connect(self.save)
        view.camera.currentIndexChanged.connect(self._edited)

    # --- who may ---------------------------------------------------------------------------------

    def is_manager(self) -> bool:
        s = self.session()
        return s is not None and allowed(s, "settings")

    def sync_role(self) -> None:
        """Show the terminal settings to a manager, the note to anyone else."""
        s = self.session()
        manager = self.is_manager()
        who = f"{s.name} ({s.staff_id})" if s is not None and manager else ""
        self.view.set_manager(manager, who)
        if manager:
            self.load()

    # --- values ----------------------------------------------------------------------------------

    def load(self) -> None:
        """Show the saved values (and forget edits and errors)."""
        settings = self.terminal.settings
        view = self.view
        values = {name: str(settings.get(name) or "") for name in TERMINAL_FIELDS}
        view.hub_url.setText(values["hub_url"])
        view.idle_lock.setText(values["idle_lock_minutes"])
        view.retention.setText(values["retention_days"])
        self._fill_cameras(values["camera"])
        self._loaded = values
        view.clear_errors()
        view.saved_note.setText("")
        view.set_dirty(False)

    def _fill_cameras(self, current: str) -> None:
        combo = self.view.camera
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
        view = self.view
        camera = view.camera.currentData()
        return {
            "hub_url": view.hub_url.text().strip(),
            "idle_lock_minutes": view.idle_lock.text().strip(),
            "retention_days": view.retention.text().strip(),
            "camera": "" if camera is None else str(camera),
        }

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.values().items() if v != self._loaded.get(k, "")}

    def _edited(self, *_args: object) -> None:
        self.view.saved_note.setText("")
        self.view.set_dirty(bool(self.changes()))

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
        session, terminal = self.session(), self.terminal
        self._saving = True
        self.view.save.setEnabled(False)
        self.runner.submit(
            lambda: terminal.change_settings(session, changes), self._applied, self._apply_failed
        )

    def save_one(self, name: str, value: str) -> None:
        """A display choice (language, layout): audited for a manager, plain otherwise."""
        session, terminal = self.session(), self.terminal
        if session is not None and allowed(session, "settings"):
            self.runner.submit(
                lambda: terminal.change_settings(session, {name: value}),
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
        if not is_alive(self.view):
            return
        done: dict[str, Any] = {}
        refused = 0
        for name, outcome in results.items():
            field = self.view.fields[name]
            if isinstance(outcome, ClerkError):
                field.set_error(setting_error_text(name, outcome))
                refused += 1
            else:
                field.set_error("")
                done[name] = outcome
                self._loaded[name] = "" if outcome is None else str(outcome)
        # Show what was saved as it is now stored (e.g. a URL without its trailing slash).
        if "hub_url" in done:
            self.view.hub_url.setText(self._loaded["hub_url"])
        self.view.set_dirty(bool(self.changes()))
        if refused:
            first = next(n for n, o in results.items() if isinstance(o, ClerkError))
            self.view.fields[first].editor.setFocus()
            self.view.saved_note.setText(
                translate("Settings", "%n value(s) not saved — see below.", None, refused)
            )
        else:
            self.view.saved_note.setText(translate("Settings", "Saved."))
            self.bridge.success(translate("Settings", "Settings saved"), key="settings")
        if done:
            self.saved.emit(done)

    def _apply_failed(self, exc: BaseException) -> None:
        self._saving = False
        if not isinstance(exc, ClerkError):
            raise exc
        if is_alive(self.view):
            self.view.set_dirty(bool(self.changes()))
        self.bridge.error(texts.reason_message(exc.reason), key="settings")

    # --- diagnostics -----------------------------------------------------------------------------

    def copy_diagnostics(self) -> None:
        home = Path(self.terminal.home)
        collect = self.diagnostics
        self.view.diagnostics.setEnabled(False)
        self.bridge.info(translate("Settings", "Collecting diagnostics…"), key="diagnostics")
        self.diagnostics_runner.submit(
            lambda: collect(home), self._diagnostics_done, self._diagnostics_failed
        )

    def _diagnostics_done(self, text: str) -> None:
        if is_alive(self.view):
            self.view.diagnostics.setEnabled(True)
        QGuiApplication.clipboard().setText(text)
        self.bridge.success(
            translate("Settings", "Diagnostics copied — paste them into your message to IT."),
            key="diagnostics",
        )
        self.diagnostics_copied.emit(text)

    def _diagnostics_failed(self, exc: BaseException) -> None:
        if is_alive(self.view):
            self.view.diagnostics.setEnabled(True)
        if not isinstance(exc, ClerkError):
            raise exc
        self.bridge.error(texts.reason_message(exc.reason), key="diagnostics")

    def shutdown(self, wait_ms: int = 10_000) -> None:
        self.diagnostics_runner.close(wait_ms)
