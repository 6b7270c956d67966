"""A busy disk on demand: another process on the hub's filesystem, logging and syncing.

A store server's disk is rarely the hub's alone: other services append to their logs and sync
them, backups and updates write. This process plays that neighbour — bounded, honest, and
reporting its own I/O: it appends ``--chunk-kb`` to a log file in ``--dir`` and ``fsync``\\ s it,
at ``--mb-s`` on average (it sleeps between chunks to keep that pace, never faster), rotating the
log every ``--rotate-mb`` as a logger does (the old file deleted, a new one grown — block
allocation, so its syncs are journal commits too, as a real log's are). It stops by itself
after ``--seconds``, when its parent is gone, or on SIGTERM/SIGINT, removes its files, and
writes its figures (MB written, chunks, each ``fsync``'s p50 / p99 / max, the pace it reached)
as JSON to ``--report`` (or stdout).

    python bench/disk_busy.py --dir bench/.data --mb-s 16 --chunk-kb 1024 --seconds 60
    python bench/hub_load.py --runs sqlite:3x167 --disk-busy 16      # started with the load

What it is not: a pathological load (``O_DIRECT`` floods, ``fsync`` of gigabytes, a full disk).
Its rate is a knob so that a run can say what neighbour the hub met.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def run(
    folder: Path, mb_s: float, chunk_kb: int, seconds: float, rotate_mb: float
) -> dict[str, Any]:
    """Append-and-sync for ``seconds`` (or until told to stop); the figures."""
    stop = {"now": False}

    def on_signal(_sig: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    parent = os.getppid()
    chunk = os.urandom(chunk_kb * 1024)  # incompressible, as a log's gzip or a backup's would be
    per_chunk_s = len(chunk) / (mb_s * 1024 * 1024) if mb_s > 0 else 0.0
    name = folder / f"disk_busy.{os.getpid()}.log"
    fsyncs: list[float] = []
    written = 0
    rotations = 0
    began = time.monotonic()
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    in_file = 0
    try:
        next_at = began
        while not stop["now"] and time.monotonic() - began < seconds:
            if os.getppid() != parent:  # the bench that started it is gone
                break
            os.write(fd, chunk)
            t0 = time.monotonic()
            os.fsync(fd)
            fsyncs.append(time.monotonic() - t0)
            written += len(chunk)
            in_file += len(chunk)
            if in_file >= rotate_mb * 1024 * 1024:  # rotate: a new file, grown again
                os.close(fd)
                os.unlink(name)
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                in_file = 0
                rotations += 1
            next_at += per_chunk_s
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:  # behind (the disk is slower than asked): no catching up in a burst
                next_at = time.monotonic()
    finally:
        os.close(fd)
        name.unlink(missing_ok=True)
    elapsed = time.monotonic() - began
    return {
        "mb_s_asked": mb_s,
        "chunk_kb": chunk_kb,
        "seconds": round(elapsed, 2),
        "mb_written": round(written / 1024 / 1024, 1),
        "mb_s": round(written / 1024 / 1024 / elapsed, 2) if elapsed else 0.0,
        "chunks": len(fsyncs),
        "rotations": rotations,
        "fsync_p50_ms": round(pct(fsyncs, 50) * 1000, 1) if fsyncs else None,
        "fsync_p99_ms": round(pct(fsyncs, 99) * 1000, 1) if fsyncs else None,
        "fsync_max_ms": round(max(fsyncs) * 1000, 1) if fsyncs else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dir", required=True, help="a folder on the filesystem to load")
    ap.add_argument("--mb-s", type=float, default=16.0, help="average MB a second (0: flat out)")
    ap.add_argument("--chunk-kb", type=int, default=1024, help="bytes appended per fsync")
    ap.add_argument("--seconds", type=float, default=60.0, help="stop after this long")
    ap.add_argument("--rotate-mb", type=float, default=64.0, help="a new log file every this much")
    ap.add_argument("--report", default="", help="write the figures (JSON) here, else stdout")
    args = ap.parse_args()
    figures = run(Path(args.dir), args.mb_s, args.chunk_kb, args.seconds, args.rotate_mb)
    text = json.dumps(figures)
    if args.report:
        Path(args.report).write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
