"""Camera input with synthetic frames: QVideoFrames made from QImages of real member-code QRs,
decoded off the GUI thread, newest frame first, dropped while the decoder is busy."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from clerk.shared import barcodes
from ui.camera import CameraSource, FrameDecoder, SyntheticSource, luma_plane
from ui.qt import QImage, QPainter, Qt, QVideoFrame
from ui.workers import TaskRunner

HERO = "M00000001"


def qr_image(text: str, fmt: QImage.Format = QImage.Format.Format_Grayscale8) -> QImage:
    image = QImage.fromData(barcodes.member_code_qr_png(text, scale=6), "PNG")
    assert not image.isNull()
    # A frame is bigger than the code: put it on a grey 640×480 background.
    frame = QImage(640, 480, fmt)
    frame.fill(0xFF909090)

    p = QPainter(frame)
    p.drawImage(200, 90, image)
    p.end()
    return frame


@pytest.mark.parametrize("fmt", [QImage.Format.Format_Grayscale8, QImage.Format.Format_RGB32])
def test_luma_plane_of_a_frame(qtbot: Any, fmt: QImage.Format) -> None:
    image = QImage(64, 48, fmt)
    image.fill(0xFFFFFFFF)
    buf, width, height, stride = luma_plane(QVideoFrame(image))
    assert (width, height) == (64, 48)
    assert stride >= 64 and len(buf) >= stride * 47 + 64
    assert buf[0] == 255 and buf[stride * 47 + 63] == 255


def test_camera_frames_open_the_customer(
    qtbot: Any, session: Any, home: Any, wait_idle: Any
) -> None:
    w = session.window
    frames = [qr_image(home.code(HERO)), qr_image(home.code(HERO), QImage.Format.Format_RGB32)]
    source = SyntheticSource(frames, interval_ms=20)
    w.screens.camera.source_factory = lambda _device: source
    with qtbot.waitSignal(w.screens.scan.opened, timeout=10_000):
        qtbot.mouseClick(w.screens.scan_view.camera_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.nav.page == "customer", timeout=5_000)
    assert w.screens.customer.member_id == HERO
    assert not w.screens.camera.on  # the camera stops once the customer is shown
    stats = w.screens.camera.stats()
    assert stats["decoded"] >= 1
    wait_idle()


def test_decoder_keeps_only_the_newest_frame_while_busy(qtbot: Any) -> None:
    runner = TaskRunner("decode-test", max_threads=1)
    release = threading.Event()
    seen: list[tuple[int, str]] = []
    main = threading.current_thread().name

    def decode(buf: bytes, width: int, height: int, stride: int) -> list[Any]:
        seen.append((width, threading.current_thread().name))
        if width == 10:
            release.wait(5)
        return []

    decoder = FrameDecoder(runner, decode)

    def frame(width: int) -> QVideoFrame:
        image = QImage(width, 8, QImage.Format.Format_Grayscale8)
        image.fill(0)
        return QVideoFrame(image)

    decoder.feed(frame(10))  # starts decoding, blocks
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5_000)
    for width in (20, 30, 40):  # the decoder is busy: only the newest waits
        decoder.feed(frame(width))
    assert decoder.dropped == 2
    release.set()
    qtbot.waitUntil(lambda: decoder.decoded_frames == 2 and not decoder.busy, timeout=5_000)
    assert [width for width, _ in seen] == [10, 40]
    assert all(name != main for _, name in seen)  # never on the GUI thread
    runner.wait_idle()


def test_no_camera_says_so_and_turns_the_toggle_off(qtbot: Any, session: Any) -> None:
    from ui import texts

    w = session.window
    source = CameraSource("")
    with qtbot.waitSignal(source.failed, timeout=5_000) as blocker:
        source.start()
    assert blocker.args == ["no_camera"]  # the test machine has no camera
    w.screens.camera.source_factory = lambda _device: SyntheticSource([])
    w.screens.camera.set_on(True)
    w.screens.camera.source.failed.emit("camera_denied")
    assert not w.screens.camera.on
    assert not w.screens.scan_view.camera_button.isChecked()
    assert w.toasts.toasts()[-1].text.text() == texts.reason_message("camera_denied")
