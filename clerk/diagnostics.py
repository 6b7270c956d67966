"""The "copy diagnostics" text: everything support needs, nothing personal.

:func:`collect` gathers versions, platform, settings, sync status counts, the latest errors,
the doctor's results and the last 200 log lines, and passes the whole text through
:func:`clerk.logs.redact` (the same masking as the log files). The device token and the
phone-hash key are never read. It only reads files; a section that cannot be read says why
instead of stopping the report — diagnostics are most needed when something is broken.

The UI's "copy diagnostics" action puts ``collect(terminal.home)`` on the clipboard.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from clerk import __version__, db, logs
from clerk.doctor import Check, HubCheck, format_table, run_checks
from clerk.errors import ClerkError
from clerk.settings import Settings

LOG_LINES = 200
DISTRIBUTIONS = (
    "PySide6-Essentials",
    "PySide6-Addons",
    "shiboken6",
    "zxing-cpp",
    "pyzbar",
    "sqlite-utils",
    "sqlcipher3",
    "httpx",
    "pydantic",
    "cryptography",
    "pillow",
    "platformdirs",
)
# outbox_meta keys safe to show (never the token or the phone-hash key)
META_SHOWN = ("device_id", "store_id", "store_name", "hub_url")


def _ro(path: Path) -> sqlite3.Connection:
    conn = db.inspect(path)  # encrypted at rest: opened with the data dir's key
    conn.row_factory = sqlite3.Row
    return conn


def _versions() -> list[str]:
    lines = [
        f"omni-clerk {__version__}",
        f"python {sys.version.split()[0]} ({platform.python_implementation()})",
        f"sqlite {sqlite3.sqlite_version}",
        f"frozen bundle: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
    ]
    for name in DISTRIBUTIONS:
        try:
            lines.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"{name} (not installed)")
    return lines


def _platform() -> list[str]:
    return [
        f"system {platform.system()} {platform.release()} ({platform.machine()})",
        f"platform {platform.platform()}",
    ]


def _settings(home: Path) -> list[str]:
    settings = Settings(home / "settings.json")
    return [f"{name} = {value!r}" for name, value, _help in settings.items()]


def _status(home: Path, now: float) -> list[str]:
    lines: list[str] = []
    outbox = home / "outbox.db"
    if not outbox.exists():
        lines.append("outbox.db: absent")
    else:
        conn = _ro(outbox)
        try:
            marks = ", ".join("?" for _ in META_SHOWN)
            for r in conn.execute(
                f"SELECT key, value FROM outbox_meta WHERE key IN ({marks}) ORDER BY key",
                META_SHOWN,
            ):
                lines.append(f"{r['key']} = {r['value']}")
            counts = conn.execute(
                "SELECT state, count(*) AS n FROM interactions GROUP BY state ORDER BY state"
            ).fetchall()
            lines.append(
                "interactions: " + (", ".join(f"{r['state']} {r['n']}" for r in counts) or "none")
            )
            oldest = conn.execute(
                "SELECT min(created_at) FROM interactions WHERE state IN ('pending', 'sent')"
            ).fetchone()[0]
            if oldest is not None:
                lines.append(f"oldest unsynced: {int(now - oldest)} s ago")
        finally:
            conn.close()
    cache = home / "cache.db"
    if not cache.exists():
        lines.append("cache.db: absent")
    else:
        lines.append(f"cache.db: {cache.stat().st_size} bytes")
        conn = _ro(cache)
        try:
            for r in conn.execute("SELECT key, value FROM sync_state ORDER BY key"):
                lines.append(f"sync_state.{r['key']} = {r['value']}")
        finally:
            conn.close()
    return lines


def _errors(home: Path) -> list[str]:
    outbox = home / "outbox.db"
    if not outbox.exists():
        return ["(no outbox.db)"]
    conn = _ro(outbox)
    try:
        rows = conn.execute(
            "SELECT id, kind, state, attempts, coalesce(last_error, reason) AS error,"
            " coalesce(last_attempt_at, settled_at, created_at) AS at FROM interactions"
            " WHERE last_error IS NOT NULL OR state IN ('rejected', 'conflict')"
            " ORDER BY at DESC LIMIT 10"
        ).fetchall()
    finally:
        conn.close()
    if not rows:
        return ["(none)"]
    return [
        f"{_utc(r['at'])} {r['kind']} {r['id']} {r['state']} after {r['attempts']} attempts: "
        f"{r['error']}"
        for r in rows
    ]


def _utc(ts: float | None) -> str:
    if ts is None:
        return "?"
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _section(title: str, body: Callable[[], Sequence[str]]) -> list[str]:
    try:
        lines = list(body())
    except (OSError, sqlite3.Error, ValueError, ClerkError) as exc:  # reported (module doc)
        lines = [f"(unavailable: {type(exc).__name__}: {exc})"]
    return [f"== {title} ==", *lines, ""]


def collect(
    home: Path,
    *,
    hub_check: HubCheck | None = None,
    checks: Sequence[Check] | None = None,
    log_dir: Path | None = None,
    log_lines: int = LOG_LINES,
    now: float | None = None,
) -> str:
    """The diagnostics text for ``home`` (the data directory), with personal data removed.

    ``checks`` reuses doctor results the caller already has; otherwise the doctor runs here
    (with ``hub_check`` if given — the UI passes None and shows its own online state).
    """
    home = Path(home)
    at = dt.datetime.now(dt.UTC).timestamp() if now is None else now

    def doctor() -> list[str]:
        found = (
            checks if checks is not None else run_checks(home, hub_check=hub_check, log_dir=log_dir)
        )
        return format_table(found).splitlines()

    parts: list[str] = [f"Omni Clerk diagnostics — {_utc(at)}", f"data dir: {home}", ""]
    parts += _section("versions", _versions)
    parts += _section("platform", _platform)
    parts += _section("settings", lambda: _settings(home))
    parts += _section("status", lambda: _status(home, at))
    parts += _section("last errors", lambda: _errors(home))
    parts += _section("doctor", doctor)
    parts += _section(
        f"log (last {log_lines} lines)",
        lambda: logs.tail("terminal", log_lines, log_dir) or ["(empty)"],
    )
    return logs.redact("\n".join(parts))
