"""Look and feel: the QSS theme, the colours delegates paint with, fonts and SVG icons.

Widgets are styled by ``assets/theme.qss`` through dynamic properties (``card="true"``,
``kind="primary"``, ``role="title"`` …); code that paints (delegates, tiles) takes its colours
from :data:`COLORS` so both stay in step. Icons are the stroke SVGs in ``assets/icons``,
recoloured on load (one file per icon, any tint).
"""

from __future__ import annotations

import functools
from pathlib import Path

from ui.qt import (
    QApplication,
    QByteArray,
    QColor,
    QFont,
    QIcon,
    QIconEngine,
    QPainter,
    QPixmap,
    QRect,
    QSize,
    QSvgRenderer,
    Qt,
)

ASSETS = Path(__file__).resolve().parent.parent / "assets"
ICONS = ASSETS / "icons"
QSS = ASSETS / "theme.qss"

COLORS: dict[str, str] = {
    "bg": "#f3f5f8",
    "surface": "#ffffff",
    "surface_alt": "#f8fafc",
    "border": "#e2e8f0",
    "divider": "#edf1f5",
    "text": "#111827",
    "text_muted": "#64748b",
    "text_faint": "#94a3b8",
    "primary": "#1d4ed8",
    "primary_soft": "#e0e9ff",
    "accent": "#ea580c",
    "accent_soft": "#fff1e6",
    "good": "#15803d",
    "good_soft": "#dcfce7",
    "warn": "#b45309",
    "warn_soft": "#fef3c7",
    "bad": "#b91c1c",
    "bad_soft": "#fee2e2",
    "info": "#0369a1",
    "info_soft": "#e0f2fe",
    "muted_soft": "#eef2f6",
    "focus": "#2563eb",
}

# The tone of a chip (status pill) → (text colour, fill colour).
TONES: dict[str, tuple[str, str]] = {
    "good": (COLORS["good"], COLORS["good_soft"]),
    "warn": (COLORS["warn"], COLORS["warn_soft"]),
    "bad": (COLORS["bad"], COLORS["bad_soft"]),
    "info": (COLORS["info"], COLORS["info_soft"]),
    "accent": (COLORS["accent"], COLORS["accent_soft"]),
    "primary": (COLORS["primary"], COLORS["primary_soft"]),
    "muted": (COLORS["text_muted"], COLORS["muted_soft"]),
}

FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", "Sans Serif"]


def color(name: str) -> QColor:
    return QColor(COLORS[name])


def app_font(point_size: float = 10.5) -> QFont:
    """The app's font at ``point_size``: the first of FONT_FAMILIES this machine has (Qt
    walks the list itself — asking the font database for every family would cost start-up
    time)."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def apply(app: QApplication) -> None:
    """Font and style sheet for the whole application."""
    app.setStyle("Fusion")
    app.setFont(app_font())
    app.setStyleSheet(style_sheet())


@functools.cache
def style_sheet() -> str:
    """assets/theme.qss, with ``@ICONS@`` made the icons folder's path (QSS ``url()`` takes
    a file path, and the app may be started from any working directory)."""
    if not QSS.exists():
        return ""
    return QSS.read_text(encoding="utf-8").replace("@ICONS@", ICONS.as_posix())


@functools.cache
def _svg(name: str) -> str:
    return (ICONS / f"{name}.svg").read_text(encoding="utf-8")


def icon_pixmap(name: str, size: int, tint: str = "text", dpr: float = 1.0) -> QPixmap:
    """The icon ``name`` rendered at ``size`` logical pixels in the theme colour ``tint``."""
    return _pixmap(name, size, COLORS.get(tint, tint), dpr)


@functools.lru_cache(maxsize=512)
def _pixmap(name: str, size: int, rgb: str, dpr: float) -> QPixmap:
    data = _svg(name).replace("#1f2937", rgb)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    px = QPixmap(QSize(round(size * dpr), round(size * dpr)))
    px.fill(Qt.GlobalColor.transparent)
    painter = QPainter(px)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    px.setDevicePixelRatio(dpr)
    return px


class _SvgIconEngine(QIconEngine):
    """Renders a recoloured SVG icon at the size and state asked for, when asked for."""

    def __init__(self, name: str, tint: str, active_tint: str | None) -> None:
        super().__init__()
        self.name, self.tint, self.active_tint = name, tint, active_tint

    def _tint(self, mode: QIcon.Mode, state: QIcon.State) -> str:
        if mode == QIcon.Mode.Disabled:
            return "text_faint"
        if state == QIcon.State.On and self.active_tint is not None:
            return self.active_tint
        return self.tint

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, _dpr())

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = max(1, min(size.width(), size.height()))
        return icon_pixmap(self.name, side, self._tint(mode, state), max(1.0, scale))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        side = min(rect.width(), rect.height())
        painter.drawPixmap(
            rect.topLeft(), icon_pixmap(self.name, side, self._tint(mode, state), dpr)
        )

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self.name, self.tint, self.active_tint)


_ICONS: dict[tuple[str, str, str | None], QIcon] = {}
_ENGINES: list[QIconEngine] = []


def icon(name: str, tint: str = "text", *, active_tint: str | None = None) -> QIcon:
    """A QIcon of the SVG ``name``, drawn in ``tint`` (disabled: faint; checked:
    ``active_tint``), rendered lazily at whatever size a widget asks for."""
    key = (name, tint, active_tint)
    cached = _ICONS.get(key)
    if cached is None:
        engine = _SvgIconEngine(name, tint, active_tint)
        _ENGINES.append(engine)  # the QIcon shares it; keep the Python side alive too
        cached = QIcon(engine)
        _ICONS[key] = cached
    return QIcon(cached)


def _dpr() -> float:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return float(app.devicePixelRatio())
    return 1.0
