"""The one row delegate every list paints with.

A row is: an optional check box, a leading visual (painted product tile, avatar, or an icon in
a soft disc), a text column (title — wrapped when the model says so —, subtitle, detail) and a
trailing column (a value such as a price, a second line, a status chip). What goes where comes
from the model's :class:`~ui.models.rows_model.RowDisplay` (read with a plain Python call, computed
once per reset); the delegate never knows which panel it is in. Row heights are cached per
width in the same object.
"""

from __future__ import annotations

from typing import Any

from ui.models.rows_model import Index, RowDisplay, RowsModel
from ui.qt import (
    QAbstractItemView,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QRect,
    QRectF,
    QSize,
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
_WRAP = int(Qt.TextFlag.TextWordWrap)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RowDelegate(QStyledItemDelegate):
    """Paints rows of any :class:`~ui.models.rows_model.RowsModel`."""

    def __init__(self, view: QAbstractItemView, *, tile: int = 44, dense: bool = False) -> None:
        super().__init__(view)
        self._view = view
        self.tile = tile
        self.dense = dense
        self.set_fonts(app_font())

    def set_fonts(self, base: QFont) -> None:
        self.title_font = QFont(base)
        self.title_font.setWeight(QFont.Weight.DemiBold)
        self.sub_font = QFont(base)
        self.sub_font.setPointSizeF(base.pointSizeF() * 0.9)
        self.chip_font = QFont(base)
        self.chip_font.setPointSizeF(base.pointSizeF() * 0.82)
        self.chip_font.setWeight(QFont.Weight.DemiBold)
        self.title_fm = QFontMetrics(self.title_font)
        self.sub_fm = QFontMetrics(self.sub_font)
        self.chip_fm = QFontMetrics(self.chip_font)
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
        width = 0
        if d.trailing:
            width = self.title_fm.horizontalAdvance(d.trailing)
        if d.trailing_sub:
            width = max(width, self.sub_fm.horizontalAdvance(d.trailing_sub))
        if d.chip:
            width = max(width, self.chip_fm.horizontalAdvance(d.chip) + 16)
        return width

    def _text_width(self, d: RowDisplay, total: int) -> int:
        lead = self._leading_size(d)
        trail = self._trailing_width(d)
        used = 2 * PAD_X + self._check_width(d) + (lead + GAP if lead else 0)
        used += trail + GAP if trail else 0
        return max(60, total - used)

    def _title_height(self, d: RowDisplay, width: int) -> int:
        if d.wrap:
            rect = self.title_fm.boundingRect(QRect(0, 0, width, 10_000), _WRAP, d.title)
            return max(self.title_h, rect.height())
        return self.title_h

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
        d = self.row(index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = option.rect
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)

        if d.emphasis:
            bg = QRectF(rect).adjusted(4, 4, -4, -4)
            path = QPainterPath()
            path.addRoundedRect(bg, 10, 10)
            painter.fillPath(path, QColor(COLORS["accent_soft"]))
            bar = QRectF(bg.left(), bg.top() + 8, 3, bg.height() - 16)
            painter.fillRect(bar, QColor(COLORS["accent"]))
        elif selected or hovered:
            tint = COLORS["primary_soft"] if selected else COLORS["surface_alt"]
            painter.fillRect(rect, QColor(tint))

        if index.row() < index.model().rowCount() - 1 and not d.emphasis:
            painter.setPen(QPen(QColor(COLORS["divider"]), 1))
            painter.drawLine(
                rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom()
            )

        pad = PAD_Y - 3 if self.dense else PAD_Y
        x = rect.left() + PAD_X
        if d.checked is not None:
            top = rect.top() + (rect.height() - CHECK) // 2
            self._paint_check(painter, QRectF(x, top, CHECK, CHECK), d.checked)
            x += CHECK + GAP
        lead = self._leading_size(d)
        if lead:
            top = rect.top() + pad if d.wrap else rect.top() + max(pad, (rect.height() - lead) // 2)
            self._paint_leading(painter, d, QRect(x, top, lead, lead))
            x += lead + GAP

        trail_w = self._trailing_width(d)
        right = rect.right() - PAD_X
        if trail_w:
            box = QRect(right - trail_w, rect.top() + pad, trail_w, rect.height() - 2 * pad)
            self._paint_trailing(painter, d, box)
            right -= trail_w + GAP

        self._paint_text(painter, d, QRect(x, rect.top() + pad, right - x, rect.height() - 2 * pad))

        if (
            state & QStyle.StateFlag.State_HasFocus
            and self._view.hasFocus()
            and getattr(self._view, "keyboard_focus", True)
        ):
            ring = QRectF(rect).adjusted(2, 2, -2, -2)
            painter.setPen(QPen(QColor(COLORS["focus"]), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
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
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        if d.tile is not None:
            painter.drawPixmap(box.topLeft(), product_tile(str(d.tile), box.width(), dpr))
            return
        if d.avatar:
            painter.drawPixmap(box.topLeft(), avatar(d.avatar, box.width(), dpr))
            return
        disc = QColor(COLORS["accent"] if d.emphasis else COLORS["primary_soft"])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(disc)
        painter.drawEllipse(QRectF(box))
        size = int(box.width() * 0.56)
        off = (box.width() - size) // 2
        tint = "surface" if d.emphasis else "primary"
        painter.drawPixmap(box.left() + off, box.top() + off, icon_pixmap(d.icon, size, tint, dpr))

    def _paint_text(self, painter: QPainter, d: RowDisplay, box: QRect) -> None:
        detail_tint = _DETAIL_TINTS.get(d.detail_tone, "accent")
        lines = [
            (text, tint)
            for text, tint in ((d.subtitle, "text_muted"), (d.detail, detail_tint))
            if text
        ]
        title_h = self._title_height(d, box.width())
        block = title_h + len(lines) * (LINE_GAP + self.sub_h)
        y = box.top() if d.wrap else box.top() + max(0, (box.height() - block) // 2)
        painter.setFont(self.title_font)
        painter.setPen(QColor(COLORS["text"]))
        if d.wrap:
            painter.drawText(QRect(box.left(), y, box.width(), title_h), _WRAP, d.title)
        else:
            elided = self.title_fm.elidedText(d.title, Qt.TextElideMode.ElideRight, box.width())
            painter.drawText(
                QRect(box.left(), y, box.width(), title_h),
                int(Qt.AlignmentFlag.AlignVCenter),
                elided,
            )
        y += title_h
        painter.setFont(self.sub_font)
        for text, tint in lines:
            y += LINE_GAP
            painter.setPen(QColor(COLORS[tint]))
            elided = self.sub_fm.elidedText(text, Qt.TextElideMode.ElideRight, box.width())
            painter.drawText(QRect(box.left(), y, box.width(), self.sub_h), 0, elided)
            y += self.sub_h

    def _paint_trailing(self, painter: QPainter, d: RowDisplay, box: QRect) -> None:
        y = box.top()
        if d.trailing:
            painter.setFont(self.title_font)
            painter.setPen(QColor(COLORS["text"]))
            painter.drawText(QRect(box.left(), y, box.width(), self.title_h), _RIGHT, d.trailing)
            y += self.title_h
        if d.trailing_sub:
            y += LINE_GAP
            painter.setFont(self.sub_font)
            painter.setPen(QColor(COLORS["text_muted"]))
            painter.drawText(QRect(box.left(), y, box.width(), self.sub_h), _RIGHT, d.trailing_sub)
            y += self.sub_h
        if d.chip:
            y += 4
            self.paint_chip(painter, d.chip, d.chip_tone, box.right(), y)

    def paint_chip(self, painter: QPainter, text: str, tone: str, right: int, top: int) -> None:
        fg, bg = TONES.get(tone, TONES["muted"])
        w = self.chip_fm.horizontalAdvance(text) + 16
        h = self.chip_h
        r = QRectF(right - w, top, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(r, h / 2, h / 2)
        painter.setFont(self.chip_font)
        painter.setPen(QColor(fg))
        painter.drawText(r, int(Qt.AlignmentFlag.AlignCenter), text)


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
