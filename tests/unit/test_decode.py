"""Image decoding and rendering: what barcodes.py draws, decode.py reads back."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
import qrcode.util
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from clerk import identify
from clerk.decode import Decoded, decode_file, decode_frame_gray, decode_image, load_image
from clerk.errors import ClerkError
from clerk.shared import barcodes, membercode

KEY, PUB = membercode.generate_keypair()
CODE = membercode.issue(KEY, 1, 987_654_321, exp=1_750_000_000)
CARD = "620000000012345" + identify.luhn_check_digit("620000000012345")
BACKENDS = ["zxing", "pyzbar"]
BUDGET = 10_000  # generous: a loaded CI machine must not turn a test into a timing test


def png(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def on_canvas(img: Image.Image, size: tuple[int, int] = (640, 480), fill: int = 200) -> Image.Image:
    canvas = Image.new("L", size, fill)
    canvas.paste(img.convert("L"), ((size[0] - img.width) // 2, (size[1] - img.height) // 2))
    return canvas


# --- rendering --------------------------------------------------------------------------------


def test_member_code_qr_is_alphanumeric_version_6_at_ecc_m() -> None:
    qr = barcodes.member_code_qr(CODE)
    assert len(CODE) == 130
    assert qr.version == 6 <= barcodes.MEMBER_CODE_MAX_VERSION
    assert qr.error_correction == qrcode.constants.ERROR_CORRECT_M
    assert [d.mode for d in qr.data_list] == [qrcode.util.MODE_ALPHA_NUM]
    assert len(qr.get_matrix()) == 41 + 2 * 4  # version 6 plus the quiet zone


def test_member_code_qr_png_size_and_file(tmp_path: Path) -> None:
    path = tmp_path / "code.png"
    data = barcodes.member_code_qr_png(CODE, path, scale=5)
    assert data.startswith(b"\x89PNG") and path.read_bytes() == data
    assert png(data).size == (49 * 5, 49 * 5)


@pytest.mark.parametrize("text", ["not a code", "MC1:lowercase is not alphanumeric"])
def test_member_code_qr_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError):
        barcodes.member_code_qr(text)


def test_card_png_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        barcodes.card_code128_png("62-00")


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_member_code_qr_round_trip(backend: str) -> None:
    img = png(barcodes.member_code_qr_png(CODE))
    assert decode_image(img, backend=backend, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_decoded_code_verifies(backend: str) -> None:
    img = on_canvas(png(barcodes.member_code_qr_png(CODE, scale=4)))
    [found] = decode_image(img, backend=backend, budget_ms=BUDGET)  # type: ignore[arg-type]
    got = membercode.verify(found.text, {1: PUB}, 1_750_000_000 - 5)
    assert got.code_id == 987_654_321


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("hrt", [True, False])
def test_card_code128_round_trip(backend: str, hrt: bool) -> None:
    img = png(barcodes.card_code128_png(CARD, human_readable=hrt))
    assert decode_image(img, backend=backend, budget_ms=BUDGET) == [Decoded("Code128", CARD)]  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_generic_qr_with_unicode_round_trip(backend: str) -> None:
    text = '{"store":"S001","code":"门店-7Q2K","hub":"https://hub.example.cn"}'
    img = png(barcodes.qr_png(text, ecc="Q"))
    assert decode_image(img, backend=backend, budget_ms=BUDGET) == [Decoded("QRCode", text)]  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_inverted_dark_mode_screen(backend: str) -> None:
    img = ImageOps.invert(on_canvas(png(barcodes.member_code_qr_png(CODE, scale=4)), fill=255))
    assert decode_image(img, backend=backend, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_inverted_card(backend: str) -> None:
    img = ImageOps.invert(on_canvas(png(barcodes.card_code128_png(CARD, scale=3)), fill=255))
    assert decode_image(img, backend=backend, budget_ms=BUDGET) == [Decoded("Code128", CARD)]  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_low_contrast_blurred_code(backend: str) -> None:
    img = on_canvas(png(barcodes.member_code_qr_png(CODE, scale=3)), fill=255)
    img = img.filter(ImageFilter.GaussianBlur(1.0)).point(lambda v: 110 + v * 40 // 255)
    assert decode_image(img, backend=backend, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]  # type: ignore[arg-type]


def test_tiny_image_is_upscaled() -> None:
    img = png(barcodes.member_code_qr_png(CODE, scale=1))  # 49×49 pixels
    assert decode_image(img, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]


def test_transparent_screenshot_is_put_on_white() -> None:
    qr = png(barcodes.member_code_qr_png(CODE, scale=4)).convert("L")
    rgba = Image.new("RGBA", qr.size, (0, 0, 0, 0))  # transparent black background
    rgba.putalpha(ImageOps.invert(qr))  # only the dark modules are opaque
    assert decode_image(rgba, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]


def test_rgb_and_palette_images() -> None:
    qr = png(barcodes.member_code_qr_png(CODE, scale=4))
    for mode in ("RGB", "P", "1", "I;16"):
        assert decode_image(qr.convert(mode), budget_ms=BUDGET) == [Decoded("QRCode", CODE)], mode


def test_same_code_twice_is_reported_once() -> None:
    qr = png(barcodes.member_code_qr_png(CODE, scale=4)).convert("L")
    canvas = Image.new("L", (qr.width * 2 + 40, qr.height + 40), 255)
    canvas.paste(qr, (10, 20))
    canvas.paste(qr, (qr.width + 30, 20))
    assert decode_image(canvas, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]


def test_two_different_codes_are_both_reported() -> None:
    qr = png(barcodes.member_code_qr_png(CODE, scale=4)).convert("L")
    card = png(barcodes.card_code128_png(CARD, scale=3)).convert("L")
    canvas = Image.new("L", (qr.width + card.width + 60, qr.height + 40), 255)
    canvas.paste(qr, (20, 20))
    canvas.paste(card, (qr.width + 40, 40))
    assert set(decode_image(canvas, budget_ms=BUDGET)) == {
        Decoded("QRCode", CODE),
        Decoded("Code128", CARD),
    }


# --- nothing to find ----------------------------------------------------------------------------


def _code_free_images() -> list[Image.Image]:
    rng = random.Random(3)
    noise = Image.frombytes("L", (320, 240), rng.randbytes(320 * 240))
    text = Image.new("L", (400, 200), 255)
    draw = ImageDraw.Draw(text)
    for i in range(8):
        draw.text((10, 10 + 22 * i), "Smartwatch S3  ¥1999  coupon -200  store 10:00", fill=0)
    return [Image.new("L", (640, 480), 255), Image.new("RGB", (64, 64), (10, 10, 10)), noise, text]


@pytest.mark.parametrize("backend", BACKENDS)
def test_code_free_images_give_nothing(backend: str) -> None:
    for img in _code_free_images():
        assert decode_image(img, backend=backend, budget_ms=BUDGET) == []  # type: ignore[arg-type]


def test_cascade_respects_a_zero_budget() -> None:
    # only the fast pass runs: an inverted linear code needs the cascade and is not found
    img = ImageOps.invert(on_canvas(png(barcodes.card_code128_png(CARD, scale=3)), fill=255))
    assert decode_image(img, budget_ms=0) == []
    assert decode_image(img, budget_ms=BUDGET) == [Decoded("Code128", CARD)]


def test_formats_outside_the_store_set_need_all() -> None:
    aztec = zxingcpp.create_barcode("HELLO AZTEC", zxingcpp.BarcodeFormat.Aztec).to_image(scale=4)
    img = Image.frombytes("L", (aztec.shape[1], aztec.shape[0]), bytes(memoryview(aztec)))  # type: ignore[arg-type]
    assert decode_image(img, budget_ms=BUDGET) == []
    assert decode_image(img, formats="all") == [Decoded("Aztec", "HELLO AZTEC")]


# --- files --------------------------------------------------------------------------------------


def test_decode_file_and_path_input(tmp_path: Path) -> None:
    path = tmp_path / "code.png"
    barcodes.member_code_qr_png(CODE, path)
    assert decode_file(path) == [Decoded("QRCode", CODE)]
    assert decode_image(str(path)) == [Decoded("QRCode", CODE)]
    jpg = tmp_path / "code.jpg"
    png(path.read_bytes()).convert("RGB").save(jpg, quality=60)
    assert decode_file(jpg, backend="pyzbar") == [Decoded("QRCode", CODE)]


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"GIF89a\x01"],
)
def test_unreadable_files_raise_unreadable_image(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ClerkError) as info:
        decode_file(path)
    assert info.value.reason == "unreadable_image"
    assert "bad.png" in info.value.message


def test_truncated_png_is_unreadable(tmp_path: Path) -> None:
    data = barcodes.member_code_qr_png(CODE)
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ClerkError) as info:
        decode_image(path)
    assert info.value.reason == "unreadable_image"


def test_missing_file_and_directory_are_unreadable(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.png", tmp_path):
        with pytest.raises(ClerkError) as info:
            load_image(path)
        assert info.value.reason == "unreadable_image"


# --- camera frames ------------------------------------------------------------------------------


def test_frame_with_row_padding() -> None:
    img = on_canvas(png(barcodes.member_code_qr_png(CODE, scale=3)), size=(320, 240))
    w, h = img.size
    stride = w + 64
    raw = img.tobytes()
    padded = b"".join(raw[y * w : (y + 1) * w] + b"\x7f" * 64 for y in range(h))
    assert decode_frame_gray(padded, w, h, stride) == [Decoded("QRCode", CODE)]
    assert decode_frame_gray(memoryview(bytearray(raw)), w, h) == [Decoded("QRCode", CODE)]


def test_frame_without_code() -> None:
    assert decode_frame_gray(bytes(320 * 240), 320, 240) == []


@pytest.mark.parametrize(
    ("size", "w", "h", "stride"),
    [(100, 10, 11, 10), (100, 0, 10, None), (100, 10, 10, 9), (100, 10, -1, None)],
)
def test_frame_geometry_is_checked(size: int, w: int, h: int, stride: int | None) -> None:
    with pytest.raises(ValueError):
        decode_frame_gray(bytes(size), w, h, stride)


def test_huge_photo_is_read_at_working_size() -> None:
    canvas = Image.new("L", (3200, 2400), 180)
    canvas.paste(png(barcodes.member_code_qr_png(CODE, scale=24)).convert("L"), (900, 500))
    assert decode_image(canvas, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]


def test_small_code_in_huge_photo_is_found_at_full_size() -> None:
    canvas = Image.new("L", (3600, 2400), 200)
    canvas.paste(png(barcodes.member_code_qr_png(CODE, scale=2)).convert("L"), (2500, 1700))
    assert decode_image(canvas, budget_ms=BUDGET) == [Decoded("QRCode", CODE)]


def test_array_interface_input() -> None:
    # anything exposing __array_interface__ (numpy arrays, zxing-cpp images) is accepted
    array = zxingcpp.create_barcode(CARD, zxingcpp.BarcodeFormat.Code128).to_image(scale=3)
    assert decode_image(array) == [Decoded("Code128", CARD)]
