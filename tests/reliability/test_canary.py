"""Privacy at rest: no member's name, phone number or card number in plaintext anywhere the
terminal writes — databases (and their -wal/-shm), logs, settings, the temp dir.

A terminal is enrolled, synced, looks members up by card, phone and member code, records
notes that name the customer, and syncs again — through the real CLI (so logging is set up as
in production) and the Terminal API, against a real hub on loopback. Then every file under
its data directory and its temp directory is searched for every member's name (Chinese and
English), phone (E.164 and national) and card number: 0 hits, while the terminal is open (WAL
files present) and after it closed. The hub's own database is the positive control: the same
search finds them there (the central CRM's store is its own concern: plain SQLite here).
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from reliability_harness import STORE

from clerk import cli, keystore, logs
from clerk.terminal import Terminal
from sync.hub.embedded import HubHandle


def _needles(hub: HubHandle) -> dict[bytes, str]:
    with hub.store.read() as conn:
        rows = conn.rows("SELECT name, name_en, card_no, phone FROM members")
    out: dict[bytes, str] = {}
    for name, name_en, card_no, phone in rows:
        for text, kind in ((name, "name"), (name_en, "name_en"), (card_no, "card")):
            if text and len(text) >= 2:
                out[str(text).encode("utf-8")] = kind
        if phone:
            out[str(phone).encode()] = "phone E.164"
            national = re.sub(r"^\+86", "", str(phone))
            out[national.encode()] = "phone national"
            out[f"{national[:3]} {national[3:7]} {national[7:]}".encode()] = "phone spaced"
    return out


def _scan(roots: Iterable[Path], needles: dict[bytes, str]) -> tuple[list[str], set[str]]:
    """(hits as "file: kind", names of the files searched)."""
    hits: list[str] = []
    seen: set[str] = set()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            seen.add(path.name)
            data = path.read_bytes()
            for needle, kind in needles.items():
                if needle in data:
                    hits.append(f"{path.relative_to(root)}: {kind}")
    return hits, seen


def _hero(hub: HubHandle) -> dict[str, str]:
    with hub.store.read() as conn:
        row = conn.dicts(
            "SELECT id, name, card_no, phone FROM members WHERE home_store = ? "
            "AND card_no IS NOT NULL AND phone IS NOT NULL ORDER BY id LIMIT 1",
            (STORE,),
        )[0]
    return {k: str(v) for k, v in row.items()}


def test_no_personal_data_in_plaintext_at_rest(
    hub: HubHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home, tmp = tmp_path / "terminal", tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("CLERK_HOME", str(home))
    for var in ("TMPDIR", "SQLITE_TMPDIR"):
        monkeypatch.setenv(var, str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    needles = _needles(hub)
    hero = _hero(hub)
    try:
        assert (
            cli.main(
                ["enroll", "--hub", hub.url, "--store", STORE, "--code", hub.enrol_code(STORE)]
            )
            == 0
        )
        assert cli.main(["sync", "--once"]) == 0
        monkeypatch.setenv("CLERK_PIN", "1234")  # A01's: the commands sign staff in
        as_a01 = ["--staff", "A01"]
        assert cli.main(["lookup", hero["card_no"], *as_a01]) == 0
        assert cli.main(["lookup", hero["phone"], *as_a01]) == 0
        assert cli.main(["lookup", hub.member_code(hero["id"]), *as_a01]) == 0
        note = ["--member", hero["id"], "--text", f"{hero['name']} 想要智能手表", *as_a01]
        assert cli.main(["record", "note", *note]) == 0
        assert hero["name"] in capsys.readouterr().out  # the lookups really showed the member
        # The classic mistake — a phone and a card in a log line — is redacted on the way out.
        logging.getLogger("clerk.canary").warning(
            "customer %s paid with card %s", hero["phone"], hero["card_no"]
        )

        terminal = Terminal(home)
        try:
            opened = terminal.open_customer(terminal.identify(hero["phone"]), staff_id="A01")
            assert opened.member_id == hero["id"] and opened.view is not None
            masked = opened.view.profile.phone_masked
            assert masked and "*" in masked and hero["phone"][-4:] in masked  # masked in views
            terminal.record(
                "note", member_id=hero["id"], payload={"text": f"{hero['name']} {hero['phone']}"}
            )
            hits, seen = _scan([home, tmp], needles)  # while open: WAL files hold fresh pages
            assert {"cache.db", "outbox.db", "settings.json", "terminal.log"} <= seen, seen
            assert any(name.endswith("-wal") for name in seen), seen
            assert hits == [], hits
        finally:
            terminal.close()
        assert cli.main(["sync", "--once"]) == 0
    finally:
        logs.teardown_logging()
    hits, seen = _scan([home, tmp], needles)
    assert hits == [], hits
    assert keystore.is_encrypted(home / "cache.db") and keystore.is_encrypted(home / "outbox.db")
    # Positive control: the same search finds the members in the hub's plaintext database.
    control, _ = _scan([Path(hub.db).parent], {hero["name"].encode(): "name"})
    assert control, "the needles would have been found in plaintext"
