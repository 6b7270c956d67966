"""The camera toggle on the scan screen: picker, preview, frames → decoder → scan.

QtMultimedia is loaded here on first use (``ui.camera``), not at start-up. Tests give a
``source_factory`` that returns a synthetic frame source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ui import texts
from ui.messages import MessageBridge
from ui.qt import QObject, Signal, translate
from ui.views.scan_view import ScanView
from ui.workers import TaskRunner

log = logging.getLogger(__name__)

SourceFactory = Callable[[str], Any]  # device id → FrameSource


class CameraController(QObject):
    code = Signal(str, str)  # (format, text) decoded from a frame
    active_changed = Signal(bool)

    def __init__(
        self,
        view: ScanView,
        runner: TaskRunner,
        bridge: MessageBridge,
        *,
        source_factory: SourceFactory | None = None,
        device_id: str = "",
        decode: Callable[..., list[Any]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.runner = runner
        self.bridge = bridge
        self.source_factory = source_factory
        self.device_id = device_id
        self._decode = decode
        self.source: Any = None
        self.decoder: Any = None
        self._devices: list[tuple[str, str]] = []
        view.camera_button.toggled.connect(self.set_on)
        view.camera_picker.activated.connect(self._picked)

    @property
    def on(self) -> bool:
        return self.source is not None

    def _ensure(self) -> None:
        if self.decoder is not None:
            return
        from ui import camera

        self.decoder = camera.FrameDecoder(self.runner, self._decode, self)
        self.decoder.decoded.connect(self.code)
        self.decoder.previewed.connect(self._preview)
        self.decoder.failed.connect(self._decode_failed)
        self.view.preview()

    def _fill_picker(self) -> None:
        from ui import camera

        self._devices = (
            camera.available_cameras()
            if self.source_factory is None
            else [(self.device_id, translate("ScanPage", "Test camera"))]
        )
        picker = self.view.camera_picker
        picker.blockSignals(True)
        picker.clear()
        for dev_id, name in self._devices:
            picker.addItem(name, dev_id)
        ids = [d for d, _ in self._devices]
        if self.device_id in ids:
            picker.setCurrentIndex(ids.index(self.device_id))
        picker.blockSignals(False)
        picker.setEnabled(len(self._devices) > 1)

    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        if not on:
            self._stop()
            return
        self._ensure()
        self._fill_picker()
        self._start(self.device_id)

    def _start(self, device_id: str) -> None:
        from ui import camera

        factory = self.source_factory or (lambda dev: camera.CameraSource(dev, self))
        source = factory(device_id)
        self.source = source
        source.frame.connect(self.decoder.feed)
        source.failed.connect(self._failed)
        self.view.camera_box.show()
        self.view.camera_button.setChecked(True)
        source.start()
        self.active_changed.emit(True)

    def _stop(self) -> None:
        source, self.source = self.source, None
        if source is not None:
            source.stop()
            source.frame.disconnect(self.decoder.feed)
            source.failed.disconnect(self._failed)
            if self.source_factory is None:
                source.deleteLater()
        if self.decoder is not None:
            self.view.preview().clear()
        self.view.camera_box.hide()
        self.view.camera_button.blockSignals(True)
        self.view.camera_button.setChecked(False)
        self.view.camera_button.blockSignals(False)
        self.active_changed.emit(False)

    def _picked(self, index: int) -> None:
        if not 0 <= index < len(self._devices):
            return
        self.device_id = self._devices[index][0]
        if self.on:
            self._stop()
            self._ensure()
            self._start(self.device_id)

    def _preview(self, image: Any) -> None:
        if self.on:
            self.view.preview().show_image(image)

    def _failed(self, reason: str) -> None:
        self._stop()
        self.bridge.warning(texts.reason_message(reason), key="camera")

    def _decode_failed(self, exc: object) -> None:
        log.warning("frame decode failed: %s", exc)

    def stats(self) -> dict[str, int]:
        d = self.decoder
        if d is None:
            return {"received": 0, "decoded": 0, "dropped": 0}
        return {"received": d.received, "decoded": d.decoded_frames, "dropped": d.dropped}
