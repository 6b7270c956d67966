"""The camera's viewfinder on the scan screen."""

from __future__ import annotations

from typing import Any

from ui.qt import QColor, QImage, QPainter, QPen, QRectF, QSize, Qt, QWidget


class CameraPreview(QWidget):
    """The viewfinder: the newest decoded frame, letterboxed, with a framing guide.

    It only draws the small image the decode thread made; it never converts a frame.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.setMinimumSize(QSize(240, 260))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def show_image(self, image: QImage) -> None:
        self._image = image
        if self.isVisible():
            self.update()

    def clear(self) -> None:
        self._image = None
        self.update()

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#0f172a"))
        image = self._image
        area = QRectF(self.rect())
        if image is not None and not image.isNull():
            size = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) / 2
            y = (self.height() - size.height()) / 2
            area = QRectF(x, y, size.width(), size.height())
            p.drawImage(area, image)
        side = min(area.width(), area.height()) * 0.7
        guide = QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#60a5fa"), 3))
        p.drawRoundedRect(guide, 14, 14)
        p.end()
