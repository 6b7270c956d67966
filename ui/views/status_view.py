"""The status bar (network, last sync, pending, associate) and the toast overlay."""

from __future__ import annotations

from typing import Any

from ui.qt import (
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QObject,
    QPainter,
    QSize,
    QStatusBar,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ui.theme import icon_pixmap
from ui.views.widgets import button, label, set_prop, tool_button


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when it has less room than it needs, instead
    of being cut off at the window's edge (the whole text is its tooltip then)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        ellipsis = self.fontMetrics().horizontalAdvance("…")
        return QSize(min(hint.width(), ellipsis * 4), hint.height())

    def shown_text(self) -> str:
        """The text as painted: whole, or shortened to fit with "…"."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._sync_tooltip()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._sync_tooltip()

    def _sync_tooltip(self) -> None:
        self.setToolTip("" if self.shown_text() == self.text() else self.text())

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )


class StatusItem(QWidget):
    """An icon and a text, for the status bar (``elide``: the text may shorten to "…")."""

    def __init__(self, icon_name: str, object_name: str, *, elide: bool = False) -> None:
        super().__init__()
        self.setObjectName(object_name)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 0, 10, 0)
        row.setSpacing(6)
        self.icon = QLabel()
        self.icon.setFixedSize(16, 16)
        row.addWidget(self.icon)
        self.text = ElidedLabel() if elide else QLabel()
        self.text.setObjectName("statusText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.text)
        self.set_icon(icon_name, "text_muted")

    def set_icon(self, name: str, tint: str) -> None:
        self.icon.setPixmap(icon_pixmap(name, 16, tint, self.devicePixelRatioF()))

    def set_text(self, text: str, accessible: str = "", *, whole: bool = False) -> None:
        """``whole``: an eliding item shows this text in full (the others give way)."""
        self.text.setText(text)
        self.setAccessibleName(accessible or text)
        if isinstance(self.text, ElidedLabel):
            self.text.setMinimumWidth(self.text.sizeHint().width() if whole else 0)


class StatusBarView(QStatusBar):
    """Network, last sync, pending and the signed-in associate. ``compact`` (the handheld
    layout): the last sync is hidden and the associate shown by name alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compact = False
        self.setSizeGripEnabled(False)
        self.network = StatusItem("offline", "statusNetwork")
        self.last_sync = StatusItem("sync", "statusLastSync", elide=True)
        self.pending = StatusItem("clock", "statusPending", elide=True)
        # Who is signed in is shown whole; "nobody" shortens on a narrow bar.
        self.associate = StatusItem("user", "statusAssociate", elide=True)
        self.addWidget(self.network)
        self.addWidget(self.last_sync)
        self.addWidget(self.pending)
        self.addPermanentWidget(self.associate)


class Toast(QFrame):
    def __init__(self, level: str, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setProperty("toast", level)
        self.setObjectName("toast")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 6, 10)
        row.setSpacing(10)
        icons = {"error": "warning", "warning": "warning", "success": "check", "info": "info"}
        ic = QLabel()
        ic.setPixmap(icon_pixmap(icons.get(level, "info"), 20, "surface", self.devicePixelRatioF()))
        row.addWidget(ic, 0, Qt.AlignmentFlag.AlignTop)
        self.text = label(text, wrap=True)
        row.addWidget(self.text, 1)
        self.action = button("", kind="ghost", object_name="toastAction")
        self.action.setMinimumHeight(36)
        self.action.hide()
        self.action.clicked.connect(self._act)
        self._run: Any = None
        row.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)
        self.close_button = tool_button("close", tint="surface")
        self.close_button.setMinimumSize(36, 36)
        self.close_button.clicked.connect(self.deleteLater)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName(text)
        self.key = ""

    def set_action(self, text: str, run: Any) -> None:
        """One action on the toast (``run()`` on a click, then the toast goes)."""
        self._run = run
        self.action.setText(text)
        self.action.setAccessibleName(text)
        self.action.setVisible(bool(text) and callable(run))

    def _act(self) -> None:
        if callable(self._run):
            self._run()
        self.deleteLater()

    def set_text(self, level: str, text: str) -> None:
        set_prop(self, "toast", level)
        self.text.setText(text)
        self.setAccessibleName(text)


class ToastArea(QWidget):
    """Non-blocking toasts stacked at the bottom of ``host``; they never take the focus."""

    LEVELS = ("info", "success", "warning", "error")

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("toasts")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, False)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(8)
        self.host = host
        host.installEventFilter(self)
        self.durations = {"info": 4000, "success": 3500, "warning": 7000, "error": 9000}
        self.max_toasts = 3
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.host and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def toasts(self) -> list[Toast]:
        return [w for w in self.findChildren(Toast) if not w.isHidden()]

    def show_toast(self, level: int, text: str, key: str = "") -> Toast:
        name = self.LEVELS[max(0, min(level, 3))]
        if key:
            for t in self.toasts():
                if t.key == key:
                    t.set_text(name, text)
                    self._restart(t, name)
                    return t
        toast = Toast(name, text, self)
        toast.key = key
        toast.destroyed.connect(self._relayout)
        self.box.addWidget(toast)
        existing = self.toasts()
        for old in existing[: max(0, len(existing) - self.max_toasts)]:
            old.hide()
            old.deleteLater()
        self._restart(toast, name)
        self.show()
        self.raise_()
        self._place()
        return toast

    def offer_toast(self, level: int, text: str, key: str, action: str, run: Any) -> Toast:
        """A toast with one action (it stays a while longer: there is something to click)."""
        toast = self.show_toast(level, text, key)
        toast.set_action(action, run)
        timer = toast.findChild(QTimer, "toastTimer")
        if timer is not None:
            timer.start(max(timer.interval(), 10_000))
        return toast

    def update_toast(self, text: str, key: str) -> None:
        """The toast shown under ``key`` (if any) says ``text`` now; its timer is kept."""
        for t in self.toasts():
            if t.key == key:
                t.text.setText(text)
                t.setAccessibleName(text)

    def _restart(self, toast: Toast, level: str) -> None:
        timer = toast.findChild(QTimer, "toastTimer")
        if timer is None:
            timer = QTimer(toast)
            timer.setObjectName("toastTimer")
            timer.setSingleShot(True)
            timer.timeout.connect(toast.deleteLater)
        timer.start(self.durations[level])

    def _relayout(self) -> None:
        QTimer.singleShot(0, self, self._place)  # dropped if the area is gone by then

    def _place(self) -> None:
        if not self.toasts():
            self.hide()
            return
        width = min(560, self.host.width() - 24)
        self.setFixedWidth(width)
        self.adjustSize()
        x = (self.host.width() - width) // 2
        y = self.host.height() - self.height() - 16
        self.move(x, max(0, y))
