"""The doctor (``clerk doctor``): is this terminal fit to serve customers, and if not, what to fix.

:func:`run_checks` looks at the data directory and the machine and returns one
:class:`Check` per topic — enrolment, the hub (reachability and clock skew), cache.db and
outbox.db integrity, damaged caches set aside, the outbox backlog and records parked for a
person, camera and scanner, CJK fonts, the barcode libraries, free disk and the log
directory. Every piece of advice is in ``ADVICE``. It only reads: it never creates, migrates or
repairs a file.

Everything that needs HTTP or Qt is injected by the composition root (clerk/cli/doctor.py
for ``clerk doctor``), so this module stays pure: ``hub_check`` returns the hub's clock minus
ours in seconds (and raises when the hub cannot be reached); ``camera_probe``/``scanner_probe``
return a Check each. Without a probe the camera and scanner are reported as "checked in the
app". :func:`format_table` and :func:`as_json` are the checks as a person and a script read them.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from clerk import db, paths

Status = Literal["ok", "warn", "fail"]

BACKLOG_WARN_S = 3600
BACKLOG_FAIL_S = 24 * 3600
DISK_WARN_BYTES = 1024**3
DISK_FAIL_BYTES = 200 * 1024**2
SKEW_WARN_S = 60.0  # member codes tolerate ±60 s
SKEW_FAIL_S = 600.0
CJK_FONT = "Noto Sans CJK"

# What to do, per finding — each piece tested against the case it names
# (tests/integration/test_doctor_advice.py).
ADVICE: dict[str, str] = {
    "enrol": "Enrol the terminal: clerk enroll --hub URL --store STORE --code CODE (ask IT for "
    "a code)",
    "enrol_first": "Enrol first (see 'enrolled')",
    "revoked": "Ask IT. Nothing recorded here is lost: 'clerk outbox export FILE' writes the "
    "unsent records, IT imports them at the hub ('clerk hub device import FILE --device ID'), "
    "then enrols the terminal again",
    "hub_check_here": "Run 'clerk doctor' from the terminal's own command line",
    "hub_unreachable": "Check the network and the hub URL (clerk config get hub_url); the "
    "terminal keeps working offline and syncs when the hub is back",
    "clock_wrong": "Set the terminal's clock (enable NTP): member codes are checked against it",
    "clock_skew": "Enable NTP on the terminal; the app corrects for the skew but codes near "
    "their expiry may be refused",
    "cache_missing": "Run 'clerk sync --once' (or open the app) to fill it from the hub",
    "cache_damaged": "Nothing recorded is lost (that lives in outbox.db). The app sets a "
    "damaged cache.db aside and rebuilds it from the hub when a lookup meets the damage; to "
    "rebuild it now, stop the app and move cache.db, cache.db-wal and cache.db-shm out of the "
    "data directory: the next start makes a fresh cache and the next sync fills it",
    "cache_copies": "The cache was found damaged and rebuilt (nothing recorded was lost); the "
    "copies are kept for support and pruned automatically (the newest always). Damage that "
    "comes back points at the disk: check it",
    "outbox_missing": "Enrol the terminal first",
    "outbox_unreadable": "Do NOT delete outbox.db (it holds unsynced records): copy the data "
    "directory and send it with 'copy diagnostics' to support",
    "outbox_damaged": "Do NOT delete outbox.db: stop the app, copy the data directory, contact "
    "support",
    "backlog": "Check the connection to the hub ('hub' above) and 'clerk status'; records are "
    "kept safely until the hub confirms them",
    "attention": "The hub fails on these records by themselves (its answer is listed): they are "
    "kept in outbox.db and no longer retried, so the rest keeps syncing. Send the hub's answer "
    "to HQ IT; a store manager sees them with the conflicts",
    "fonts_tools": "Install fontconfig and fonts-noto-cjk",
    "fonts": "Install a CJK font: sudo apt-get install fonts-noto-cjk",
    "zxing": "Reinstall the app (the default barcode decoder is missing)",
    "zbar": "Install libzbar0 (sudo apt-get install libzbar0); zxing-cpp still decodes without it",
    "disk": "Free disk space: the outbox needs room to record; 'clerk purge' trims old browsing "
    "history from the cache",
    "logs": "Make the log directory writable by the user running the app",
    "device": "Reconnect the device and restart the app",
}

HubCheck = Callable[[], float]
Probe = Callable[[], "Check"]
FcList = Callable[[], str | None]
DiskFree = Callable[[Path], int]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _age(seconds: float) -> str:
    s = int(seconds)
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    if s < 2 * 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} days"


def _mb(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def _ro(path: Path) -> sqlite3.Connection:
    conn = db.inspect(path)  # encrypted at rest: opened with the data dir's key
    try:
        conn.execute("PRAGMA busy_timeout = 2000")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _quick_check(conn: sqlite3.Connection) -> str:
    rows = conn.execute("PRAGMA quick_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:3])


# -- the checks --------------------------------------------------------------------------------


def check_enrolled(outbox: Path) -> Check:
    fix = ADVICE["enrol"]
    if not outbox.exists():
        return Check("enrolled", "fail", "no outbox.db yet: the terminal was never enrolled", fix)
    try:
        conn = _ro(outbox)
        try:
            rows = dict(
                conn.execute(
                    "SELECT key, value FROM outbox_meta WHERE key IN "
                    "('device_id', 'store_id', 'hub_url', 'device_revoked_at')"
                ).fetchall()
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("enrolled", "fail", f"cannot read outbox.db: {exc}", fix)
    if not rows.get("device_id"):
        return Check("enrolled", "fail", "not enrolled (no device id)", fix)
    if rows.get("device_revoked_at"):
        return Check(
            "enrolled",
            "fail",
            f"this terminal was removed from the store — ask IT (device {rows['device_id']} "
            "revoked at the hub; it no longer syncs)",
            ADVICE["revoked"],
        )
    return Check(
        "enrolled",
        "ok",
        f"device {rows['device_id']}, store {rows.get('store_id') or '?'}, "
        f"hub {rows.get('hub_url') or '?'}",
    )


def check_hub(hub_check: HubCheck | None, enrolled: bool) -> Check:
    if hub_check is None:
        if not enrolled:
            return Check(
                "hub",
                "warn",
                "not checked: the terminal is not enrolled (see 'enrolled')",
                ADVICE["enrol_first"],
            )
        return Check(
            "hub",
            "warn",
            "not checked (no hub check available here)",
            ADVICE["hub_check_here"],
        )
    try:
        skew = float(hub_check())
    except Exception as exc:  # reported, not swallowed: the doctor's job is to say what broke
        return Check(
            "hub",
            "fail",
            f"unreachable: {type(exc).__name__}: {exc}",
            ADVICE["hub_unreachable"],
        )
    detail = f"reachable; clock skew {skew:+.1f} s (hub minus terminal)"
    if abs(skew) > SKEW_FAIL_S:
        return Check(
            "hub",
            "fail",
            detail,
            ADVICE["clock_wrong"],
        )
    if abs(skew) > SKEW_WARN_S:
        return Check(
            "hub",
            "warn",
            detail,
            ADVICE["clock_skew"],
        )
    return Check("hub", "ok", detail)


def check_cache(cache: Path) -> Check:
    if not cache.exists():
        return Check(
            "cache",
            "warn",
            "no cache.db yet",
            ADVICE["cache_missing"],
        )
    try:
        conn = _ro(cache)
        try:
            result = _quick_check(conn)
            last_pull = conn.execute(
                "SELECT value FROM sync_state WHERE key = 'last_pull_at'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        result, last_pull = f"unreadable: {exc}", None
    if result != "ok":
        return Check("cache", "fail", f"cache.db is damaged ({result})", ADVICE["cache_damaged"])
    size = cache.stat().st_size
    pulled = ""
    if last_pull and last_pull[0]:
        try:
            pulled = f", last pull {_age(time.time() - float(last_pull[0]))} ago"
        except ValueError:
            pulled = ""
    return Check("cache", "ok", f"integrity ok, {_mb(size)}{pulled}")


def check_cache_copies(cache: Path) -> Check:
    """The damaged caches set aside (``cache.db.corrupt-*``), newest first."""
    from clerk.cache import corrupt_copies

    copies = corrupt_copies(cache)
    if not copies:
        return Check("cache copies", "ok", "no damaged cache set aside")
    total = sum(c.size for c in copies)
    listed = ", ".join(f"cache.db{c.tag} ({_mb(c.size)})" for c in copies)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(copies[0].stamp))
    detail = f"{len(copies)} set aside, {_mb(total)} in all, newest {when}: {listed}"
    return Check("cache copies", "warn", detail, ADVICE["cache_copies"])


def check_attention(outbox: Path) -> Check:
    """Records parked for a person: the hub failed on each by itself, again and again."""
    if not outbox.exists():
        return Check("attention", "ok", "no outbox.db yet")
    try:
        conn = _ro(outbox)
        try:
            rows = conn.execute(
                "SELECT id, kind, reason FROM interactions WHERE state = 'attention' "
                "ORDER BY id DESC LIMIT 6"
            ).fetchall()
            count = int(
                conn.execute(
                    "SELECT count(*) FROM interactions WHERE state = 'attention'"
                ).fetchone()[0]
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if "no such column" in str(exc):
            return Check("attention", "ok", "none")
        return Check(
            "attention", "warn", f"cannot read outbox.db: {exc}", ADVICE["outbox_unreadable"]
        )
    if not count:
        return Check("attention", "ok", "no record parked")
    listed = "; ".join(f"{r[1]} {r[0]}: hub said {r[2]!s:.120}" for r in rows[:5])
    more = f"; and {count - 5} more" if count > 5 else ""
    return Check(
        "attention", "fail", f"{count} record(s) parked: {listed}{more}", ADVICE["attention"]
    )


def check_outbox(outbox: Path, now: float) -> list[Check]:
    if not outbox.exists():
        return [Check("outbox", "warn", "no outbox.db yet", ADVICE["outbox_missing"])]
    try:
        conn = _ro(outbox)
        try:
            result = _quick_check(conn)
            counts = dict(
                conn.execute("SELECT state, count(*) FROM interactions GROUP BY state").fetchall()
            )
            oldest = conn.execute(
                "SELECT min(created_at) FROM interactions WHERE state IN ('pending', 'sent')"
            ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [
            Check(
                "outbox",
                "fail",
                f"cannot read outbox.db: {exc}",
                ADVICE["outbox_unreadable"],
            )
        ]
    checks: list[Check] = []
    if result != "ok":
        checks.append(
            Check(
                "outbox",
                "fail",
                f"outbox.db integrity: {result}",
                ADVICE["outbox_damaged"],
            )
        )
    else:
        checks.append(Check("outbox", "ok", "integrity ok"))
    pending = counts.get("pending", 0) + counts.get("sent", 0)
    extra = ", ".join(f"{counts[k]} {k}" for k in ("rejected", "conflict") if counts.get(k))
    extra = f"; {extra}" if extra else ""
    if not pending:
        checks.append(Check("backlog", "ok", f"nothing waiting to sync{extra}"))
        return checks
    age = max(0.0, now - float(oldest)) if oldest is not None else 0.0
    detail = f"{pending} waiting to sync, oldest {_age(age)} old{extra}"
    fix = ADVICE["backlog"]
    if age > BACKLOG_FAIL_S:
        return [*checks, Check("backlog", "fail", detail, fix)]
    if age > BACKLOG_WARN_S:
        return [*checks, Check("backlog", "warn", detail, fix)]
    return [*checks, Check("backlog", "ok", detail)]


def _fc_list() -> str | None:
    exe = shutil.which("fc-list")
    if exe is None:
        return None
    proc = subprocess.run(
        [exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
    )
    return proc.stdout


def check_fonts(fc_list: FcList = _fc_list) -> Check:
    if sys.platform in ("win32", "darwin"):
        return Check("fonts", "ok", "system CJK fonts (Windows/macOS ship them)")
    try:
        out = fc_list()
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("fonts", "warn", f"cannot run fc-list: {exc}", ADVICE["fonts_tools"])
    fix = ADVICE["fonts"]
    if out is None:
        return Check(
            "fonts",
            "warn",
            "fc-list not found: cannot check the fonts",
            ADVICE["fonts_tools"],
        )
    families = [f.strip() for line in out.splitlines() for f in line.split(",") if f.strip()]
    if any(CJK_FONT in f for f in families):
        return Check("fonts", "ok", f"{CJK_FONT} installed")
    if families:
        return Check("fonts", "warn", f"no {CJK_FONT}; CJK fallback: {families[0]}", fix)
    return Check("fonts", "fail", "no font with Chinese glyphs: names show as boxes", fix)


def check_zxing() -> Check:
    try:
        import zxingcpp
    except ImportError as exc:
        return Check(
            "zxing",
            "fail",
            f"zxing-cpp cannot be loaded: {exc}",
            ADVICE["zxing"],
        )
    version = getattr(zxingcpp, "__version__", "")
    return Check("zxing", "ok", f"zxing-cpp {version}".strip())


def check_zbar() -> Check:
    fix = ADVICE["zbar"]
    try:
        from pyzbar import zbar_library

        libzbar, _deps = zbar_library.load()
    except (ImportError, OSError) as exc:
        return Check("zbar", "warn", f"libzbar cannot be loaded: {exc}", fix)
    return Check("zbar", "ok", f"loaded {getattr(libzbar, '_name', 'libzbar')}")


def _disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free


def check_disk(home: Path, disk_free: DiskFree = _disk_free) -> Check:
    free = disk_free(home)
    detail = f"{_mb(free)} free in {home}"
    fix = ADVICE["disk"]
    if free < DISK_FAIL_BYTES:
        return Check("disk", "fail", detail, fix)
    if free < DISK_WARN_BYTES:
        return Check("disk", "warn", detail, fix)
    return Check("disk", "ok", detail)


def check_log_dir(log_dir: Path | None) -> Check:
    fix = ADVICE["logs"]
    try:
        directory = log_dir if log_dir is not None else paths.log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("logs", "fail", f"log directory not writable: {exc}", fix)
    return Check("logs", "ok", f"writable: {directory}")


def _probe(name: str, probe: Probe | None) -> Check:
    if probe is None:
        return Check(name, "ok", "checked in the app (the scan screen shows its state)")
    try:
        return probe()
    except Exception as exc:  # a broken probe is a finding, not a crash of the doctor
        return Check(
            name,
            "fail",
            f"probe failed: {type(exc).__name__}: {exc}",
            ADVICE["device"],
        )


def run_checks(
    home: Path,
    *,
    hub_check: HubCheck | None,
    camera_probe: Probe | None = None,
    scanner_probe: Probe | None = None,
    log_dir: Path | None = None,
    fc_list: FcList = _fc_list,
    disk_free: DiskFree = _disk_free,
    now: float | None = None,
) -> list[Check]:
    """Every check, in the order a person should fix them."""
    home = Path(home)
    at = time.time() if now is None else now
    outbox = home / "outbox.db"
    enrolled = check_enrolled(outbox)
    checks = [enrolled, check_hub(hub_check, enrolled.status == "ok")]
    checks.append(check_cache(home / "cache.db"))
    checks.append(check_cache_copies(home / "cache.db"))
    checks.extend(check_outbox(outbox, at))
    checks.append(check_attention(outbox))
    checks.append(_probe("camera", camera_probe))
    checks.append(_probe("scanner", scanner_probe))
    checks.append(check_fonts(fc_list))
    checks.append(check_zxing())
    checks.append(check_zbar())
    checks.append(check_disk(home, disk_free))
    checks.append(check_log_dir(log_dir))
    return checks


# -- the report ------------------------------------------------------------------------------

_MARK = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


def format_table(checks: Sequence[Check]) -> str:
    width = max(len(c.name) for c in checks) if checks else 0
    lines = []
    for c in checks:
        lines.append(f"{_MARK[c.status]:4}  {c.name:{width}}  {c.detail}")
        if c.status != "ok" and c.fix:
            lines.append(f"{'':4}  {'':{width}}  fix: {c.fix}")
    fails = sum(c.status == "fail" for c in checks)
    warns = sum(c.status == "warn" for c in checks)
    lines.append("")
    lines.append(f"{fails} to fix, {warns} to look at" if fails or warns else "all good")
    return "\n".join(lines)


def as_json(checks: Sequence[Check]) -> dict[str, Any]:
    return {
        "ok": not any(c.status == "fail" for c in checks),
        "checks": [asdict(c) for c in checks],
    }
