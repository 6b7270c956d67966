"""A private X server and synthetic keyboard input for the real-X tests and the benchmark.

* :func:`xvfb` starts ``Xvfb`` on a free display (``-displayfd``: it names the display once it
  accepts connections) and stops it;
* :class:`AppOnX` runs tests/x11/x11_app.py — the real app window — on that display and reads
  its JSON events (a reader thread into a queue; waits have deadlines, never sleeps);
* :func:`type_keys` types through XTEST (``xdotool key``): the X server sees key presses
  exactly as from a USB keyboard — Shift pressed and released around every uppercase letter
  and symbol, Return at the end — with the delay between keys that ``xdotool`` keeps (its
  ``--delay``, in milliseconds).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import select
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP = Path(__file__).resolve().parent / "x11_app.py"
START_TIMEOUT_S = 30.0


def missing_tools(*extra: str) -> list[str]:
    return [tool for tool in ("Xvfb", "xdotool", *extra) if shutil.which(tool) is None]


# A scanner's keys are timed by its hardware; xdotool's by a sleep in a process that a loaded
# machine (the whole suite, other jobs) may put aside for longer than the wedge's gap, turning
# a burst into "typing". Where we may (root), xdotool and the X server (which stamps each
# key's time) run ahead of the load.
_AHEAD = ["nice", "-n", "-15"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@contextlib.contextmanager
def xvfb(size: str = "1920x1080x24") -> Iterator[str]:
    """A private X server; yields its DISPLAY (":N")."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            *_AHEAD,
            "Xvfb",
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            size,
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + START_TIMEOUT_S
        while not number.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_fd], [], [], max(0.0, left))
            if not ready:
                raise RuntimeError("Xvfb did not start in time")
            chunk = os.read(read_fd, 64)
            if not chunk:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"Xvfb exited: {err[-500:]}")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_fd)
        if proc.stderr is not None:
            proc.stderr.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def window_manager(display: str) -> Iterator[None]:
    """openbox on ``display``: it frames windows (a title bar and borders), maximizes them and
    publishes the screen's work area, as a desktop's window manager does."""
    env = {**os.environ, "DISPLAY": display}
    # Running once it has published the work area on the root window (EWMH): xprop -spy
    # prints the root window's properties now, and each one again when it changes.
    spy = subprocess.Popen(
        ["xprop", "-root", "-spy"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    proc = subprocess.Popen(
        ["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        try:
            assert spy.stdout is not None
            deadline = time.monotonic() + START_TIMEOUT_S
            seen = b""
            while b"_NET_WORKAREA(CARDINAL)" not in seen:
                left = deadline - time.monotonic()
                ready, _, _ = select.select([spy.stdout], [], [], max(0.0, left))
                chunk = os.read(spy.stdout.fileno(), 4096) if ready else b""
                if not chunk:
                    raise RuntimeError(f"openbox did not start on {display}")
                seen += chunk
        finally:
            spy.kill()
            spy.wait(timeout=10)
            if spy.stdout is not None:
                spy.stdout.close()
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def frame_of(display: str, wid: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the window ``wid`` with its window manager's frame, as the X
    server has it: the geometry of its ancestor that is a child of the root window (the
    frame the window manager put it in; the window itself when there is none)."""
    env = {**os.environ, "DISPLAY": display}

    def info(*args: str) -> dict[str, str]:
        out = subprocess.run(
            ["xwininfo", *args], env=env, capture_output=True, text=True, check=True, timeout=10
        ).stdout
        fields = {}
        for line in out.splitlines():
            key, _, value = line.strip().partition(":")
            fields[key] = value.strip()
        return fields

    window = str(wid)
    while True:
        tree = info("-tree", "-id", window)
        root, parent = tree["Root window id"].split()[0], tree["Parent window id"].split()[0]
        if parent == root:
            break
        window = parent
    fields = info("-id", window)
    return (
        int(fields["Absolute upper-left X"]),
        int(fields["Absolute upper-left Y"]),
        int(fields["Width"]),
        int(fields["Height"]),
    )


def xdotool(display: str, *args: str) -> None:
    """Run ``xdotool args…`` on ``display`` (it sends XTEST input and waits for it)."""
    subprocess.run(
        [*_AHEAD, "xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        check=True,
        timeout=120,
        capture_output=True,
    )


# X keysym names of the characters that are not their own name (letters and digits are).
KEYSYMS = {
    ":": "colon",
    "$": "dollar",
    "%": "percent",
    "*": "asterisk",
    "+": "plus",
    "-": "minus",
    ".": "period",
    "/": "slash",
    " ": "space",
    "#": "numbersign",
    "]": "bracketright",
    "[": "bracketleft",
    "~": "asciitilde",
    "@": "at",
}


def keysyms(text: str) -> list[str]:
    return [KEYSYMS.get(ch, ch) for ch in text]


def type_keys(display: str, text: str, delay_ms: int, *, then: str | None = "Return") -> None:
    """Press the keys of ``text`` with ``delay_ms`` between keys, then ``then`` (a key name:
    Return, Tab; None for nothing) after the same delay — one run of ``xdotool key``, which
    presses Shift around every character that needs it, as a USB keyboard (a scanner) does."""
    keys = keysyms(text) + ([then] if then else [])
    xdotool(display, "key", "--delay", str(delay_ms), *keys)


def burst_fault(keys: list[list[Any]], expected: int, gap_ms: int) -> str | None:
    """Why the X server's delivery of a burst of ``expected`` key presses was not at scanner
    speed (too few keys arrived, or two were further apart by their own X time stamps than the
    wedge's gap) — or None when it was."""
    if len(keys) != expected:
        return f"{len(keys)} of {expected} keys arrived: {[k[1] for k in keys]}"
    stamps = [k[0] for k in keys]
    widest = max((b - a for a, b in itertools.pairwise(stamps)), default=0)
    if widest > gap_ms:
        return f"a {widest} ms gap between two keys (the wedge's gap is {gap_ms} ms)"
    return None


def scanner_burst(
    app: AppOnX,
    display: str,
    keys: list[str],
    delay_ms: int,
    *,
    setup: Callable[[], object],
    tries: int = 3,
    timeout: float = 5.0,
) -> None:
    """``setup()``, then ``keys`` (xdotool key names) at ``delay_ms`` a key: a scanner's burst.

    xdotool times its keys with a sleep that a loaded machine can stretch past the wedge's gap
    (or a window still being activated can miss the first keys); a real scanner's hardware does
    not. So the burst is checked as the X server delivered it (every key, by its own time
    stamps): one that did not arrive at scanner speed is not the wedge's to pass, and is sent
    again after ``setup()`` — at most ``tries`` times, then the test fails saying why. The
    wedge's handling of a burst that did arrive intact is what the caller asserts."""
    faults = []
    for _ in range(tries):
        setup()
        app.keys()  # forget what setup typed
        app.drain()
        xdotool(display, "key", "--delay", str(delay_ms), *keys)
        got: list[list[Any]] = []
        gap_ms = 0
        deadline = time.monotonic() + timeout
        while len(got) < len(keys) and time.monotonic() < deadline:
            answer = app.keys()
            got += answer["keys"]
            gap_ms = answer["gap_ms"]
        fault = burst_fault(got, len(keys), gap_ms)
        if fault is None:
            return
        faults.append(fault)
        print(f"burst sent again: {fault}")  # shown with the test's output
    raise AssertionError(f"the X server never got a scanner-speed burst in {tries} tries: {faults}")


class AppOnX:
    """The real app window on ``display``, on the terminal data directory ``home``."""

    def __init__(self, display: str, home: Path, now: int) -> None:
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "PYTHONPATH": str(ROOT),
            "TZ": os.environ.get("TZ", "Asia/Shanghai"),
        }
        env.pop("QT_QPA_PLATFORMTHEME", None)
        self.proc = subprocess.Popen(
            [sys.executable, str(APP), str(home), str(now)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._kept: list[dict[str, Any]] = []  # passed over by keys(), for the next wait
        self.errors: list[str] = []
        self._threads = [
            threading.Thread(target=self._read_out, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for t in self._threads:
            t.start()
        self.wid = self.wait("ready", timeout=START_TIMEOUT_S)["wid"]

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.events.put(json.loads(line))
        self.events.put({"event": "exited"})

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line.rstrip())

    def send(self, cmd: str, **data: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **data}) + "\n")
        self.proc.stdin.flush()

    def _next(self, timeout: float) -> dict[str, Any]:
        """The next event: one set aside by :meth:`keys` first, then the app's."""
        if self._kept:
            return self._kept.pop(0)
        return self.events.get(timeout=timeout)

    def wait(self, event: str, *, timeout: float = 20.0, keep: bool = False) -> dict[str, Any]:
        """The next event named ``event`` (others before it are dropped, or with ``keep`` set
        aside for the next wait)."""
        deadline = time.monotonic() + timeout
        passed: list[dict[str, Any]] = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"no {event!r} event within {timeout} s; {self.stderr_tail()}"
                    )
                try:
                    got = self._next(left)
                except queue.Empty:
                    continue
                if got["event"] == "exited":
                    raise RuntimeError(f"the app exited; {self.stderr_tail()}")
                if got["event"] == event:
                    return got
                if keep:
                    passed.append(got)
        finally:
            self._kept[:0] = passed

    def drain(self) -> list[dict[str, Any]]:
        """Every event received so far, without waiting."""
        out, self._kept = self._kept, []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def state(self) -> dict[str, Any]:
        self.send("state")
        return self.wait("state")

    def focus(self, target: str) -> dict[str, Any]:
        self.send("focus", target=target)
        got = self.wait("focused")
        assert got["ok"], f"focus on {target} failed; {self.stderr_tail()}"
        return got

    def open(self, text: str) -> dict[str, Any]:
        self.send("open", text=text)
        return self.wait("painted")

    def keys(self) -> dict[str, Any]:
        """The key presses the app received since the last call (``keys``: [X time ms, name])
        and the wedge's gap (``gap_ms``)."""
        self.send("keys")
        return self.wait("keys", keep=True)

    def stderr_tail(self) -> str:
        return "stderr: " + " | ".join(self.errors[-8:])

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.send("quit")
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for t in self._threads:
            t.join(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
