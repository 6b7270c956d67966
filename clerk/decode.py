"""Find barcodes in images: camera frames, image files, the clipboard.

zxing-cpp is the default backend, pyzbar the second one. :func:`decode_image` runs one fast
pass on the grayscale image; only if that finds nothing does it try a short cascade of
cleaned-up variants (contrast stretch, rescale, sharpen, denoise, other binarizers, inversion
for pyzbar — zxing-cpp tries inverted images itself), stopping at the first variant that
yields a code or when the time budget is spent. Camera frames get the fast pass only
(:func:`decode_frame_gray`): the next frame is the next chance.

Formats are limited to what a store meets (QR, Code 128, EAN/UPC, Data Matrix, PDF417) unless
``formats="all"``; names follow zxing-cpp (``QRCode``, ``Code128``, ``EAN13`` …) for both
backends.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from clerk.errors import ClerkError

Backend = Literal["zxing", "pyzbar"]
FormatSet = Literal["standard", "all"]

_F = zxingcpp.BarcodeFormat
_ZX_STANDARD = zxingcpp.BarcodeFormats((_F.QRCode, _F.Code128, _F.EANUPC, _F.DataMatrix, _F.PDF417))
_ZX_ALL = zxingcpp.BarcodeFormats((_F.All,))
_ZBAR_NAMES = {
    "QRCODE": "QRCode",
    "CODE128": "Code128",
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "UPCA": "UPCA",
    "UPCE": "UPCE",
    "ISBN10": "ISBN",
    "ISBN13": "ISBN",
    "PDF417": "PDF417",
    "EAN2": "EAN2",
    "EAN5": "EAN5",
    "CODE39": "Code39",
    "CODE93": "Code93",
    "CODABAR": "Codabar",
    "I25": "ITF",
    "DATABAR": "DataBar",
    "DATABAR_EXP": "DataBarExp",
    "SQCODE": "SQCode",
    "COMPOSITE": "Composite",
}
_ZBAR_STANDARD = (
    "QRCODE",
    "CODE128",
    "EAN13",
    "EAN8",
    "UPCA",
    "UPCE",
    "ISBN10",
    "ISBN13",
    "PDF417",
)

# Pixel sizes the cascade steers towards: zxing/zbar find 1–8 px modules best.
_HUGE = 1600
_TINY = 360


@dataclass(frozen=True)
class Decoded:
    format: str  # zxing-cpp name: QRCode, Code128, EAN13, DataMatrix, PDF417 …
    text: str


class _ArrayLike(Protocol):
    @property
    def __array_interface__(self) -> dict[str, Any]: ...


ImageInput = Image.Image | str | os.PathLike[str] | _ArrayLike


# --- backends --------------------------------------------------------------------------------


def _read_zxing(
    image: Image.Image | zxingcpp.ImageView,
    formats: FormatSet,
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage,
) -> list[Decoded]:
    found = zxingcpp.read_barcodes(
        image,
        formats=_ZX_STANDARD if formats == "standard" else _ZX_ALL,
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=binarizer,
    )
    return [Decoded(b.format.name, b.text) for b in found if b.valid]


def _read_zbar(image: Image.Image, formats: FormatSet) -> list[Decoded]:
    from pyzbar import pyzbar

    symbols = None
    if formats == "standard":
        symbols = [pyzbar.ZBarSymbol[name] for name in _ZBAR_STANDARD]
    found = pyzbar.decode(image, symbols=symbols)
    return [
        Decoded(_ZBAR_NAMES.get(r.type, r.type), r.data.decode("utf-8", errors="replace"))
        for r in found
    ]


def _dedupe(found: Iterable[Decoded]) -> list[Decoded]:
    return list(dict.fromkeys(found))


# --- the cascade -----------------------------------------------------------------------------

_Step = Callable[[Image.Image], Image.Image]


def _rescale(img: Image.Image) -> Image.Image:
    w, h = img.size
    if max(w, h) > _HUGE:
        f = 1000 / max(w, h)
        return img.resize((max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.BOX)
    if min(w, h) < _TINY:
        f = 3 if min(w, h) < _TINY // 2 else 2
        return img.resize((w * f, h * f), Image.Resampling.BICUBIC)
    return img


def _half(img: Image.Image) -> Image.Image:
    w, h = img.size
    if min(w, h) < 2 * _TINY:
        return img.resize((w * 2, h * 2), Image.Resampling.BICUBIC)
    return img.resize((w // 2, h // 2), Image.Resampling.BOX)


def _autocontrast(img: Image.Image) -> Image.Image:
    return ImageOps.autocontrast(img, cutoff=1)


def _equalize(img: Image.Image) -> Image.Image:
    return ImageOps.equalize(img)


def _sharpen(img: Image.Image) -> Image.Image:
    return img.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=0))


def _denoise(img: Image.Image) -> Image.Image:
    return img.filter(ImageFilter.MedianFilter(3))


def _invert(img: Image.Image) -> Image.Image:
    return ImageOps.invert(img)


def _otsu(img: Image.Image) -> Image.Image:
    hist = img.histogram()
    total = sum(hist)
    sum_all = sum(i * c for i, c in enumerate(hist))
    best, threshold = -1.0, 128
    w0 = 0
    sum0 = 0
    for t in range(256):
        w0 += hist[t]
        if w0 == 0:
            continue
        w1 = total - w0
        if w1 == 0:
            break
        sum0 += t * hist[t]
        m0 = sum0 / w0
        m1 = (sum_all - sum0) / w1
        between = w0 * w1 * (m0 - m1) ** 2
        if between > best:
            best, threshold = between, t
    return img.point(lambda v: 255 if v > threshold else 0)


# (name, image transform, zxing binarizer override, backends it is useful for)
_CASCADE: tuple[tuple[str, _Step | None, zxingcpp.Binarizer | None, tuple[Backend, ...]], ...] = (
    ("invert", _invert, None, ("pyzbar",)),
    ("global_histogram", None, zxingcpp.Binarizer.GlobalHistogram, ("zxing",)),
    ("rescale", _rescale, None, ("zxing", "pyzbar")),
    ("autocontrast", _autocontrast, None, ("zxing", "pyzbar")),
    ("denoise", _denoise, None, ("zxing", "pyzbar")),
    ("sharpen", _sharpen, None, ("zxing", "pyzbar")),
    ("equalize", _equalize, None, ("zxing", "pyzbar")),
    ("half", _half, None, ("zxing", "pyzbar")),
    ("otsu", _otsu, None, ("zxing", "pyzbar")),
)


def _gray(img: Image.Image) -> Image.Image:
    if img.mode == "L":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # Transparent screenshots: put them on white, or transparent pixels read as black.
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return ImageOps.autocontrast(img.convert("F").convert("L"))
    return img.convert("L")


def _read(img: Image.Image, backend: Backend, formats: FormatSet, binarizer: Any) -> list[Decoded]:
    if backend == "zxing":
        if binarizer is None:
            return _read_zxing(img, formats)
        return _read_zxing(img, formats, binarizer)
    return _read_zbar(img, formats)


def decode_pil(
    image: Image.Image,
    *,
    backend: Backend = "zxing",
    budget_ms: float = 150,
    formats: FormatSet = "standard",
) -> list[Decoded]:
    """Decode a PIL image: fast pass, then the cascade until something is found or the budget
    (measured from the start of the call) is spent. The order of results is the reader's."""
    start = time.perf_counter()
    deadline = start + budget_ms / 1000
    gray = _gray(image)
    found = _read(gray, backend, formats, None)
    if found:
        return _dedupe(found)
    for _name, step, binarizer, backends in _CASCADE:
        if backend not in backends:
            continue
        if time.perf_counter() >= deadline:
            break
        variant = step(gray) if step is not None else gray
        found = _read(variant, backend, formats, binarizer)
        if found:
            return _dedupe(found)
    return []


def decode_image(
    image: ImageInput,
    *,
    backend: Backend = "zxing",
    budget_ms: float = 150,
    formats: FormatSet = "standard",
) -> list[Decoded]:
    """Decode a PIL image, an array (numpy, grayscale or RGB) or an image file.

    For a path this is :func:`decode_file` (``ClerkError(reason="unreadable_image")`` if the
    file is not a readable image). An empty list means no code was found.
    """
    if isinstance(image, Image.Image):
        return decode_pil(image, backend=backend, budget_ms=budget_ms, formats=formats)
    if isinstance(image, str | os.PathLike):
        return decode_file(image, backend=backend, budget_ms=budget_ms, formats=formats)
    pil = Image.fromarray(image)
    return decode_pil(pil, backend=backend, budget_ms=budget_ms, formats=formats)


def load_image(path: str | os.PathLike[str]) -> Image.Image:
    """Open and fully read an image file; ``ClerkError(reason="unreadable_image")`` if it is
    missing, not an image, truncated, or absurdly large."""
    name = os.fspath(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(name) as img:
                img.load()
                return img.copy()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as exc:
        raise ClerkError(
            f"Cannot read {name!r} as an image: {exc}", reason="unreadable_image"
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ClerkError(
            f"Cannot read {name!r} as an image: it is too large ({exc})",
            reason="unreadable_image",
        ) from exc


def decode_file(
    path: str | os.PathLike[str],
    *,
    backend: Backend = "zxing",
    budget_ms: float = 150,
    formats: FormatSet = "standard",
) -> list[Decoded]:
    """Decode an image file (PNG, JPEG, …); see :func:`load_image` for the errors."""
    img = load_image(path)
    return decode_pil(img, backend=backend, budget_ms=budget_ms, formats=formats)


def decode_frame_gray(
    buf: bytes | bytearray | memoryview,
    width: int,
    height: int,
    stride: int | None = None,
    *,
    formats: FormatSet = "standard",
) -> list[Decoded]:
    """Decode one camera frame given as an 8-bit grayscale (luma) plane.

    ``stride`` is the length of a row in bytes (``width`` if omitted). A single zxing-cpp pass
    (it tries rotations and inverted codes itself); frames come many times a second, so there
    is no cascade. ``ValueError`` if the buffer is smaller than the geometry says.
    """
    stride = width if stride is None else stride
    if width <= 0 or height <= 0 or stride < width:
        raise ValueError(f"bad frame geometry {width}x{height} stride {stride}")
    needed = stride * (height - 1) + width
    size = memoryview(buf).nbytes
    if size < needed:
        raise ValueError(f"frame buffer has {size} bytes, {needed} needed")
    view = zxingcpp.ImageView(buf, width, height, zxingcpp.ImageFormat.Lum, stride)
    return _dedupe(_read_zxing(view, formats))
