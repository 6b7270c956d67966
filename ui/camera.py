"""Camera input: frame sources and the frame decoder.

A :class:`FrameSource` emits ``QVideoFrame``s. :class:`CameraSource` is the real one
(``QCamera`` → ``QMediaCaptureSession`` → ``QVideoSink``); :class:`SyntheticSource` emits
frames made from ``QImage``s, so tests and demos need no camera.

:class:`FrameDecoder` takes every frame on the GUI thread but only *keeps* it: the luma plane
is read and decoded by ``clerk.decode.decode_frame_gray`` on the decode runner's thread. One
frame is decoded at a time; while the decoder is busy the newest frame waits in a single slot
(a newer one replaces it, the older is dropped), so a slow decoder never builds a queue and
never falls behind the camera.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from ui.qt import (
    QCamera,
    QCameraPermission,
    QCoreApplication,
    QImage,
    QMediaCaptureSession,
    QMediaDevices,
    QObject,
    Qt,
    QTimer,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
    Signal,
)
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

Decode = Callable[[bytes, int, int, int], list[Any]]


def available_cameras() -> list[tuple[str, str]]:
    """(device id, description) of every camera, the system default first."""
    devices = QMediaDevices.videoInputs()
    default = QMediaDevices.defaultVideoInput()
    out = [(bytes(d.id().data()).decode("utf-8", "replace"), d.description()) for d in devices]
    default_id = (
        bytes(default.id().data()).decode("utf-8", "replace") if not default.isNull() else ""
    )
    out.sort(key=lambda item: item[0] != default_id)
    return out


class FrameSource(QObject):
    """Emits ``frame(QVideoFrame)`` while active; ``failed(reason)`` when it cannot start.

    Reasons: ``no_camera``, ``camera_denied``, ``camera_error``.
    """

    frame = Signal(object)
    failed = Signal(str)
    active_changed = Signal(bool)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    @property
    def active(self) -> bool:
        raise NotImplementedError


class CameraSource(FrameSource):
    """A real camera through QtMultimedia. ``device_id`` empty: the system default."""

    def __init__(self, device_id: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device_id = device_id
        self._camera: Any = None
        self._session: Any = None
        self._sink: Any = None

    @property
    def active(self) -> bool:
        return self._camera is not None and bool(self._camera.isActive())

    def start(self) -> None:
        if self._camera is not None:
            return
        app = QCoreApplication.instance()
        permission = QCameraPermission()
        status = app.checkPermission(permission) if app is not None else None
        if status == Qt.PermissionStatus.Undetermined and app is not None:
            app.requestPermission(permission, self, self._on_permission)
            return
        if status == Qt.PermissionStatus.Denied:
            self.failed.emit("camera_denied")
            return
        self._open()

    def _on_permission(self, permission: Any) -> None:
        if permission.status() == Qt.PermissionStatus.Granted:
            self._open()
        else:
            self.failed.emit("camera_denied")

    def _open(self) -> None:
        devices = QMediaDevices.videoInputs()
        if not devices:
            self.failed.emit("no_camera")
            return
        device = next(
            (
                d
                for d in devices
                if bytes(d.id().data()).decode("utf-8", "replace") == self.device_id
            ),
            QMediaDevices.defaultVideoInput() if not self.device_id else devices[0],
        )
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(self._on_error)
        self._camera.activeChanged.connect(self.active_changed)
        self._sink = QVideoSink(self)
        self._sink.videoFrameChanged.connect(self.frame)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._camera.start()

    def _on_error(self, _error: Any, text: str) -> None:
        log.warning("camera error: %s", text)
        lowered = text.lower()
        denied = "permission" in lowered or "denied" in lowered
        self.stop()
        self.failed.emit("camera_denied" if denied else "camera_error")

    def stop(self) -> None:
        if self._camera is None:
            return
        self._camera.stop()
        self._sink.videoFrameChanged.disconnect(self.frame)
        for obj in (self._session, self._camera, self._sink):
            obj.deleteLater()
        self._camera = self._session = self._sink = None
        self.active_changed.emit(False)


class SyntheticSource(FrameSource):
    """Frames made from images, every ``interval_ms`` (looping), or one at a time via push()."""

    def __init__(
        self,
        images: Sequence[QImage] = (),
        *,
        interval_ms: int = 33,
        loop: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.images = list(images)
        self.loop = loop
        self._next = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if not self._timer.isActive() and self.images:
            self._timer.start()
            self.active_changed.emit(True)

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.active_changed.emit(False)

    def push(self, image: QImage) -> None:
        self.frame.emit(QVideoFrame(image))

    def _tick(self) -> None:
        if self._next >= len(self.images):
            if not self.loop:
                self.stop()
                return
            self._next = 0
        self.push(self.images[self._next])
        self._next += 1


# --- reading the luma plane (runs on the decode thread) --------------------------------------

_PF = QVideoFrameFormat.PixelFormat
_LUMA_FIRST_PLANE = {
    _PF.Format_Y8,
    _PF.Format_NV12,
    _PF.Format_NV21,
    _PF.Format_YUV420P,
    _PF.Format_YV12,
    _PF.Format_YUV422P,
    _PF.Format_IMC1,
    _PF.Format_IMC2,
    _PF.Format_IMC3,
    _PF.Format_IMC4,
}
_AS_QIMAGE = {
    _PF.Format_BGRA8888: QImage.Format.Format_ARGB32,
    _PF.Format_BGRA8888_Premultiplied: QImage.Format.Format_ARGB32_Premultiplied,
    _PF.Format_BGRX8888: QImage.Format.Format_RGB32,
    _PF.Format_RGBA8888: QImage.Format.Format_RGBA8888,
    _PF.Format_RGBX8888: QImage.Format.Format_RGBX8888,
}


def luma_plane(frame: Any) -> tuple[bytes, int, int, int]:
    """(bytes, width, height, stride) of an 8-bit luma plane for ``frame``.

    YUV frames give their Y plane as is; 32-bit RGB frames are converted; anything else goes
    through ``QVideoFrame.toImage``.
    """
    frame = QVideoFrame(frame)  # a shallow copy this thread may map
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        raise ValueError("camera frame cannot be mapped")
    try:
        fmt = frame.pixelFormat()
        width, height = frame.width(), frame.height()
        stride = frame.bytesPerLine(0)
        if fmt in _LUMA_FIRST_PLANE:
            data = bytes(frame.bits(0))[: stride * height]
            return data, width, height, stride
        image_format = _AS_QIMAGE.get(fmt)
        if image_format is not None:
            image = QImage(bytes(frame.bits(0)), width, height, stride, image_format)
            gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
            return bytes(gray.constBits()), width, height, gray.bytesPerLine()
    finally:
        frame.unmap()
    gray = frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return bytes(gray.constBits()), gray.width(), gray.height(), gray.bytesPerLine()


def _default_decode(buf: bytes, width: int, height: int, stride: int) -> list[Any]:
    from clerk.decode import decode_frame_gray

    return decode_frame_gray(buf, width, height, stride)


PREVIEW_WIDTH = 480


def preview_image(buf: bytes, width: int, height: int, stride: int) -> QImage:
    """A small grey viewfinder image from a luma plane (made on the decode thread)."""
    image = QImage(buf, width, height, stride, QImage.Format.Format_Grayscale8)
    if width > PREVIEW_WIDTH:
        return image.scaledToWidth(PREVIEW_WIDTH, Qt.TransformationMode.FastTransformation)
    return image.copy()


class FrameDecoder(QObject):
    """Decodes the newest frame off the GUI thread; emits ``decoded(format, text)`` for each
    code found and ``previewed(QImage)`` with a viewfinder image of every decoded frame."""

    decoded = Signal(str, str)
    previewed = Signal(QImage)
    failed = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        decode: Decode | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._decode = decode or _default_decode
        self._busy = False
        self._waiting: Any = None
        self.received = 0
        self.decoded_frames = 0
        self.dropped = 0
        self.last_decode_ms = 0.0
        self.preview_enabled = True

    @property
    def busy(self) -> bool:
        return self._busy

    def feed(self, frame: Any) -> None:
        """Slot for ``FrameSource.frame``: O(1) on the GUI thread."""
        self.received += 1
        if self._busy:
            if self._waiting is not None:
                self.dropped += 1
            self._waiting = frame
            return
        self._start(frame)

    def _start(self, frame: Any) -> None:
        self._busy = True
        decode = self._decode

        want_preview = self.preview_enabled

        def work() -> tuple[list[Any], float, QImage | None]:
            t0 = time.perf_counter()
            buf, width, height, stride = luma_plane(frame)
            found = decode(buf, width, height, stride)
            ms = (time.perf_counter() - t0) * 1000
            preview = preview_image(buf, width, height, stride) if want_preview else None
            return found, ms, preview

        self._runner.submit(work, self._on_done, self._on_error)

    def _on_done(self, result: tuple[list[Any], float, QImage | None]) -> None:
        found, ms, preview = result
        self.decoded_frames += 1
        self.last_decode_ms = ms
        self._next()
        if preview is not None:
            self.previewed.emit(preview)
        for code in found:
            self.decoded.emit(str(code.format), str(code.text))

    def _on_error(self, exc: BaseException) -> None:
        self._next()
        self.failed.emit(exc)

    def _next(self) -> None:
        self._busy = False
        frame, self._waiting = self._waiting, None
        if frame is not None:
            self._start(frame)
