"""The hub's write windows (sync/hub/rules.py) as ``clerk hub serve`` sets them: an option,
else its environment variable (how ``--workers N`` hands them to every process), else the
default."""

from __future__ import annotations

import argparse

import pytest

from sync.hub.cli import _write_bounds, add_hub_parser
from sync.hub.errors import InvalidInputError
from sync.hub.rules import DAY_S, WriteBounds


def _serve(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_hub_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["hub", "serve", *argv])


def test_options_then_environment_then_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in WriteBounds().env():
        monkeypatch.delenv(var, raising=False)
    assert _write_bounds(_serve()) == WriteBounds()
    monkeypatch.setenv("CLERK_HUB_SERVED_WINDOW_S", "600")
    monkeypatch.setenv("CLERK_HUB_SKEW_S", "30")
    got = _write_bounds(_serve("--clock-skew", "60", "--max-age-days", "7"))
    assert got == WriteBounds(skew_s=60, max_age_s=7 * DAY_S, served_window_s=600)
    assert WriteBounds.from_env(got.env()) == got  # what the workers read back


def test_a_negative_or_unreadable_window_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidInputError, match="--clock-skew must not be negative"):
        _write_bounds(_serve("--clock-skew", "-1"))
    monkeypatch.setenv("CLERK_HUB_MAX_AGE_S", "a month")
    with pytest.raises(InvalidInputError, match="not a whole number"):
        _write_bounds(_serve())
    with pytest.raises(ValueError, match="must not be negative"):
        WriteBounds(max_age_s=-1)
