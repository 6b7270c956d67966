"""The docs stay true to the code: every CLI command and every setting is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from clerk.cli import build_parser
from clerk.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    names: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                names.append(full)
                names.extend(_subcommands(sub, full + " "))
    return names


def test_every_command_is_in_the_readme() -> None:
    commands = _subcommands(build_parser())
    assert "hub serve" in commands and "lookup" in commands
    top = [c for c in commands if " " not in c]
    missing = [c for c in top if f"clerk {c}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"
    hub = [c.split(" ", 1)[1] for c in commands if c.startswith("hub ") and c.count(" ") == 1]
    missing_hub = [c for c in hub if f"`{c}`" not in README]
    assert not missing_hub, f"hub subcommands missing from README.md: {missing_hub}"


def test_every_command_has_help() -> None:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"`clerk {choice.dest}` has no help text"


def test_every_setting_is_in_the_readme() -> None:
    missing = [name for name in SETTINGS if f"`{name}`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_the_readme_names_the_kinds_clerk_record_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`clerk record` takes the vocabulary's kinds about a member (the follow-up kinds have
    `clerk task`) — and the README says so."""
    from clerk.shared.interactions import KINDS

    kinds = [kind for kind, spec in KINDS.items() if spec.member and not spec.followup]
    listed = "\\|".join(kinds)  # the table's escaped "|"
    assert f"`clerk record {listed} --member" in README
    parser = build_parser()
    assert parser.parse_args(["record", "sale", "--member", "M1"]).kind == "sale"
    with pytest.raises(SystemExit):
        parser.parse_args(["record", "resolve", "--member", "M1"])
    err = capsys.readouterr().err
    assert "invalid choice: 'resolve'" in err and ", ".join(map(repr, kinds)) in err


def test_docs_openapi_is_the_hubs() -> None:
    """docs/openapi.json is what the hub serves (regenerate it with
    ``python -m sync.hub.openapi > docs/openapi.json``)."""
    import json

    from sync.hub.openapi import openapi_document

    documented = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert documented == json.loads(json.dumps(openapi_document()))


def _named_paths(text: str) -> list[str]:
    """Repository paths a document names in backticks (``clerk/ports.py``, ``sync/hub/``)."""
    import re

    tops = ("clerk/", "sync/", "ui/", "demoworld/", "tests/", "bench/", "scripts/", "docs/")
    found = re.findall(r"`([A-Za-z0-9_./*-]+)`", text)
    return [p for p in found if p.startswith(tops) and "*" not in p and "NNN" not in p]


def test_the_architecture_names_only_what_exists() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = _named_paths(doc)
    assert len(named) > 30, named  # it does name the parts
    missing = [p for p in named if not (ROOT / p).exists()]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_the_path_check_sees_a_missing_file() -> None:
    assert _named_paths("see `clerk/nothing_here.py` and `sync/hub/`") == [
        "clerk/nothing_here.py",
        "sync/hub/",
    ]
    assert not (ROOT / "clerk/nothing_here.py").exists()
