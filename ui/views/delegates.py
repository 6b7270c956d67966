"""The one row delegate every list paints with.

A row is: an optional check box, a leading visual (painted product tile, avatar, or an icon in
a soft disc), a text column (title — wrapped when the model says so —, subtitle, detail) and a
trailing column (a value such as a price, a second line, a status chip). What goes where comes
from the model's :class:`~ui.models.rows_model.RowDisplay` (read with a plain Python call, computed
once per reset); the delegate never knows which panel it is in. Row heights are cached per
width in the same object.

Text is the cost of a row: Qt lays a string out anew on every ``drawText``,
``horizontalAdvance`` and ``elidedText`` (10–60 µs each for Chinese text). Product names,
prices, dates and status chips repeat from customer to customer, so each font's widths,
elided strings and laid-out lines (``QStaticText``) are kept in a :class:`TextCache`; only a
wrapped title (a talking point, seldom the same twice) is laid out on every paint.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, cast

from ui.models.rows_model import Index, RowDisplay, RowsModel
from ui.qt import (
    QAbstractItemView,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QStaticText,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
)
from ui.theme import COLORS, TONES, app_font, icon_pixmap
from ui.views.tiles import avatar, product_tile

PAD_X = 14
PAD_Y = 10
GAP = 12
LINE_GAP = 2
CHECK = 22
MIN_ROW = 48  # touch target (≥ 44 px) with room for the divider
_DETAIL_TINTS = {
    "accent": "accent",
    "muted": "text_muted",
    "good": "good",
    "bad": "bad",
    "warn": "warn",
}
# strings per font kept; past it the cache starts again (a catalogue of 3,000 products warmed
# while idle — ui/warmup.py — is titles, prices and dates: ~10,000 strings in all fonts)
TEXT_CACHE_LIMIT = 16384
# What every row paints with, made once (a QColor or QPen built per row costs more than the
# line it draws).
_QCOLORS = {name: QColor(value) for name, value in COLORS.items()}
_QTONES = {tone: (QColor(fg), QColor(bg)) for tone, (fg, bg) in TONES.items()}
_DIVIDER = QPen(QColor(COLORS["divider"]), 1)
_FOCUS = QPen(QColor(COLORS["focus"]), 2)
_NO_PEN = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_HINTS = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
# option.state's flags as plain ints (an enum "&" is a Python call)
_SELECTED = QStyle.StateFlag.State_Selected.value
_HOVERED = QStyle.StateFlag.State_MouseOver.value
_HAS_FOCUS = QStyle.StateFlag.State_HasFocus.value


class TextCache:
    """One font's text widths, elided strings and laid-out lines, kept across paints.

    One per font for the whole app (:meth:`for_font`): every list paints a product's title in
    the same font, so the cart, the browsing and the wishlist share what one laid out, and the
    idle warm-up (ui/warmup.py) fills the same tables the panels read. A string narrower than
    the width it is given is its own elided form (Qt's ``elidedText`` returns it unchanged):
    only its width is looked up, so a warmed string is never laid out again for a panel's
    width. Bounded: past ``TEXT_CACHE_LIMIT`` strings a table is emptied and fills again with
    what is painted next."""

    _shared: ClassVar[dict[str, TextCache]] = {}

    @classmethod
    def for_font(cls, font: QFont) -> TextCache:
        """The app's cache for ``font`` (made on first use; GUI thread)."""
        key = font.key()
        cache = cls._shared.get(key)
        if cache is None:
            cache = cls._shared[key] = cls(font)
        return cache

    def __init__(self, font: QFont) -> None:
        self.font = font
        self.metrics = QFontMetrics(font)
        self._advances: dict[str, int] = {}
        self._elided: dict[tuple[str, int], str] = {}
        self._lines: dict[str, QStaticText] = {}

    def advance(self, text: str) -> int:
        width = self._advances.get(text)
        if width is None:
            if len(self._advances) >= TEXT_CACHE_LIMIT:
                self._advances.clear()
            width = self._advances[text] = self.metrics.horizontalAdvance(text)
        return width

    def elided(self, text: str, width: int) -> str:
        # horizontalAdvance rounds the same layout's width elidedText compares: a string
        # at least a pixel narrower than ``width`` fits, and elidedText would return it as is
        if self.advance(text) < width:
            return text
        key = (text, width)
        shown = self._elided.get(key)
        if shown is None:
            if len(self._elided) >= TEXT_CACHE_LIMIT:
                self._elided.clear()
            shown = self._elided[key] = self.metrics.elidedText(
                text, Qt.TextElideMode.ElideRight, width
            )
        return shown

    def draw(self, painter: QPainter, x: float, y: float, text: str) -> None:
        """``text`` on one line, its top-left at (x, y), in the painter's pen; the painter's
        font must be this cache's."""
        painter.drawStaticText(QPointF(x, y), self.line(text))

    def line(self, text: str) -> QStaticText:
        """``text`` laid out on one line in this font, kept."""
        line = self._lines.get(text)
        if line is None:
            if len(self._lines) >= TEXT_CACHE_LIMIT:
                self._lines.clear()
            line = QStaticText(text)
            line.setTextFormat(Qt.TextFormat.PlainText)
            line.prepare(font=self.font)
            self._lines[text] = line
        return line

    def knows(self, text: str) -> bool:
        """``text``'s width and line are both kept (nothing of it to lay out again)."""
        return text in self._lines and text in self._advances


def row_fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
    """A row's title, subtitle (and trailing) and chip fonts made from ``base``."""
    title = QFont(base)
    title.setWeight(QFont.Weight.DemiBold)
    sub = QFont(base)
    sub.setPointSizeF(base.pointSizeF() * 0.9)
    chip = QFont(base)
    chip.setPointSizeF(base.pointSizeF() * 0.82)
    chip.setWeight(QFont.Weight.DemiBold)
    return title, sub, chip


class RowDelegate(QStyledItemDelegate):
    """Paints rows of any :class:`~ui.models.rows_model.RowsModel`."""

    def __init__(self, view: QAbstractItemView, *, tile: int = 44, dense: bool = False) -> None:
        super().__init__(view)
        self._view = view
        self.tile = tile
        self.dense = dense
        self.set_fonts(app_font())

    def set_fonts(self, base: QFont) -> None:
        self.title_font, self.sub_font, self.chip_font = row_fonts(base)
        self.title_fm = QFontMetrics(self.title_font)
        self.sub_fm = QFontMetrics(self.sub_font)
        self.chip_fm = QFontMetrics(self.chip_font)
        self.title_text = TextCache.for_font(self.title_font)
        self.sub_text = TextCache.for_font(self.sub_font)
        self.chip_text = TextCache.for_font(self.chip_font)
        self.title_h = self.title_fm.height()
        self.sub_h = self.sub_fm.height()
        self.chip_h = self.chip_fm.height() + 6

    @staticmethod
    def row(index: Index) -> RowDisplay:
        model = index.model()
        assert isinstance(model, RowsModel)
        return model.display(index.row())

    # --- geometry --------------------------------------------------------------------------

    def _check_width(self, d: RowDisplay) -> int:
        return CHECK + GAP if d.checked is not None else 0

    def _leading_size(self, d: RowDisplay) -> int:
        if d.tile is not None or d.avatar:
            return self.tile
        if d.icon:
            return 34
        return 0

    def _trailing_width(self, d: RowDisplay) -> int:
        width = d.trailing_width
        if width < 0:
            width = 0
            if d.trailing:
                width = self.title_text.advance(d.trailing)
            if d.trailing_sub:
                width = max(width, self.sub_text.advance(d.trailing_sub))
            if d.chip:
                width = max(width, self.chip_text.advance(d.chip) + 16)
            d.trailing_width = width
        return width

    def _text_width(self, d: RowDisplay, total: int) -> int:
        used = d.beside
        if used < 0:
            lead = self._leading_size(d)
            trail = self._trailing_width(d)
            used = 2 * PAD_X + self._check_width(d) + (lead + GAP if lead else 0)
            used += trail + GAP if trail else 0
            d.beside = used
        return max(60, total - used)

    def _title_height(self, d: RowDisplay, width: int) -> int:
        if not d.wrap:
            return self.title_h
        return self._wrapped_title(d, width)[1]

    def _wrapped_title(self, d: RowDisplay, width: int) -> tuple[QStaticText, int]:
        """A wrapped title laid out once per width: the row's height is fitted and the row
        painted from the same lines."""
        lines = d.title_lines.get(width)
        if lines is None:
            text = QStaticText(d.title)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setTextWidth(width)
            text.prepare(font=self.title_font)
            height = max(self.title_h, math.ceil(text.size().height()))
            lines = d.title_lines[width] = (text, height)
        return lines

    def _trailing_height(self, d: RowDisplay) -> int:
        h = 0
        if d.trailing:
            h += self.title_h
        if d.trailing_sub:
            h += LINE_GAP + self.sub_h
        if d.chip:
            h += 4 + self.chip_h
        return h

    def row_height(self, d: RowDisplay, total: int) -> int:
        cached = d.heights.get(total)
        if cached is not None:
            return cached
        height = self._title_height(d, self._text_width(d, total))
        if d.subtitle:
            height += LINE_GAP + self.sub_h
        if d.detail:
            height += LINE_GAP + self.sub_h
        pad = PAD_Y - 3 if self.dense else PAD_Y
        height = max(height, self._leading_size(d), self._trailing_height(d))
        result = max(MIN_ROW, height + 2 * pad + 1)
        d.heights[total] = result
        return result

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        total = self._view.viewport().width() or option.rect.width() or 360
        return QSize(total, self.row_height(self.row(index), total))

    def editorEvent(self, *_args: Any) -> bool:
        return False  # check boxes are toggled by the controller (click / Space / Enter)

    # --- painting --------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        assert isinstance(model, RowsModel)
        row = index.row()
        d = model.display(row)
        painter.save()
        painter.setRenderHints(_HINTS)
        rect = option.rect
        # one call, not one per side (typed ``object`` in PySide's stubs)
        left, top, total, height = cast("tuple[int, int, int, int]", rect.getRect())
        state = option.state.value

        if d.emphasis:
            bg = QRectF(rect).adjusted(4, 4, -4, -4)
            path = QPainterPath()
            path.addRoundedRect(bg, 10, 10)
            painter.fillPath(path, _QCOLORS["accent_soft"])
            bar = QRectF(bg.left(), bg.top() + 8, 3, bg.height() - 16)
            painter.fillRect(bar, _QCOLORS["accent"])
        elif state & _SELECTED:
            painter.fillRect(rect, _QCOLORS["primary_soft"])
        elif state & _HOVERED:
            painter.fillRect(rect, _QCOLORS["surface_alt"])

        right = left + total - 1  # QRect.right()
        if row < model.shown - 1 and not d.emphasis:
            painter.setPen(_DIVIDER)
            bottom = top + height - 1  # QRect.bottom()
            painter.drawLine(left + PAD_X, bottom, right - PAD_X, bottom)

        pad = PAD_Y - 3 if self.dense else PAD_Y
        x = left + PAD_X
        if d.checked is not None:
            check_top = top + (height - CHECK) // 2
            self._paint_check(painter, QRectF(x, check_top, CHECK, CHECK), d.checked)
            x += CHECK + GAP
        lead = self._leading_size(d)
        if lead:
            lead_top = top + pad if d.wrap else top + max(pad, (height - lead) // 2)
            self._paint_leading(painter, d, QRect(x, lead_top, lead, lead))
            x += lead + GAP

        trail_w = self._trailing_width(d)
        if trail_w:
            end = right - PAD_X
            box = QRect(end - trail_w, top + pad, trail_w, height - 2 * pad)
            self._paint_trailing(painter, d, box)

        # as wide as row_height fitted it (a wrapped title breaks where the height said)
        width = self._text_width(d, total)
        self._paint_text(painter, d, x, top + pad, width, height - 2 * pad)

        if (
            state & _HAS_FOCUS
            and self._view.hasFocus()
            and getattr(self._view, "keyboard_focus", True)
        ):
            ring = QRectF(rect).adjusted(2, 2, -2, -2)
            painter.setPen(_FOCUS)
            painter.setBrush(_NO_BRUSH)
            painter.drawRoundedRect(ring, 8, 8)
        painter.restore()

    def _paint_check(self, painter: QPainter, box: QRectF, checked: bool) -> None:
        if checked:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(COLORS["primary"]))
            painter.drawRoundedRect(box, 6, 6)
            dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
            mark = icon_pixmap("check", int(box.width()) - 6, "surface", dpr)
            painter.drawPixmap(int(box.left()) + 3, int(box.top()) + 3, mark)
        else:
            painter.setPen(QPen(QColor(COLORS["text_faint"]), 1.5))
            painter.setBrush(QColor(COLORS["surface"]))
            painter.drawRoundedRect(box.adjusted(1, 1, -1, -1), 6, 6)

    def _paint_leading(self, painter: QPainter, d: RowDisplay, box: QRect) -> None:
        device = painter.device()
        dpr = device.devicePixelRatioF() if device else 1.0
        side = box.width()
        if d.tile is not None:
            painter.drawPixmap(box.topLeft(), product_tile(str(d.tile), side, dpr))
            return
        if d.avatar:
            painter.drawPixmap(box.topLeft(), avatar(d.avatar, side, dpr))
            return
        painter.setPen(_NO_PEN)
        painter.setBrush(_QCOLORS["accent" if d.emphasis else "primary_soft"])
        painter.drawEllipse(QRectF(box))
        size = int(side * 0.56)
        off = (side - size) // 2
        tint = "surface" if d.emphasis else "primary"
        painter.drawPixmap(box.left() + off, box.top() + off, icon_pixmap(d.icon, size, tint, dpr))

    def _paint_text(
        self, painter: QPainter, d: RowDisplay, left: int, top: int, width: int, height: int
    ) -> None:
        """The title (wrapped or elided) and the subtitle and detail lines, in the box at
        (``left``, ``top``) ``width`` × ``height``."""
        subtitle, detail = d.subtitle, d.detail
        lines = (1 if subtitle else 0) + (1 if detail else 0)
        title_h = self._title_height(d, width)
        block = title_h + lines * (LINE_GAP + self.sub_h)
        y = top if d.wrap else top + max(0, (height - block) // 2)
        painter.setFont(self.title_font)
        painter.setPen(_QCOLORS["text"])
        if d.wrap:
            painter.drawStaticText(QPointF(left, y), self._wrapped_title(d, width)[0])
        else:
            title = self.title_text
            title.draw(painter, left, y, title.elided(d.title, width))
        y += title_h
        if not lines:
            return
        painter.setFont(self.sub_font)
        sub = self.sub_text
        if subtitle:
            y += LINE_GAP
            painter.setPen(_QCOLORS["text_muted"])
            sub.draw(painter, left, y, sub.elided(subtitle, width))
            y += self.sub_h
        if detail:
            y += LINE_GAP
            painter.setPen(_QCOLORS[_DETAIL_TINTS.get(d.detail_tone, "accent")])
            sub.draw(painter, left, y, sub.elided(detail, width))

    def _paint_trailing(self, painter: QPainter, d: RowDisplay, box: QRect) -> None:
        y = box.top()
        right = box.left() + box.width()  # right-aligned in the box
        if d.trailing:
            painter.setFont(self.title_font)
            painter.setPen(_QCOLORS["text"])
            text = self.title_text
            text.draw(painter, right - text.advance(d.trailing), y, d.trailing)
            y += self.title_h
        if d.trailing_sub:
            y += LINE_GAP
            painter.setFont(self.sub_font)
            painter.setPen(_QCOLORS["text_muted"])
            text = self.sub_text
            text.draw(painter, right - text.advance(d.trailing_sub), y, d.trailing_sub)
            y += self.sub_h
        if d.chip:
            y += 4
            self.paint_chip(painter, d.chip, d.chip_tone, box.right(), y)

    def paint_chip(self, painter: QPainter, text: str, tone: str, right: int, top: int) -> None:
        fg, bg = _QTONES.get(tone) or _QTONES["muted"]
        w = self.chip_text.advance(text) + 16
        h = self.chip_h
        r = QRectF(right - w, top, w, h)
        painter.setPen(_NO_PEN)
        painter.setBrush(bg)
        painter.drawRoundedRect(r, h / 2, h / 2)
        painter.setFont(self.chip_font)
        painter.setPen(fg)
        self.chip_text.draw(painter, r.left() + 8, top + 3, text)  # centred: 8 px, 3 px in


def fit_height(view: Any) -> int:
    """The height that shows every row of ``view`` without a scroll bar."""
    model = view.model()
    if not isinstance(model, RowsModel) or model.rowCount() == 0:
        return 2 * int(view.frameWidth())
    delegate = view.itemDelegate()
    total = view.viewport().width() or 360
    if isinstance(delegate, RowDelegate):
        rows = sum(delegate.row_height(model.display(r), total) for r in range(model.rowCount()))
    else:
        rows = sum(int(view.sizeHintForRow(r)) for r in range(model.rowCount()))
    return rows + 2 * int(view.frameWidth())
