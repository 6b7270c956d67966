"""Find barcodes in images: camera frames, image files, the clipboard.

zxing-cpp is the default backend, pyzbar the second one. :func:`decode_image` makes one fast
pass over the grayscale image (huge photos brought down to a working size first); only if
that finds nothing does it try a short cascade of variants — inverted (dark-mode screens,
light-on-dark bars), full size (small codes in huge photos), Otsu threshold (blur + noise),
contrast stretch, 2× upscale (small frames), full size inverted — stopping at the first that
yields a code and skipping any step that would overrun the time budget. The order comes from
``bench/decode.py`` on the corpus of ``bench/corpus.py``. Camera frames get a single pass
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
from PIL import Image, ImageOps

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

# Photos above _HUGE px on the long side are read at _WORK_MAX px first.
_HUGE = 1600
_WORK_MAX = 1200


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
    *,
    try_invert: bool = True,
) -> list[Decoded]:
    found = zxingcpp.read_barcodes(
        image,
        formats=_ZX_STANDARD if formats == "standard" else _ZX_ALL,
        text_mode=zxingcpp.TextMode.Plain,
        try_invert=try_invert,
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


# --- image variants ----------------------------------------------------------------------------


def _working(img: Image.Image) -> Image.Image:
    """The image the cascade works on: huge photos brought down to ``_WORK_MAX`` pixels on the
    long side (modules stay several pixels wide; every pass gets cheaper)."""
    w, h = img.size
    if max(w, h) <= _HUGE:
        return img
    f = _WORK_MAX / max(w, h)
    return img.resize((max(1, round(w * f)), max(1, round(h * f))), Image.Resampling.BOX)


def _invert(img: Image.Image) -> Image.Image:
    return ImageOps.invert(img)


def _autocontrast(img: Image.Image) -> Image.Image:
    return ImageOps.autocontrast(img, cutoff=1)


def _upscale(img: Image.Image) -> Image.Image:
    return img.resize((img.width * 2, img.height * 2), Image.Resampling.BICUBIC)


def _otsu(img: Image.Image) -> Image.Image:
    """Binarise at Otsu's global threshold (helps blur + noise, where local averaging fails)."""
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
        between = w0 * w1 * (sum0 / w0 - (sum_all - sum0) / w1) ** 2
        if between > best:
            best, threshold = between, t
    lut = [0] * (threshold + 1) + [255] * (255 - threshold)
    return img.point(lut)


@dataclass(frozen=True)
class _Step:
    name: str
    transform: Callable[[Image.Image], Image.Image]
    backends: tuple[Backend, ...]
    max_side: int = 1 << 30  # skip the step for larger working images (cost bound)
    area: float = 1.0  # pixels read relative to the working image, for the cost estimate
    full_size: bool = False  # apply to the full-size image; only when the working one is smaller


def _same(img: Image.Image) -> Image.Image:
    return img


# Ordered by images recovered per millisecond on bench/corpus.py (see bench/decode.py and
# docs/benchmarks.md): inversion (dark-mode screens; light-on-dark linear codes, which
# zxing-cpp's own try_invert does not cover), full resolution for huge photos (small codes),
# a global threshold, a contrast stretch, an upscale for small frames, and last, full
# resolution inverted.
_CASCADE: tuple[_Step, ...] = (
    _Step("invert", _invert, ("zxing", "pyzbar")),
    _Step("full_size", _same, ("zxing", "pyzbar"), full_size=True),
    _Step("otsu", _otsu, ("zxing", "pyzbar")),
    _Step("autocontrast", _autocontrast, ("zxing",)),
    _Step("upscale", _upscale, ("zxing", "pyzbar"), max_side=800, area=4.0),
    _Step("full_size_invert", _invert, ("zxing", "pyzbar"), full_size=True),
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


def decode_pil(
    image: Image.Image,
    *,
    backend: Backend = "zxing",
    budget_ms: float = 150,
    formats: FormatSet = "standard",
) -> list[Decoded]:
    """Decode a PIL image: one fast pass, then the cascade until a variant yields a code or the
    budget (from the start of the call) would be overrun. The reader's order, without repeats.
    """
    start = time.perf_counter()
    deadline = start + budget_ms / 1000
    gray = _gray(image)
    # Huge photos are read at a working size first: a code worth scanning is big in them, and
    # every pass costs in proportion to the pixels. Full size comes later in the cascade.
    work = _working(gray)
    t0 = time.perf_counter()
    # No try_invert here: on a miss zxing-cpp would re-read the whole image inverted; the
    # cascade's first step does that on the working image, for linear codes too.
    if backend == "zxing":
        found = _read_zxing(work, formats, try_invert=False)
    else:
        found = _read_zbar(work, formats)
    if found:
        return _dedupe(found)
    work_px = work.width * work.height
    # Seconds per pixel of one read, to skip steps that would not finish in time.
    per_px = (time.perf_counter() - t0) / max(1, work_px)
    for step in _CASCADE:
        if backend not in step.backends or max(work.size) > step.max_side:
            continue
        if step.full_size and work is gray:
            continue
        source = gray if step.full_size else work
        cost = per_px * source.width * source.height * step.area
        if time.perf_counter() + cost > deadline:
            continue
        variant = step.transform(source)
        if backend == "zxing":
            found = _read_zxing(variant, formats, try_invert=False)
        else:
            found = _read_zbar(variant, formats)
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
