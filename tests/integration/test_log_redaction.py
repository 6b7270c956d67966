"""Real log lines through the redactor, both ways.

The lines are what the code actually logs — the hub's JSON access log (``ts`` as unix seconds
with a fraction, ``ms`` durations, device ids, member ids in paths), uvicorn's start lines, the
sync engine's parked-record warning and its cache-rebuild warning — written through the real
handlers (``clerk.logs.setup_logging``) into the real log file. What must stay stays:
timestamps, durations, counts, ids. What must be masked is masked: the name of the member
being served (remembered from the member record the terminal showed), phone and card numbers —
also inside the hub's answer that a parked-record warning quotes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clerk import cache as cache_mod
from clerk import logs
from clerk import outbox as outbox_mod
from clerk.identify import luhn_check_digit
from clerk.model import Identity
from clerk.terminal import Terminal
from sync.client import HubClient
from sync.credentials import Credentials, save_credentials
from sync.engine import SyncEngine
from sync.errors import HubError
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

STORE = "S001"


@pytest.fixture
def log_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Path]:
    caplog.set_level(logging.INFO)
    path = logs.setup_logging("terminal", directory=tmp_path / "logs")
    yield path
    logs.teardown_logging()
    logs.forget_personal()


def _lines(path: Path) -> list[str]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8").splitlines()


def _message(line: str) -> str:
    """The message part of a log line (after "name [thread] ")."""
    return line.split("] ", 1)[1]


def test_what_the_hub_and_the_terminal_log_keeps_times_ids_and_durations(
    hub: HubHandle, tmp_path: Path, log_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "till"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="logs")
    member = hub.store.members.ids(STORE, limit=1)[0]
    with engine_for(home) as engine:
        engine.sync_once()
        engine.fetch_member(Identity("member_id", member, f"member:{member}"))
    raw = [r.getMessage() for r in caplog.records]
    written = [_message(line) for line in _lines(log_file)]
    access = [json.loads(m) for m in written if m.startswith("{")]
    assert len(access) >= 4, written
    assert all(isinstance(a["ts"], float) and a["ts"] > 1.7e9 for a in access)
    assert {"/v1/changes", f"/v1/members/{member}"} <= {a["path"] for a in access}
    assert all(re.fullmatch(r"dev-[0-9a-f]{16}", a["device"] or "dev-0000000000000000")
               for a in access)  # fmt: skip
    # Every line written is the line logged: nothing in it is personal, nothing was masked.
    assert set(written) <= set(raw)
    assert not [m for m in written if "*" in m or "[redacted]" in m or logs.NAME_MASK in m]


@pytest.mark.parametrize(
    "line",
    [
        '{"ts":1763908481.204,"method":"GET","path":"/v1/changes","status":200,"ms":12.31,'
        '"bytes_in":0,"device":"dev-1234567890123456","client":"127.0.0.1"}',
        '{"ts":1763908481,"ms":1763908481204,"cursor":11973,"n":6200123456789012}',
        "interaction 01940000-0000-7000-8000-000000000003 (note) parked for a person after 3 "
        "failures alone: http_500: the hub failed; the error is logged",
        "pushed 12 interactions in 340 ms (batch 3 of 4), cursor 4000000000000000001",
        "member M00000001 opened at 1763908481.5 after 0.0123 s",
        "Started server process [5549]",
        "pull: 5809 changes in 0.067 s, next cursor 11973, eta 1.5e3 s",
    ],
)
def test_lines_without_personal_data_come_through_unchanged(line: str) -> None:
    assert logs.redact(line) == line


def test_a_parked_record_warning_quoting_the_hub_is_masked_and_keeps_its_ids(
    tmp_path: Path, log_file: Path
) -> None:
    """The member is served (their names remembered from the record shown), then the hub fails
    on a note about them and quotes it; the engine's warning reaches the file masked."""
    home = tmp_path / "till"
    cache = cache_mod.open_cache(home / "cache.db")
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    cache_mod.apply_changes(
        cache,
        [
            {
                "entity": "member",
                "op": "upsert",
                "key": "M00000042",
                "data": {"id": "M00000042", "name": "王芳", "name_en": "Wang Fang", "tier": "gold"},
            }
        ],
    )
    save_credentials(
        outbox,
        Credentials("dev-7", "tok", "S001", "http://hub.test", store_name="Demo"),
    )
    terminal = Terminal(home)
    try:
        assert terminal.view("M00000042") is not None  # served: the names are in context
    finally:
        terminal.close()
    rec = outbox_mod.record(outbox, "note", member_id="M00000042", payload={"text": "x"})
    card = "620012345678901" + luhn_check_digit("620012345678901")
    assert logs.luhn_valid(card)
    detail = f"cannot store note for 王芳 (Wang Fang), phone 13812345678, card {card}"

    def hub(req: httpx.Request) -> httpx.Response:
        body = {"title": "Internal error", "status": 500, "detail": detail}
        return httpx.Response(500, json=body, headers={"content-type": "application/problem+json"})

    now = [1_763_908_481.0]
    engine = SyncEngine(
        cache,
        outbox,
        HubClient("http://hub.test", transport=httpx.MockTransport(hub), clock=lambda: now[0]),
        clock=lambda: now[0],
    )
    outbox_mod.set_meta(outbox, {"last_push_at": str(int(now[0]))})  # the hub took others
    for _ in range(outbox_mod.MAX_ITEM_FAILURES):
        with contextlib.suppress(HubError):  # the failed pushes are not the point here
            engine.push_once()
        now[0] += 60
    engine.client.close()
    cache.close()
    outbox.close()
    lines = [line for line in _lines(log_file) if "parked for a person" in line]
    assert len(lines) == 1, _lines(log_file)
    line = lines[0]
    for secret in ("王芳", "Wang Fang", "13812345678", card):
        assert secret not in line
    assert "[name] ([name])" in line and "*******5678" in line
    assert "*" * 12 + card[-4:] in line
    assert rec.id in line and "(note)" in line and "after 3 failures" in line
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING ", line)


def test_arguments_marked_personal_are_masked_whatever_they_hold(log_file: Path) -> None:
    log = logging.getLogger("clerk.test")
    log.info("served %s (%s) at %s", logs.personal("Zhou Jianhua"), "A01", 1763908481.5)
    log.info("note by %s", "A01", extra={"personal": ["Zhou Jianhua"]})
    log.info("later: Zhou Jianhua again")  # marked once, not remembered for ever
    text = "\n".join(_message(line) for line in _lines(log_file))
    assert "served [name] (A01) at 1763908481.5" in text
    assert "note by A01" in text
    assert "later: Zhou Jianhua again" in text
