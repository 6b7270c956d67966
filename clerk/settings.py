"""Terminal settings: a small validated key/value file in the data directory.

``clerk config get|set|list`` and the manager's settings screen both go through
``Settings``; an unknown name or an invalid value raises ConfigError with a clear message.

``hub_url`` is where every sync sends the device token: it must be ``https://`` unless the hub
is on this machine (127.0.0.0/8, ::1, ``localhost``) — :func:`check_hub_url`, which enrolment
and the sync engine apply too (a settings file edited by hand is checked where it is used).
"""

from __future__ import annotations

import ipaddress
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clerk.errors import ConfigError


class InsecureHubUrlError(ConfigError):
    """A plain-http hub address that is not on this machine: the device token would cross the
    network in clear."""


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine: ``localhost``, 127.0.0.0/8 or ::1?"""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_hub_url(value: str) -> str:
    """``value`` as a hub address (stripped, no trailing slash); ConfigError unless it is
    ``https://host…``, or ``http://`` to a loopback host (InsecureHubUrlError)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"hub_url must be an https URL with a host, got {value!r}")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ConfigError(f"hub_url has an invalid port: {value!r}") from exc
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureHubUrlError(
            f"hub_url must be https:// (plain http:// only for a hub on this machine: "
            f"localhost, 127.0.0.0/8, ::1): every sync sends the device token there; "
            f"got {value!r}"
        )
    return value.strip().rstrip("/")


def _choice(*allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        v = value.strip()
        if v not in allowed:
            raise ConfigError(f"must be one of {', '.join(allowed)}; got {value!r}")
        return v

    return check


def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def check(value: str) -> int:
        try:
            n = int(str(value).strip())
        except ValueError as exc:
            raise ConfigError(f"must be a whole number from {lo} to {hi}; got {value!r}") from exc
        if not lo <= n <= hi:
            raise ConfigError(f"must be a whole number from {lo} to {hi}; got {n}")
        return n

    return check


def _text(value: str) -> str:
    v = value.strip()
    if len(v) > 200:
        raise ConfigError("must be at most 200 characters")
    return v


def _scanner_suffix(value: str) -> str:
    v = value.strip()
    if v in ("auto", "enter", "tab") or _scanner_chars(v):
        return v
    raise ConfigError(
        "must be auto (Enter or Tab), enter, tab, or the scanner's own 1-4 characters "
        f"(printable, no spaces); got {value!r}"
    )


def _scanner_prefix(value: str) -> str:
    v = value.strip()
    if v == "" or _scanner_chars(v):
        return v
    raise ConfigError(f"must be empty or 1-4 printable characters, no spaces; got {value!r}")


def _scanner_chars(v: str) -> bool:
    return 1 <= len(v) <= 4 and v.isprintable() and not any(ch.isspace() for ch in v)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "hub_url",
            "",
            lambda v: check_hub_url(v) if v.strip() else "",
            "URL of the central hub (https://; http:// only on this machine)",
        ),
        Setting(
            "language",
            "auto",
            _choice("auto", "zh_CN", "en"),
            "UI language: auto (system locale), zh_CN or en",
        ),
        Setting(
            "layout",
            "auto",
            _choice("auto", "handheld", "desktop"),
            "Screen layout: auto (by window size), handheld or desktop",
        ),
        Setting(
            "idle_lock_minutes",
            5,
            _int_range(1, 240),
            "Lock the terminal after this many idle minutes",
        ),
        Setting(
            "sync_interval_s",
            30,
            _int_range(5, 3600),
            "Seconds between syncs when nothing is pending",
        ),
        Setting(
            "retention_days", 90, _int_range(7, 3650), "Keep online browsing events this many days"
        ),
        Setting(
            "member_idle_days",
            365,
            _int_range(30, 3650),
            "Drop cached members not seen for this many days",
        ),
        Setting(
            "visit_window_minutes",
            30,
            _int_range(1, 480),
            "Scans of the same member within this window count as one visit",
        ),
        Setting("camera", "", _text, "Camera device id (empty: the system default)"),
        Setting(
            "scanner_suffix",
            "auto",
            _scanner_suffix,
            "What ends a scanner's code: auto (Enter or Tab), enter, tab, or its own characters",
        ),
        Setting(
            "scanner_prefix",
            "",
            _scanner_prefix,
            "Characters the scanner sends before each code (removed; empty: none)",
        ),
        Setting("device_name", "terminal", _text, "Name this terminal reports to the hub"),
    )
}


class Settings:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"settings file {path} is unreadable: {exc}") from exc
            if not isinstance(raw, dict):
                raise ConfigError(f"settings file {path} is not a JSON object")
            for name, value in raw.items():
                if name in SETTINGS:
                    self._values[name] = value

    def get(self, name: str) -> Any:
        spec = self.spec(name)
        return self._values.get(name, spec.default)

    def set(self, name: str, value: str) -> Any:
        spec = self.spec(name)
        try:
            parsed = spec.parse(str(value))
        except ConfigError as exc:
            raise ConfigError(f"{name}: {exc}") from exc
        self._values[name] = parsed
        self._save()
        return parsed

    def items(self) -> list[tuple[str, Any, str]]:
        return [(n, self.get(n), s.help) for n, s in SETTINGS.items()]

    @staticmethod
    def spec(name: str) -> Setting:
        try:
            return SETTINGS[name]
        except KeyError:
            known = ", ".join(SETTINGS)
            raise ConfigError(f"unknown setting {name!r}; known settings: {known}") from None

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._values, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
