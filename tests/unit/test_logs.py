"""clerk.logs: rotating log files that never hold a phone, card, member code, token or key."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk import logs

MC1 = "MC1:" + "6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3HSZ7BVM9-2Q8L5Q*2G4A7%6NRQ2C Q0V%1W"
HEX_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "logs"
    logs.teardown_logging()


@pytest.mark.parametrize(
    ("raw", "secret", "shown"),
    [
        ("phone 13812345678 typed", "13812345678", "*******5678"),
        ("call +86 138-1234-5678 now", "1234-5678", "+86 *******5678"),
        ("call +8613812345678", "8613812345678", "+86 *******5678"),
        ("intl +4915112345678", "4915112345678", "+[redacted]"),
        ("card 6200000000000019 scanned", "6200000000000019", "************0019"),
        ("card 1234567890 short", "1234567890", "******7890"),
        (f"scan {MC1} ok", MC1[4:20], "MC1:[redacted] ok"),
        ("Authorization: Bearer eyJhbGciOi.J9abc-_x=", "eyJhbGciOi", "Bearer [redacted]"),
        ('{"token": "s3cr3t-tok", "x": 1}', "s3cr3t-tok", '"token": "[redacted]"'),
        ("GET /v1/changes?since=5&token=abcdef123", "abcdef123", "token=[redacted]"),
        (f"phone_hash {HEX_KEY}", HEX_KEY[:20], "phone_hash [hex redacted]"),
        ("mail wang.fang@example.com", "wang.fang", "[redacted]@example.com"),
        ("手机13812345678已登记", "13812345678", "手机*******5678已登记"),
    ],
)
def test_redact_masks_personal_data(raw: str, secret: str, shown: str) -> None:
    out = logs.redact(raw)
    assert secret not in out
    assert shown in out


@pytest.mark.parametrize(
    "text",
    [
        "pushed 12 interactions in 340 ms (batch 3 of 4)",
        "interaction 01940000-0000-7000-8000-000000000003 acked",
        "member M000001 opened, cursor 123456",
        "hub http://127.0.0.1:8765/v1/changes answered 503",
    ],
)
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert logs.redact(text) == text


def test_log_file_is_redacted_including_arguments_and_tracebacks(log_dir: Path) -> None:
    path = logs.setup_logging("terminal", directory=log_dir)
    log = logging.getLogger("clerk.test")
    log.info("looked up %s with card %s", "13912345678", 6200000000000019)
    try:
        raise ValueError(f"bad code {MC1}")
    except ValueError:
        log.exception("decode failed for %s", "13712345678")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert path == log_dir / "terminal.log"
    assert "*******5678" in text and "************0019" in text
    assert "13912345678" not in text and "6200000000000019" not in text
    assert "13712345678" not in text and MC1[4:30] not in text
    assert "Traceback" in text and "ValueError: bad code MC1:[redacted]" in text


def test_setup_twice_does_not_duplicate_lines(log_dir: Path) -> None:
    logs.setup_logging("terminal", directory=log_dir)
    path = logs.setup_logging("terminal", directory=log_dir)
    logging.getLogger("clerk.test").warning("only once")
    ours = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler) and h.baseFilename == str(path)
    ]
    assert len(ours) == 1
    ours[0].flush()
    assert path.read_text(encoding="utf-8").count("only once") == 1


def test_rotation_keeps_five_files_of_two_megabytes(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = logs.setup_logging("hub", directory=log_dir)
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    )
    assert handler.maxBytes == 2 * 1024 * 1024
    assert handler.backupCount + 1 == 5
    handler.maxBytes = 2000  # rotate quickly for the test
    log = logging.getLogger("clerk.test")
    for i in range(300):
        log.warning("line %04d %s", i, "x" * 60)
    files = sorted(p.name for p in log_dir.iterdir())
    assert files == ["hub.log", "hub.log.1", "hub.log.2", "hub.log.3", "hub.log.4"]
    tail = logs.tail("hub", 50, log_dir)
    assert len(tail) == 50
    assert tail[-1].endswith("line 0299 " + "x" * 60)
    assert "line 0250" in tail[0]
    assert path.stat().st_size <= 2000 + 200


def test_tail_of_missing_log_is_empty(tmp_path: Path) -> None:
    assert logs.tail("terminal", 200, tmp_path) == []


def test_invalid_app_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="invalid log name"):
        logs.setup_logging("../etc", directory=tmp_path)


def test_start_up_records_are_buffered_then_written_in_order_and_redacted(log_dir: Path) -> None:
    logs.buffer_logging()
    assert logs.logging_buffered()
    log = logging.getLogger("clerk.test")
    log.info("first: phone %s", "13812345678")
    log.warning("second: card 6200000000000019")
    log.debug("below the level: not kept")
    assert not log_dir.exists()  # nothing on disk before the app opens its log file

    path = logs.setup_logging("terminal", directory=log_dir)

    assert not logs.logging_buffered()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.split(" clerk.test ")[1] for line in lines] == [
        "[MainThread] first: phone *******5678",
        "[MainThread] second: card ************0019",
    ]
    log.info("third")  # straight to the file from now on, once
    assert path.read_text(encoding="utf-8").count("third") == 1


def test_start_up_buffer_is_bounded_and_says_what_it_dropped(log_dir: Path) -> None:
    buffer = logs.StartupBuffer(capacity=3)
    logging.getLogger().addHandler(buffer)
    logging.getLogger().setLevel(logging.INFO)
    for i in range(10):
        logging.getLogger("clerk.test").info("record %d", i)

    path = logs.setup_logging("terminal", directory=log_dir)

    text = path.read_text(encoding="utf-8")
    assert [f"record {i}" in text for i in range(10)] == [True] * 3 + [False] * 7
    assert "7 start-up log records dropped (buffer full)" in text
    assert buffer not in logging.getLogger().handlers
