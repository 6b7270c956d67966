"""clerk.settings: the scanner's suffix and prefix are validated like every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk.errors import ConfigError
from clerk.settings import Settings


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("scanner_suffix", "auto", "auto"),
        ("scanner_suffix", " enter ", "enter"),
        ("scanner_suffix", "tab", "tab"),
        ("scanner_suffix", "#", "#"),
        ("scanner_suffix", "~~", "~~"),
        ("scanner_prefix", "]Q1", "]Q1"),
        ("scanner_prefix", "", ""),
    ],
)
def test_scanner_settings_accept(tmp_path: Path, name: str, value: str, stored: str) -> None:
    settings = Settings(tmp_path / "settings.json")
    assert settings.set(name, value) == stored
    assert Settings(tmp_path / "settings.json").get(name) == stored


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("scanner_suffix", ""),
        ("scanner_suffix", "newline"),
        ("scanner_suffix", "a b"),
        ("scanner_suffix", "\x03"),
        ("scanner_prefix", "toolong"),
        ("scanner_prefix", "] Q"),
    ],
)
def test_scanner_settings_refuse(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings(tmp_path / "settings.json").set(name, value)


def test_defaults(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    assert settings.get("scanner_suffix") == "auto"
    assert settings.get("scanner_prefix") == ""
