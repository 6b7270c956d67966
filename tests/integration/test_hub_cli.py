"""``clerk hub …`` commands on real database files (in-process and as a subprocess)."""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from clerk.shared import membercode
from sync.hub.cli import add_hub_parser, run_hub
from sync.hub.db import migrations
from sync.hub.store import HubStore

ROOT = Path(__file__).resolve().parents[2]


def pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return PasswordHasher().verify(pin_hash, pin)
    except VerifyMismatchError:
        return False


def hub(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    return run_hub(parser.parse_args(["hub", *argv]))


@pytest.fixture
def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "hub.db")
    assert hub("seed", "--db", db, "--members", "30", "--seed", "3", "--products", "200") == 0
    out = capsys.readouterr().out
    assert "stores: S001 S002 S003" in out and "members: 30" in out
    return db


def test_migrate_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hub.db")
    versions = [v for v, _name, _sql in migrations()]
    assert versions[0] == 1
    assert hub("migrate", "--db", db) == 0
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 4  # none missing
    applied = ", ".join(str(v) for v in versions)
    assert f"schema version {versions[-1]} (applied: {applied})" in capsys.readouterr().out
    assert hub("migrate", "--db", db) == 0
    assert f"schema version {versions[-1]} (applied: none)" in capsys.readouterr().out


def test_enrol_code_prints_only_the_code_and_a_png(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "enrol.png"
    assert hub("enrol-code", "--db", seeded, "--store", "S002", "--png", str(png)) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 14 and code.count("-") == 2
    assert png.read_bytes().startswith(b"\x89PNG")
    store = HubStore.open(seeded)
    try:
        device, secret = store.devices.enroll("S002", code, "t")
    finally:
        store.close()
    assert device.store_id == "S002" and secret


def test_member_code_verifies_with_the_hub_keys(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "code.png"
    assert hub("member-code", "--db", seeded, "M00000002", "--png", str(png), "--ttl", "60") == 0
    code = capsys.readouterr().out.strip()
    store = HubStore.open(seeded)
    try:
        keys = {k["kid"]: k["public_key"] for k in store.keys.public()}
        code_id = store.members.code_id("M00000002")
    finally:
        store.close()
    verified = membercode.verify(code, membercode.keys_from_hex(keys), time.time())
    assert verified.code_id == code_id and verified.exp <= time.time() + 60
    assert png.stat().st_size > 100


def test_export_members_csv_and_jsonl(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert hub("export", "members", "--db", seeded, "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 30
    assert list(rows[0]) == ["id", "card_no", "name", "store", "phone_masked", "code_id"]
    assert rows[0]["id"] == "M00000001" and "****" in rows[0]["phone_masked"]
    assert hub("export", "interactions", "--db", seeded, "--format", "jsonl") == 0
    assert capsys.readouterr().out == ""


def test_staff_add_disable_and_reset_pin(
    seeded: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        hub(
            "staff",
            "add",
            "--db",
            seeded,
            "--id",
            "A09",
            "--store",
            "S001",
            "--name",
            "新人",
            "--pin",
            "4321",
        )
        == 0
    )
    assert hub("staff", "disable", "--db", seeded, "A09") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("8765\n"))
    assert hub("staff", "reset-pin", "--db", seeded, "A09", "--pin", "-") == 0
    capsys.readouterr()
    store = HubStore.open(seeded)
    try:
        with store.read() as conn:
            active, pin_hash = conn.row("SELECT active, pin_hash FROM staff WHERE id = 'A09'")
            last = conn.row("SELECT entity, key FROM changes ORDER BY seq DESC LIMIT 1")
    finally:
        store.close()
    assert active == 0 and pin_matches(pin_hash, "8765") and not pin_matches(pin_hash, "4321")
    assert last == ("staff", "A09")


def test_rotate_key(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert hub("rotate-key", "--db", seeded) == 0
    assert capsys.readouterr().out.startswith("active key: kid 1 ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["enrol-code", "--db", "DB", "--store", "S404"], "unknown store S404"),
        (["member-code", "--db", "DB", "M404"], "unknown member M404"),
        (["staff", "disable", "--db", "DB", "X404"], "unknown staff member X404"),
        (
            ["staff", "reset-pin", "--db", "DB", "A01", "--pin", "12"],
            "an associate's PIN is 4 to 12 digits",
        ),
        (["seed", "--db", "DB", "--members", "5"], "already has members"),
    ],
)
def test_errors_are_one_line_without_traceback(
    seeded: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = hub(*(seeded if a == "DB" else a for a in argv))
    err = capsys.readouterr().err
    assert code != 0
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_unusable_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert hub("migrate", "--db", str(tmp_path / "missing" / "hub.db")) != 0
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"this is not a database" * 100)
    assert hub("migrate", "--db", str(not_a_db)) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


def test_help_for_every_command_as_a_subprocess() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for argv in (
        [],
        ["seed"],
        ["serve"],
        ["enrol-code"],
        ["member-code"],
        ["export"],
        ["staff"],
        ["staff", "add"],
        ["migrate"],
        ["rotate-key"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "sync.hub.cli", "hub", *argv, "--help"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, (argv, proc.stderr)
        assert proc.stdout.startswith("usage: clerk hub")
        assert len(proc.stdout.splitlines()) > 3


@pytest.mark.parametrize(
    ("env", "argv", "loop"),
    [(None, (), "auto"), ("asyncio", (), "asyncio"), ("asyncio", ("--loop", "uvloop"), "uvloop")],
)
def test_serve_runs_uvicorn_on_the_event_loop_asked_for(
    seeded: str,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    argv: tuple[str, ...],
    loop: str,
) -> None:
    import uvicorn

    if env is None:
        monkeypatch.delenv("CLERK_HUB_LOOP", raising=False)
    else:
        monkeypatch.setenv("CLERK_HUB_LOOP", env)
    ran: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: ran.append(options))
    assert hub("serve", "--db", seeded, "--rules-every", "0", *argv) == 0
    assert [options["loop"] for options in ran] == [loop]
    assert [options["http"] for options in ran] == ["sync.hub.http_protocol:JoinedWritesProtocol"]


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_the_hub_extra_brings_uvloop_which_uvicorns_auto_loop_takes() -> None:
    import asyncio

    import uvloop
    from uvicorn.loops.auto import auto_loop_factory

    loop = auto_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop) and isinstance(loop, asyncio.AbstractEventLoop)
    finally:
        loop.close()


def test_serve_refuses_a_bad_capacity_knob_before_it_opens_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    ran: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: ran.append(app))
    monkeypatch.setenv("CLERK_HUB_MAX_INFLIGHT", "lots")
    db = tmp_path / "never.db"
    assert hub("serve", "--db", str(db), "--workers", "2") == 2
    assert "CLERK_HUB_MAX_INFLIGHT is not a number: 'lots'" in capsys.readouterr().err
    assert ran == [] and not db.exists()


def test_a_single_process_serve_takes_the_capacity_knobs_too(
    seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--workers 1`` built its HubConfig from the options alone: CLERK_HUB_MAX_INFLIGHT and
    the others reached only the processes of ``--workers 2`` and more."""
    import uvicorn

    ran: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: ran.append(app))
    monkeypatch.setenv("CLERK_HUB_MAX_INFLIGHT", "7")
    monkeypatch.setenv("CLERK_HUB_RETRY_AFTER_MAX", "3")
    assert hub("serve", "--db", seeded, "--rules-every", "0") == 0
    [app] = ran
    load = app.state.load  # type: ignore[attr-defined]
    assert (load.max_inflight, load.retry_after_max) == (7, 3)
