"""Painted product images and avatars: no image files.

A product's ``image`` is a descriptor ``"#rrggbb:glyph"``: a rounded tile in that colour with
a line drawing of the glyph (``smartwatch``, ``shoe`` …) on it. Tiles are rendered once per
(descriptor, size, device pixel ratio) and cached, so painting a list costs a pixmap blit.
"""

from __future__ import annotations

import functools

from ui.qt import (
    QByteArray,
    QColor,
    QFont,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPixmap,
    QRectF,
    QSvgRenderer,
    Qt,
)
from ui.theme import app_font

_FALLBACK = "#94a3b8"

# 24×24 line drawings, stroked in the tile's foreground colour.
GLYPHS: dict[str, str] = {
    "smartwatch": '<rect x="7" y="6" width="10" height="12" rx="3"/>'
    '<path d="M9 6V3h6v3M9 18v3h6v-3M9.5 12.5h1.5l1-2 1.5 3.5 1-1.5h1"/>',
    "watch": '<circle cx="12" cy="12" r="5.5"/>'
    '<path d="M9 7.5 9.5 3h5l.5 4.5M9 16.5l.5 4.5h5l.5-4.5M12 9.5V12l1.8 1.2"/>',
    "phone": '<rect x="7" y="2.5" width="10" height="19" rx="2.2"/><path d="M11 18.2h2"/>',
    "headphones": '<path d="M4 15v-3a8 8 0 0 1 16 0v3"/>'
    '<rect x="3" y="14" width="4" height="6.5" rx="1.6"/>'
    '<rect x="17" y="14" width="4" height="6.5" rx="1.6"/>',
    "shoe": '<path d="M2.5 16.5V9.2l4 1.6 2.6-3.1 3.4 2.4c1.6 2.6 4.6 3.5 7.6 3.9a1.9 1.9 0 0 1 '
    '1.4 1.8v0.7zM2.5 16.5v2.5h19v-2.5M12 12.2l1.4-1.4M14.2 13.6l1.3-1.4"/>',
    "shirt": '<path d="M8.5 3 3 6.2 5 10.2l2-1V21h10V9.2l2 1 2-4L15.5 3c-.8 2-6.2 2-7 0z"/>',
    "bag": '<path d="M5.5 8h13l1 12.5h-15zM9 10V6.5a3 3 0 0 1 6 0V10"/>',
    "lipstick": '<path d="M9 21h6v-8H9zM10 13V7.5l4-3.5v9M8 16.5h8"/>',
    "lamp": '<path d="M8 3h8l3.5 8h-15zM12 11v8M8 21h8"/>',
    "ball": '<circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3v18M5.8 5.6a9 9 0 0 1 0 12.8M18.2 5.6a9 9 0 0 0 0 12.8"/>',
}


def parse_descriptor(descriptor: str | None) -> tuple[QColor, str]:
    """``"#2b6cb0:smartwatch"`` → (colour, glyph); anything unreadable → grey, no glyph."""
    if not descriptor:
        return QColor(_FALLBACK), ""
    colour_text, _, glyph = descriptor.partition(":")
    colour = QColor(colour_text.strip())
    if not colour.isValid():
        colour = QColor(_FALLBACK)
    return colour, glyph.strip()


def _foreground(fill: QColor) -> QColor:
    lum = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF()
    return QColor("#1f2937") if lum > 0.62 else QColor("#ffffff")


@functools.lru_cache(maxsize=2048)
def product_tile(descriptor: str | None, size: int, dpr: float = 1.0) -> QPixmap:
    fill, glyph = parse_descriptor(descriptor)
    px = QPixmap(round(size * dpr), round(size * dpr))
    px.setDevicePixelRatio(dpr)
    px.fill(Qt.GlobalColor.transparent)
    p = QPainter(px)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(0, 0, size, size)
    path = QPainterPath()
    path.addRoundedRect(rect, size * 0.22, size * 0.22)
    grad = QLinearGradient(0, 0, 0, size)
    grad.setColorAt(0.0, fill.lighter(118))
    grad.setColorAt(1.0, fill.darker(104))
    p.fillPath(path, grad)
    fg = _foreground(fill)
    inner = rect.adjusted(size * 0.2, size * 0.2, -size * 0.2, -size * 0.2)
    body = GLYPHS.get(glyph)
    if body is not None:
        stroke = 1.7 if size >= 40 else 2.0
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
            f'stroke="{fg.name()}" stroke-width="{stroke}" stroke-linecap="round" '
            f'stroke-linejoin="round">{body}</svg>'
        )
        QSvgRenderer(QByteArray(svg.encode("ascii"))).render(p, inner)
    elif glyph:
        font = QFont(app_font())
        font.setPixelSize(max(8, int(size * 0.42)))
        font.setBold(True)
        p.setFont(font)
        p.setPen(fg)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, glyph[:1].upper())
    p.end()
    return px


_AVATAR_COLOURS = ("#1d4ed8", "#0f766e", "#7c3aed", "#be185d", "#b45309", "#0369a1", "#15803d")


def avatar(name: str, size: int, dpr: float = 1.0) -> QPixmap:
    """A round avatar with the member's initial (the family name for Chinese names), in a
    colour of the name. Drawn once per initial and colour: a family name is shared by many
    members, and a new customer's avatar is then a cache hit, not ~0.1 ms of painting."""
    colour = sum(map(ord, name)) % len(_AVATAR_COLOURS)
    return _avatar((name or "?")[:1].upper(), colour, size, dpr)


@functools.lru_cache(maxsize=256)
def _avatar(initial: str, colour_index: int, size: int, dpr: float) -> QPixmap:
    colour = QColor(_AVATAR_COLOURS[colour_index])
    px = QPixmap(round(size * dpr), round(size * dpr))
    px.setDevicePixelRatio(dpr)
    px.fill(Qt.GlobalColor.transparent)
    p = QPainter(px)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(QRectF(0, 0, size, size))
    font = QFont(app_font())
    font.setPixelSize(int(size * 0.44))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initial)
    p.end()
    return px
