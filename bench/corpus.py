"""Generate a deterministic corpus of degraded scan images for the decoding benchmark.

    python bench/corpus.py [--count 600] [--quick] [--seed 1] [--out bench/.data/corpus]

Writes images and ``manifest.json`` (one entry per image: file, kind, expected format and text,
the degradations applied) into the output folder. About 80% of the images hold one code —
member-code QRs shown on a phone (light or dark mode) and Code 128 member cards — and 20% hold
none (photo-like texture, shelf text, stripes) to count false positives.

Degradations, 1–3 per image, at levels a counter webcam or a handheld meets: rotation,
perspective tilt, blur, sensor noise, JPEG compression, glare, low contrast, inversion
(dark mode), scale (tiny or huge frames). Image ``i`` depends only on ``(seed, i)``, so the
``--quick`` corpus is the first 60 images of the full one.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

from clerk import identify
from clerk.shared import barcodes, membercode

GENERATOR_VERSION = 4
DEFAULT_COUNT = 600
QUICK_COUNT = 60
DEFAULT_OUT = Path(__file__).resolve().parent / ".data" / "corpus"
EXP = 1_750_000_000
_FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_WORDS = (
    *("会员", "新品", "促销", "满减", "优惠券", "智能手表", "耳机", "充电器", "门店", "今日"),
    *("特价", "积分", "sale", "new", "member", "watch", "S3", "price", "1999", "coupon"),
    *("store", "open", "10:00", "22:00", "aisle"),
)


def signing_key() -> Ed25519PrivateKey:
    """The corpus's fixed key (kid 1): public, for benchmarks only."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"omni-clerk bench corpus key").digest()
    )


@dataclass
class Item:
    file: str
    kind: str  # member_code | card | none
    format: str | None  # expected zxing name, None for code-free images
    text: str | None
    size: tuple[int, int]
    degradations: list[str] = field(default_factory=list)


# --- drawing helpers --------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if _FONT_PATH.exists():
        return ImageFont.truetype(str(_FONT_PATH), size)
    return ImageFont.load_default(size)


def _open_png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


def _texture(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Photo-like background: smooth random blobs plus a light gradient."""
    gw, gh = rng.randint(4, 12), rng.randint(3, 9)
    grid = Image.frombytes("L", (gw, gh), bytes(rng.randrange(40, 230) for _ in range(gw * gh)))
    img = grid.resize(size, Image.Resampling.BICUBIC)
    fine = Image.effect_noise(size, rng.uniform(3, 12)).filter(ImageFilter.GaussianBlur(1.2))
    return ImageChops.add(img, fine, 1.0, -128)


def _text_lines(
    rng: random.Random, draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], fill: int
) -> None:
    x0, y0, _, y1 = box
    size = max(10, (y1 - y0) // rng.randint(6, 12))
    font = _font(size)
    y = y0
    while y + size < y1:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 6)))
        draw.text((x0 + rng.randint(0, size), y), words, fill=fill, font=font)
        y += int(size * rng.uniform(1.3, 2.0))


def _canvas_size(rng: random.Random) -> tuple[int, int]:
    r = rng.random()
    if r < 0.05:
        return (320, 240)  # tiny preview frame
    if r < 0.10:
        return (3000, 2000)  # full-resolution phone photo
    return rng.choice([(640, 480), (640, 480), (1280, 720), (1280, 720), (1920, 1080), (800, 800)])


def _phone_screen(rng: random.Random, code: Image.Image, dark: bool) -> tuple[Image.Image, Box]:
    """The member-code page of the app: header, the QR, a line of text; dark or light mode."""
    qw = code.width
    w, h = int(qw * 1.35), int(qw * 1.9)
    bg, fg = (24, 230) if dark else (255, 20)
    screen = Image.new("L", (w, h), bg)
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, w, int(h * 0.1)), fill=(60 if dark else 200))
    font = _font(max(10, w // 14))
    draw.text((w // 10, int(h * 0.14)), "会员码 Member code", fill=fg, font=font)
    qr = ImageOps.invert(code) if dark else code
    x, y = (w - qw) // 2, int(h * 0.25)
    screen.paste(qr, (x, y))
    _text_lines(rng, draw, (w // 10, y + qw + 10, w - w // 10, h - 5), fg)
    return screen, (x, y, x + qw, y + qw)


def _card(rng: random.Random, code: Image.Image) -> tuple[Image.Image, Box]:
    w, h = int(code.width * rng.uniform(1.3, 1.6)), int(code.height * rng.uniform(2.0, 2.6))
    card = Image.new("L", (w, h), rng.randint(225, 255))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, w, h // 5), fill=rng.randint(60, 140))
    draw.text((w // 12, h // 5 + 4), "OMNI 会员卡", fill=30, font=_font(max(10, h // 10)))
    x, y = (w - code.width) // 2, h - code.height - h // 12
    card.paste(code, (x, y))
    return card, (x, y, x + code.width, y + code.height)


Box = tuple[int, int, int, int]


def _place(
    rng: random.Random,
    canvas: Image.Image,
    thing: Image.Image,
    frac: tuple[float, float],
    *,
    min_scale: float = 0.0,
    keep: Box | None = None,
) -> tuple[Image.Image, float]:
    """Paste ``thing`` scaled to a fraction of the canvas's short side at a random spot;
    returns the canvas and the scale factor applied to ``thing``.

    ``min_scale`` keeps the code's modules physically readable (a person holds a card closer
    to a small camera); the part of ``thing`` outside ``keep`` (the code and its quiet zone)
    may then fall off the canvas, as it does when a card is held close.
    """
    cw, ch = canvas.size
    target = rng.uniform(*frac) * min(cw, ch)
    f = max(target / max(thing.size), min_scale)
    kx0, ky0, kx1, ky1 = keep if keep is not None else (0, 0, thing.width, thing.height)
    f = min(f, 0.97 * cw / (kx1 - kx0), 0.97 * ch / (ky1 - ky0))  # the code must fit
    tw, th = max(1, round(thing.width * f)), max(1, round(thing.height * f))
    scaled = thing.resize((tw, th), Image.Resampling.LANCZOS)
    k0x, k0y, k1x, k1y = (round(v * f) for v in (kx0, ky0, kx1, ky1))
    # offsets that keep the whole thing inside if it fits, else at least the kept box
    lo_x, hi_x = (0, cw - tw) if tw <= cw else (-k0x, cw - k1x)
    lo_y, hi_y = (0, ch - th) if th <= ch else (-k0y, ch - k1y)
    canvas.paste(scaled, (rng.randint(lo_x, max(lo_x, hi_x)), rng.randint(lo_y, max(lo_y, hi_y))))
    return canvas, f


# --- degradations -----------------------------------------------------------------------------


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def _perspective(rng: random.Random, img: Image.Image, fill: int) -> Image.Image:
    w, h = img.size
    s = rng.uniform(0.08, 0.2)
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [
        (rng.uniform(0, s) * w, rng.uniform(0, s) * h),
        (w - rng.uniform(0, s) * w, rng.uniform(0, s) * h),
        (w - rng.uniform(0, s) * w, h - rng.uniform(0, s) * h),
        (rng.uniform(0, s) * w, h - rng.uniform(0, s) * h),
    ]
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):  # output (x, y) -> input (u, v)
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    coeffs = _solve(rows, rhs)
    return img.transform(
        img.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=fill
    )


def _glare(rng: random.Random, img: Image.Image) -> Image.Image:
    w, h = img.size
    r = int(min(w, h) * rng.uniform(0.25, 0.5))
    blob = ImageOps.invert(Image.radial_gradient("L")).resize((2 * r, 2 * r))
    strength = rng.uniform(0.45, 0.75)
    blob = blob.point(lambda v: int(v * strength))
    layer = Image.new("L", img.size, 0)
    layer.paste(blob, (rng.randint(-r // 2, w - r), rng.randint(-r // 2, h - r)))
    return ImageChops.screen(img, layer)


def _degrade(
    rng: random.Random, img: Image.Image, kind: str, module_px: float, names: list[str]
) -> Image.Image:
    fill = int(img.getpixel((0, 0)))  # type: ignore[arg-type]
    for name in names:
        if name == "rotation":
            if kind == "card":
                angle = rng.choice([0, 90, 180, 270]) + rng.uniform(-12, 12)
            else:
                angle = rng.uniform(-180, 180)
            img = img.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
        elif name == "perspective":
            img = _perspective(rng, img, fill)
        elif name == "blur":
            img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, max(0.6, 0.4 * module_px))))
        elif name == "noise":
            noise = Image.effect_noise(img.size, rng.uniform(8, 28))
            img = ImageChops.add(img, noise, 1.0, -128)
        elif name == "jpeg":
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=rng.randint(15, 45))
            img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
        elif name == "glare":
            img = _glare(rng, img)
        elif name == "low_contrast":
            lo, span = rng.randint(40, 150), rng.randint(35, 70)
            img = img.point(lambda v, lo=lo, span=span: lo + v * span // 255)
        elif name == "inverted":
            img = ImageOps.invert(img)
        elif name == "scale":
            w, h = img.size
            if module_px > 4 and rng.random() < 0.7:
                f = rng.uniform(1.8, 3.0) / module_px  # modules of 2-3 px
            else:
                f = rng.uniform(1.5, 2.5)
            img = img.resize((max(1, int(w * f)), max(1, int(h * f))), Image.Resampling.BILINEAR)
            module_px *= f
    return img


DEGRADATIONS = (
    "rotation",
    "perspective",
    "blur",
    "noise",
    "jpeg",
    "glare",
    "low_contrast",
    "inverted",
    "scale",
)


# --- items --------------------------------------------------------------------------------------


def make_item(seed: int, i: int) -> tuple[Item, Image.Image]:
    rng = random.Random(seed * 1_000_003 + i)
    size = _canvas_size(rng)
    canvas = _texture(rng, size)
    r = rng.random()
    names = sorted(rng.sample(DEGRADATIONS, rng.randint(1, 3)), key=DEGRADATIONS.index)
    if r < 0.2:
        kind, fmt, text = "none", None, None
        style = rng.choice(["texture", "text", "stripes", "screen"])
        draw = ImageDraw.Draw(canvas)
        if style == "text":
            _text_lines(rng, draw, (10, 10, size[0] - 10, size[1] - 10), rng.choice([0, 255]))
        elif style == "stripes":  # shelf edges, blinds, a keyboard: bar-like but no code
            x = rng.randint(0, size[0] // 4)
            while x < size[0]:
                w = rng.randint(2, 14)
                draw.rectangle((x, 0, x + w, size[1]), fill=rng.randint(0, 90))
                x += w + rng.randint(3, 30)
        elif style == "screen":
            blank = Image.new("L", (200, 360), 255)
            _text_lines(rng, ImageDraw.Draw(blank), (10, 10, 190, 350), 20)
            canvas, _ = _place(rng, canvas, blank, (0.4, 0.9))
        module_px = 3.0
        img = _degrade(rng, canvas, kind, module_px, names)
    elif r < 0.65:
        kind, fmt = "member_code", "QRCode"
        code_id = rng.getrandbits(63)
        jti = bytes(rng.getrandbits(8) for _ in range(6))
        text = membercode.issue(signing_key(), 1, code_id, exp=EXP, jti=jti)
        qr = _open_png(barcodes.member_code_qr_png(text, scale=4))
        dark = rng.random() < 0.25
        screen, box = _phone_screen(rng, qr, dark)
        # modules of at least 1.6 px: 4 px in the rendered QR
        canvas, f = _place(rng, canvas, screen, (0.45, 0.95), min_scale=0.4, keep=box)
        module_px = f * 4
        if dark:
            names = [n for n in names if n != "inverted"]
        img = _degrade(rng, canvas, kind, module_px, names)
        if dark:
            names = ["dark_mode", *names]
    else:
        kind, fmt = "card", "Code128"
        body = "62" + "".join(str(rng.randrange(10)) for _ in range(13))
        text = body + identify.luhn_check_digit(body)
        code = _open_png(barcodes.card_code128_png(text, scale=3))
        card, box = _card(rng, code)
        # bars of at least 2 px: 3 px in the rendered barcode
        canvas, f = _place(rng, canvas, card, (0.55, 0.98), min_scale=0.67, keep=box)
        module_px = f * 3
        img = _degrade(rng, canvas, kind, module_px, names)
    ext = "jpg" if "jpeg" in names else "png"
    item = Item(f"{i:04d}.{ext}", kind, fmt, text, img.size, names)
    return item, img


def _save(img: Image.Image, path: Path) -> None:
    if path.suffix == ".jpg":
        img.save(path, format="JPEG", quality=90)  # the degradation already compressed it
    else:
        img.save(path, format="PNG")


def ensure(count: int, *, seed: int = 1, out: Path = DEFAULT_OUT) -> list[Item]:
    """The first ``count`` items of the corpus for ``seed``, generating what is missing."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.json"
    items: list[Item] = []
    if manifest.exists():
        data = json.loads(manifest.read_text())
        if data.get("version") == GENERATOR_VERSION and data.get("seed") == seed:
            items = [Item(**{**d, "size": tuple(d["size"])}) for d in data["items"]]
            if len(items) >= count and all((out / it.file).exists() for it in items[:count]):
                return items[:count]
            items = [it for it in items if (out / it.file).exists()]
    have = {it.file for it in items}
    by_index = {int(it.file.split(".")[0]): it for it in items}
    for i in range(count):
        if i in by_index and by_index[i].file in have:
            continue
        item, img = make_item(seed, i)
        _save(img, out / item.file)
        by_index[i] = item
    items = [by_index[i] for i in sorted(by_index)]
    manifest.write_text(
        json.dumps(
            {"version": GENERATOR_VERSION, "seed": seed, "items": [asdict(it) for it in items]},
            ensure_ascii=False,
            indent=1,
        )
    )
    return items[:count]


def summary(items: list[Item]) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    degr: dict[str, int] = {}
    for it in items:
        kinds[it.kind] = kinds.get(it.kind, 0) + 1
        for d in it.degradations:
            degr[d] = degr.get(d, 0) + 1
    return {"count": len(items), "kinds": kinds, "degradations": degr}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK_COUNT} images")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    count = QUICK_COUNT if args.quick else args.count
    items = ensure(count, seed=args.seed, out=args.out)
    print(json.dumps(summary(items), indent=1))
    print(f"corpus: {len(items)} images in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
