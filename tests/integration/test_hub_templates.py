"""Outreach templates (issue 17 item 6): the migration's defaults and a template set with
``clerk hub template set`` reach a terminal's cache with its next pull, and draft from there."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk import outreach
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.cli import add_hub_parser, run_hub
from sync.hub.embedded import HubHandle


def hub(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    return run_hub(parser.parse_args(["hub", *argv]))


def test_template_set_reaches_a_terminal_after_a_pull(
    any_hub: HubHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = cache_mod.open_cache(tmp_path / "cache.db")
    outbox = outbox_mod.open_outbox(tmp_path / "outbox.db")
    engine = SyncEngine(cache, outbox, HubClient(any_hub.url))
    try:
        engine.enroll(any_hub.url, "S001", any_hub.enrol_code("S001"), device_name="till")
        assert engine.sync_once().caught_up
        found = outreach.templates(cache)
        reasons = {t.reason for t in found}
        assert {"inactive", "cart_coupon", "birthday", "unserved_visit", "manual", "any"} <= reasons

        assert (
            hub(
                "template",
                "set",
                "birthday",
                "--db",
                any_hub.db,
                "--reason",
                "birthday",
                "--zh",
                "{name}，生日快乐！",
                "--en",
                "Happy birthday, {name}!",
            )
            == 0
        )
        assert "template birthday saved" in capsys.readouterr().out
        assert (
            hub(
                "template",
                "set",
                "bad id!",
                "--db",
                any_hub.db,
                "--reason",
                "birthday",
                "--zh",
                "x",
                "--en",
                "x",
            )
            != 0
        )
        assert (
            hub(
                "template",
                "set",
                "x",
                "--db",
                any_hub.db,
                "--reason",
                "nope",
                "--zh",
                "x",
                "--en",
                "x",
            )
            != 0
        )
        assert hub("template", "list", "--db", any_hub.db, "--json") == 0
        assert '"Happy birthday, {name}!"' in capsys.readouterr().out

        assert engine.sync_once().caught_up
        found = outreach.templates(cache)
        d = outreach.draft(found, "Li Na", outreach.Facts("birthday"), "en")
        assert d.text == "Happy birthday, Li Na!" and d.template_id == "birthday"
        d = outreach.draft(found, "李娜", outreach.Facts("birthday"), "zh_CN")
        assert d.text == "李娜，生日快乐！"
    finally:
        engine.client.close()
        cache.close()
        outbox.close()
