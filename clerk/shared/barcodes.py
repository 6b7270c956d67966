"""Render codes as PNG: member-code QR (for the demo app and tests), card Code 128, any QR.

Member codes are all in the QR alphanumeric set (Base45 plus ``MC1:``), so they are encoded in
alphanumeric mode at ECC M: 130 characters fit QR version 6 (41×41 modules), small enough for
big, easy-to-read modules on a phone screen. Code 128 comes from zxing-cpp's writer, which
packs digits in code set C.
"""

from __future__ import annotations

import io
import os

import qrcode
import qrcode.constants
import qrcode.util
import zxingcpp
from PIL import Image

from clerk.shared import membercode

MEMBER_CODE_MAX_VERSION = 6
_ECC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def _png(img: Image.Image, path: str | os.PathLike[str] | None) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if path is not None:
        with open(path, "wb") as f:
            f.write(data)
    return data


def _matrix_image(matrix: list[list[bool]], scale: int) -> Image.Image:
    n = len(matrix)
    img = Image.new("L", (n, n))
    img.putdata([0 if dark else 255 for row in matrix for dark in row])
    return img.resize((n * scale, n * scale), Image.Resampling.NEAREST)


def member_code_qr(text: str) -> qrcode.QRCode:
    """The QR symbol for a member code: alphanumeric mode, ECC M, version ≤ 6.

    ``ValueError`` if ``text`` is not in the QR alphanumeric set or needs a larger symbol.
    """
    if not text.startswith(membercode.PREFIX):
        raise ValueError("not a member code")
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(qrcode.util.QRData(text.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    if qr.version > MEMBER_CODE_MAX_VERSION:
        raise ValueError(f"member code needs QR version {qr.version} > {MEMBER_CODE_MAX_VERSION}")
    return qr


def member_code_qr_png(
    text: str, path: str | os.PathLike[str] | None = None, *, scale: int = 8
) -> bytes:
    """PNG of the member-code QR, ``scale`` pixels per module, 4-module quiet zone."""
    qr = member_code_qr(text)
    return _png(_matrix_image(qr.get_matrix(), scale), path)


def qr_png(
    text: str,
    path: str | os.PathLike[str] | None = None,
    *,
    scale: int = 8,
    ecc: str = "M",
) -> bytes:
    """PNG of a QR code for any text (e.g. the enrolment QR), modes chosen by ``qrcode``."""
    qr = qrcode.QRCode(error_correction=_ECC[ecc], border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return _png(_matrix_image(qr.get_matrix(), scale), path)


def card_code128_png(
    digits: str,
    path: str | os.PathLike[str] | None = None,
    *,
    scale: int = 2,
    human_readable: bool = True,
) -> bytes:
    """PNG of a member card number as Code 128 with quiet zones (and the digits under it)."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"a card number is digits only: {digits!r}")
    barcode = zxingcpp.create_barcode(digits, zxingcpp.BarcodeFormat.Code128)
    zimg = barcode.to_image(scale=scale, add_hrt=human_readable, add_quiet_zones=True)
    view = memoryview(zimg)  # type: ignore[arg-type]  # zxingcpp.Image has the buffer protocol
    height, width = zimg.shape
    img = Image.frombytes("L", (width, height), view.tobytes())
    return _png(img, path)
