"""``clerk hub points rule`` and ``clerk hub recommend build`` as HQ runs them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from sync.hub.cli import add_hub_parser, run_hub
from sync.hub.points import load_rule
from sync.hub.store import HubStore


def hub(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    return run_hub(parser.parse_args(["hub", *argv]))


def test_the_points_rule_is_shown_and_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hub.db")
    assert hub("points", "rule", "--db", db) == 0
    out = capsys.readouterr().out
    assert "1 point(s) per yuan" in out and "gold\tfrom 8000 points\t×1.5" in out
    assert hub("points", "rule", "--db", db, "--per-yuan", "2", "--tier", "gold=1.75") == 0
    capsys.readouterr()
    assert hub("points", "rule", "--db", db, "--json") == 0
    rule = json.loads(capsys.readouterr().out)
    assert rule["per_yuan"] == 2 and ["gold", 8000, 175] in rule["tiers"]
    # Refused, and nothing changed: a tier the rule does not have, a malformed multiplier.
    assert hub("points", "rule", "--db", db, "--tier", "diamond=3") == 2
    assert hub("points", "rule", "--db", db, "--tier", "gold") == 2
    store = HubStore.open(db)
    try:
        with store.read() as conn:
            assert load_rule(conn).percent("gold") == 175
    finally:
        store.close()


def test_recommend_build_runs_on_an_empty_hub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "hub.db")
    assert hub("recommend", "build", "--db", db) == 0
    assert "0 product(s) changed" in capsys.readouterr().out
    assert hub("recommend", "build", "--db", db, "--top", "0") == 2
