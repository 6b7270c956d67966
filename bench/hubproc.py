"""A real hub for the benchmarks: ``clerk hub serve`` in a subprocess on a free loopback port,
and a fresh PostgreSQL database per run."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pg_database(base: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``base``; its URL."""
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(base)._replace(path="/" + name))


class Hub:
    """``clerk hub serve --db DB`` on a free loopback port, ready (``/readyz``) when built."""

    def __init__(self, db: str, workers: int | None = None, *, root: Path = ROOT) -> None:
        """``root``: the checkout whose hub is served (with its own .venv when it has one)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(root)}
        python = root / ".venv" / "bin" / "python"
        exe = str(python) if root != ROOT and python.exists() else sys.executable
        cmd = [exe, "-m", "sync.hub.cli", "hub", "serve", "--db", db]
        cmd += ["--port", str(self.port), "--log-level", "warning"]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("hub did not become ready")
            with contextlib.suppress(subprocess.TimeoutExpired):  # returns early if it exits
                self.proc.wait(timeout=0.05)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
