"""``clerk decode``: one JSON line per image file — the barcodes found in it."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from clerk.cli.common import EXIT_INPUT, EXIT_OK, print_json
from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.cli.common import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "decode",
        help="decode barcodes in image files",
        description="Print one JSON line per file: {file, codes: [{format, text}]}.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--backend", choices=("zxing", "pyzbar"), default="zxing")
    p.set_defaults(func=cmd_decode)


def cmd_decode(args: argparse.Namespace) -> int:
    from clerk.decode import decode_file

    worst = EXIT_OK
    for name in args.files:
        try:
            codes = decode_file(Path(name), backend=args.backend)
        except ClerkError as exc:
            print_json({"file": name, "codes": [], "error": str(exc), "reason": exc.reason})
            worst = EXIT_INPUT
            continue
        print_json({"file": name, "codes": [dataclasses.asdict(c) for c in codes]})
    return worst
