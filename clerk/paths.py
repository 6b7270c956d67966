"""Where the terminal keeps its state: one data directory.

``CLERK_HOME`` overrides the platform's user data directory (tests and automation use it).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "omni-clerk"


def data_dir() -> Path:
    home = os.environ.get("CLERK_HOME")
    path = Path(home) if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path() -> Path:
    return data_dir() / "cache.db"


def outbox_path() -> Path:
    return data_dir() / "outbox.db"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def log_dir() -> Path:
    home = os.environ.get("CLERK_HOME")
    path = (
        Path(home) / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path
