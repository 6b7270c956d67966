"""Small building blocks the pages are laid out from: cards, list panels, chips, banners.

Only layout and styling (QSS properties) here; no decisions.
"""

from __future__ import annotations

from typing import Any

from ui.models.rows_model import RowsModel
from ui.qt import (
    QAbstractButton,
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QObject,
    QPainter,
    QPushButton,
    QRectF,
    QScrollArea,
    QSize,
    QSizePolicy,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.theme import color, icon, icon_pixmap
from ui.views.delegates import RowDelegate, fit_height


def set_prop(widget: QWidget, name: str, value: Any) -> None:
    """Set a QSS property and re-polish so the style sheet sees it."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def label(
    text: str = "", role: str = "", *, wrap: bool = False, parent: QWidget | None = None
) -> QLabel:
    lbl = QLabel(text, parent)
    if role:
        lbl.setProperty("role", role)
    lbl.setWordWrap(wrap)
    lbl.setTextFormat(Qt.TextFormat.PlainText)
    return lbl


def icon_label(name: str, size: int = 20, tint: str = "text_muted") -> QLabel:
    lbl = QLabel()
    lbl.setPixmap(icon_pixmap(name, size, tint, lbl.devicePixelRatioF()))
    lbl.setFixedSize(size, size)
    return lbl


def button(
    text: str = "",
    *,
    icon_name: str | None = None,
    kind: str = "secondary",
    tint: str | None = None,
    checkable: bool = False,
    object_name: str = "",
) -> QPushButton:
    """A push button styled by ``kind``: primary | secondary | ghost | danger | action."""
    btn = QPushButton(text)
    btn.setProperty("kind", kind)
    if object_name:
        btn.setObjectName(object_name)
    if icon_name:
        default_tint = "surface" if kind in ("primary", "danger") else "text"
        btn.setIcon(
            icon(icon_name, tint or default_tint, active_tint="surface" if checkable else None)
        )
        btn.setIconSize(QSize(20, 20))
    btn.setCheckable(checkable)
    btn.setCursor(Qt.CursorShape.PointingHandCursor)
    btn.setMinimumHeight(44)
    return btn


def tool_button(icon_name: str, *, tint: str = "text_muted", object_name: str = "") -> QToolButton:
    btn = QToolButton()
    btn.setIcon(icon(icon_name, tint))
    btn.setIconSize(QSize(22, 22))
    btn.setMinimumSize(44, 44)
    btn.setAutoRaise(True)
    btn.setCursor(Qt.CursorShape.PointingHandCursor)
    if object_name:
        btn.setObjectName(object_name)
    return btn


class Chip(QLabel):
    """A small status pill; ``tone`` picks its colours in the QSS."""

    def __init__(self, text: str = "", tone: str = "muted", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setProperty("chip", tone)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    def set_tone(self, tone: str) -> None:
        set_prop(self, "chip", tone)


class Card(QFrame):
    """A white rounded panel with an optional header (icon, title, count, trailing widget)."""

    def __init__(
        self,
        title: str = "",
        icon_name: str | None = None,
        *,
        object_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        if object_name:
            self.setObjectName(object_name)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.setSpacing(0)
        self.header = QWidget()
        self.header.setProperty("cardHeader", True)
        head = QHBoxLayout(self.header)
        head.setContentsMargins(16, 12, 12, 6)
        head.setSpacing(8)
        if icon_name:
            head.addWidget(icon_label(icon_name, 18, "primary"))
        self.title = label(title, "cardTitle")
        head.addWidget(self.title)
        self.count = Chip("", "muted")
        self.count.hide()
        head.addWidget(self.count)
        head.addStretch(1)
        self.head_layout = head
        self.outer.addWidget(self.header)
        self.header.setVisible(bool(title))
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 8)
        self.body.setSpacing(0)
        self.outer.addLayout(self.body)

    def set_title(self, text: str) -> None:
        self.title.setText(text)
        self.header.setVisible(bool(text))

    def set_count(self, n: int | None) -> None:
        self.count.setVisible(bool(n))
        self.count.setText("" if not n else str(n))

    def add_trailing(self, widget: QWidget) -> None:
        self.head_layout.addWidget(widget)


class RowList(QListView):
    """A list that is exactly as tall as its rows (the page scrolls, not the list)."""

    painted = Signal()
    space_pressed = Signal(object)  # QModelIndex of the current row

    def __init__(self, model: RowsModel[Any], *, tile: int = 44, dense: bool = False) -> None:
        super().__init__()
        self.setModel(model)
        self.row_delegate = RowDelegate(self, tile=tile, dense=dense)
        self.setItemDelegate(self.row_delegate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMouseTracking(True)
        self.setUniformItemSizes(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self._fitted_width = -1
        self.keyboard_focus = False
        model.modelReset.connect(self.fit)
        model.dataChanged.connect(self.fit)

    def fit(self, *_args: object) -> None:
        self._fitted_width = self.viewport().width()
        self.setFixedHeight(max(0, fit_height(self)))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.viewport().width() != self._fitted_width:
            self.fit()

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def focusInEvent(self, event: Any) -> None:
        # The focus ring shows when the keyboard brought the focus here, not on a tap.
        self.keyboard_focus = event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
        )
        super().focusInEvent(event)

    def mousePressEvent(self, event: Any) -> None:
        self.keyboard_focus = False
        super().mousePressEvent(event)

    def keyPressEvent(self, event: Any) -> None:
        if not self.keyboard_focus:
            self.keyboard_focus = True
            self.viewport().update()
        index = self.currentIndex()
        if event.key() == Qt.Key.Key_Space and index.isValid():
            self.space_pressed.emit(index)
            return
        super().keyPressEvent(event)


class ListPanel(Card):
    """A card holding a :class:`RowList`, an empty-state line and, for long lists, a
    "show all" button (the model shows its first ``limit`` rows until asked)."""

    def __init__(
        self,
        model: RowsModel[Any],
        icon_name: str,
        *,
        object_name: str,
        tile: int = 44,
        dense: bool = False,
        limit: int | None = None,
    ) -> None:
        super().__init__("", icon_name, object_name=object_name)
        self.model = model
        model.limit = limit
        self.list = RowList(model, tile=tile, dense=dense)
        self.list.setObjectName(object_name + "List")
        self.empty = label("", "empty", wrap=True)
        self.empty.setContentsMargins(16, 4, 16, 10)
        self.more = button("", kind="ghost", object_name=object_name + "ShowAll")
        self.more.setMinimumHeight(44)
        self.more.clicked.connect(model.show_all)
        self.body.addWidget(self.list)
        self.body.addWidget(self.empty)
        self.body.addWidget(self.more, 0, Qt.AlignmentFlag.AlignHCenter)
        self._more_text = "%1"
        model.modelReset.connect(self._sync_empty)
        model.rowsInserted.connect(self._sync_empty)
        model.rowsInserted.connect(self.list.fit)
        self._sync_empty()

    def _sync_empty(self, *_args: object) -> None:
        has_rows = self.model.rowCount() > 0
        if self.list.isVisibleTo(self) != has_rows:
            self.list.setVisible(has_rows)
        if self.empty.isVisibleTo(self) == has_rows:
            self.empty.setVisible(not has_rows)
        self.set_count(self.model.total)
        hidden = self.model.total - self.model.shown
        if hidden > 0:
            self.more.setText(self._more_text.replace("%1", str(self.model.total)))
        if self.more.isVisibleTo(self) != (hidden > 0):
            self.more.setVisible(hidden > 0)

    def set_texts(
        self, title: str, empty: str, more: str = "", accessible: str | None = None
    ) -> None:
        self.set_title(title)
        self.empty.setText(empty)
        self.list.setAccessibleName(accessible or title)
        if more:
            self._more_text = more
            self.more.setAccessibleName(more.replace("%1", str(self.model.total)))
            self._sync_empty()


class Banner(QFrame):
    """A full-width notice under the top bar (stale cache, clock, not cached)."""

    action_clicked = Signal()

    def __init__(
        self, tone: str = "warn", icon_name: str = "warning", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setProperty("banner", tone)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 12, 10)
        row.setSpacing(10)
        self._icon = icon_label(icon_name, 20, tone)
        row.addWidget(self._icon)
        self.text = label("", "bannerText", wrap=True)
        row.addWidget(self.text, 1)
        self.action = button("", kind="ghost")
        self.action.setMinimumHeight(36)
        self.action.hide()
        self.action.clicked.connect(self.action_clicked)
        row.addWidget(self.action)
        self.hide()

    def set_tone(self, tone: str, icon_name: str = "warning") -> None:
        set_prop(self, "banner", tone)
        self._icon.setPixmap(icon_pixmap(icon_name, 20, tone, self.devicePixelRatioF()))

    def show_text(self, text: str, action: str = "") -> None:
        self.text.setText(text)
        self.setAccessibleName(text)
        self.action.setVisible(bool(action))
        self.action.setText(action)
        self.show()


class BannerForm(QFrame):
    """A form in an info banner on the customer page (sign-up, link): a title, the fields the
    subclass adds to ``box``, then (``add_buttons``) a problem line and its primary and
    secondary buttons — Enter's ``submit`` and ``cancel``."""

    submit = Signal()
    cancel = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self._prefix = name  # of the object names
        self.setObjectName(f"{name}Form")
        self.setProperty("banner", "info")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(16, 12, 16, 12)
        self.box.setSpacing(8)
        self.title = label("", "sectionTitle", wrap=True)
        self.box.addWidget(self.title)

    def add_buttons(self, save_icon: str) -> None:
        """After the fields: the problem line (hidden until there is one), then the buttons."""
        self.problem = label("", "error", wrap=True)
        self.problem.setObjectName(f"{self._prefix}Problem")
        self.problem.hide()
        self.box.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.save = button(
            "", icon_name=save_icon, kind="primary", object_name=f"{self._prefix}Save"
        )
        self.save.clicked.connect(self.submit)
        self.close_button = button("", kind="secondary", object_name=f"{self._prefix}Cancel")
        self.close_button.clicked.connect(self.cancel)
        buttons.addWidget(self.save)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        self.box.addLayout(buttons)


class LanguageAware(QWidget):
    """A widget that re-sets its texts on ``LanguageChange`` (the retranslateUi pattern)."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        raise NotImplementedError


class ProgressBar(QWidget):
    """A slim rounded progress bar painted in the theme's colours (``None``: busy, the
    length unknown — a band sweeps across)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressBar")
        self.setFixedHeight(10)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fraction: float | None = 0.0
        self._phase = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._step)

    def set_fraction(self, fraction: float | None) -> None:
        self.fraction = None if fraction is None else max(0.0, min(1.0, fraction))
        if self.fraction is None:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
        self.update()

    def _step(self) -> None:
        self._phase = (self._phase + 0.02) % 1.0
        self.update()

    def hideEvent(self, event: Any) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.fraction is None:
            self._timer.start()

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        r = self.rect()
        radius = r.height() / 2
        painter.setBrush(color("muted_soft"))
        painter.drawRoundedRect(r, radius, radius)
        painter.setBrush(color("primary"))
        if self.fraction is None:
            band = r.width() * 0.3
            x = (r.width() + band) * self._phase - band
            painter.setClipRect(r)
            painter.drawRoundedRect(QRectF(x, 0, band, r.height()), radius, radius)
        elif self.fraction > 0:
            width = max(r.height(), r.width() * self.fraction)
            painter.drawRoundedRect(QRectF(0, 0, width, r.height()), radius, radius)
        painter.end()


class FormField(QWidget):
    """One labelled input of a form: its name, a line of help, the input (with a unit or a
    trailing button) and an error line that shows only when the value was refused."""

    def __init__(self, key: str, editor: QLineEdit | QComboBox, *, narrow: bool = False) -> None:
        super().__init__()
        self.setObjectName(f"field_{key}")
        self.key = key
        self.editor = editor
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.name = label("", "fieldName")
        box.addWidget(self.name)
        self.help = label("", "hint", wrap=True)
        box.addWidget(self.help)
        row = QHBoxLayout()
        row.setSpacing(8)
        editor.setSizePolicy(
            QSizePolicy.Policy.Fixed if narrow else QSizePolicy.Policy.Expanding,
            QSizePolicy.Policy.Fixed,
        )
        if narrow:
            editor.setFixedWidth(140)
        editor.setMinimumHeight(44)  # a touch target
        row.addWidget(editor, 0 if narrow else 1)
        self.unit = label("", "muted")
        row.addWidget(self.unit)
        if narrow:
            row.addStretch(1)
        self.row = row
        box.addLayout(row)
        self.error = label("", "error", wrap=True)
        self.error.setObjectName(f"error_{key}")
        self.error.hide()
        box.addWidget(self.error)
        box.addStretch(1)  # side by side in a grid, fields line up at the top

    def add_trailing(self, widget: QWidget) -> None:
        """A widget after the input (e.g. a "read from image" button)."""
        self.row.addWidget(widget)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        set_prop(self.editor, "invalid", bool(text))
        self.editor.setAccessibleDescription(text)


class CheckText(QLabel):
    """The words of a check box, wrapping (a ``QCheckBox``'s own text never wraps): put it
    beside the box; a click on them ticks it, as on the box's own text."""

    def __init__(self, box: QAbstractButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = box
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setBuddy(box)

    def mouseReleaseEvent(self, event: Any) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.box.click()
            self.box.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mouseReleaseEvent(event)


class FlowRow(QWidget):
    """Widgets side by side while the row has room for them all at their minimum width, one
    above the other when it does not (a narrow window: a handheld, a desktop column).

    Its minimum width is its widest widget's, so the layout around it may narrow it; which
    way it runs follows its width (``resizeEvent``). Add widgets with ``add`` (stretch and
    alignment as in ``QBoxLayout.addWidget``) and space with ``add_stretch``."""

    def __init__(self, spacing: int = 8, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(spacing)

    def add(self, widget: QWidget, stretch: int = 0, alignment: Any = None) -> None:
        if alignment is None:
            self.box.addWidget(widget, stretch)
        else:
            self.box.addWidget(widget, stretch, alignment)

    def add_stretch(self, stretch: int = 1) -> None:
        self.box.addStretch(stretch)

    def _shown(self) -> list[QWidget]:
        items = (self.box.itemAt(i) for i in range(self.box.count()))
        widgets = (item.widget() for item in items if item is not None)
        return [w for w in widgets if w is not None and not w.isHidden()]

    def row_width(self) -> int:
        """The width it needs to run side by side."""
        shown = self._shown()
        m = self.box.contentsMargins()
        gaps = self.box.spacing() * max(0, len(shown) - 1)
        return sum(_min_width(w) for w in shown) + gaps + m.left() + m.right()

    def is_row(self) -> bool:
        return self.box.direction() == QBoxLayout.Direction.LeftToRight

    def minimumSizeHint(self) -> QSize:
        m = self.box.contentsMargins()
        widest = (max(w.minimumSizeHint().width(), w.minimumWidth()) for w in self._shown())
        width = max(widest, default=0) + m.left() + m.right()
        return QSize(width, self.box.minimumSize().height())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.arrange()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.arrange()  # a widget's size changed (another language, another text)
        return super().event(event)

    def arrange(self) -> None:
        """Run the way the width allows."""
        row = self.width() >= self.row_width()
        if row != self.is_row():
            self.box.setDirection(
                QBoxLayout.Direction.LeftToRight if row else QBoxLayout.Direction.TopToBottom
            )
            self.updateGeometry()


def _min_width(widget: QWidget) -> int:
    """What a widget needs to stand in a row: a FlowRow in a FlowRow its whole row (the outer
    row gives way first, so the inner one stays a row as long as it can)."""
    if isinstance(widget, FlowRow):
        return max(widget.row_width(), widget.minimumWidth())
    return max(widget.minimumSizeHint().width(), widget.minimumWidth())


NARROW_WIDTH = 480  # px: a handheld's page; its side margins shrink (NarrowMargins)


class NarrowMargins(QObject):
    """Side margins of ``widget``'s layout: ``wide`` px, or ``narrow`` px while the widget is
    narrower than :data:`NARROW_WIDTH` (a handheld has no width to spare)."""

    def __init__(self, widget: QWidget, wide: int = 24, narrow: int = 12) -> None:
        super().__init__(widget)
        self.wide = wide
        self.narrow = narrow
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            layout = watched.layout()
            if layout is not None:
                side = self.narrow if watched.width() < NARROW_WIDTH else self.wide
                m = layout.contentsMargins()
                if m.left() != side or m.right() != side:
                    layout.setContentsMargins(side, m.top(), side, m.bottom())
        return False


def scrolled_page(
    page: QWidget, inner: QBoxLayout.Direction, *, top: int
) -> tuple[QScrollArea, QBoxLayout]:
    """Lay ``page`` out as one frameless scroll area over a page-wide "column" (side margins
    narrower on a handheld). Returns the scroll area and that column's layout (laid out in
    ``inner``'s direction: a row centres a column in it)."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    column = QWidget()
    column.setObjectName("column")
    box = QBoxLayout(inner, column)
    box.setContentsMargins(24, top, 24, 24)
    NarrowMargins(column)
    area.setWidget(column)
    outer.addWidget(area)
    return area, box


def centred_column(
    page: QWidget, *, max_width: int, top: int = 20
) -> tuple[QScrollArea, QVBoxLayout]:
    """Lay ``page`` out as one scrollable column, centred and at most ``max_width`` wide (the
    settings, enrolment and sign-in pages). Returns the scroll area and the column's layout
    (the column itself: its ``parentWidget()``)."""
    area, centre = scrolled_page(page, QBoxLayout.Direction.LeftToRight, top=top)
    centre.addStretch(1)
    column = QWidget()
    column.setMaximumWidth(max_width)
    column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    centre.addWidget(column, 100)
    centre.addStretch(1)
    box = QVBoxLayout(column)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(16)
    return area, box
