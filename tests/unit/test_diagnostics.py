"""The "copy diagnostics" text: complete enough for support, free of personal data."""

from __future__ import annotations

import json
from pathlib import Path

from clerk import cache, diagnostics, doctor, outbox

NOW = 1_763_900_000
PHONE = "13812345678"
CARD = "6200000000000019"
MC1 = "MC1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3HSZ7BVM9-2Q8L5Q*2G4A7%6NRQ2C"
TOKEN = "tok-0123456789abcdef0123456789abcdef"
PHONE_KEY = "ab" * 32


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    ob = outbox.open_outbox(home / "outbox.db")
    try:
        outbox.set_meta(
            ob,
            {
                outbox.META_DEVICE_ID: "dev-7",
                outbox.META_STORE_ID: "S001",
                outbox.META_STORE_NAME: "Nanjing Rd",
                outbox.META_TOKEN: TOKEN,
                outbox.META_PHONE_BUCKET_KEY: PHONE_KEY,
            },
        )
        ok = outbox.record(ob, "visit", member_id="M1", now=NOW - 100)
        bad = outbox.record(
            ob,
            "note",
            member_id=None,
            member_ref=f"card:{CARD}",
            payload={"text": f"call {PHONE}"},
            now=NOW - 50,
        )
        outbox.mark_sent(ob, [ok.id, bad.id], now=NOW - 40)
        outbox.mark_failed(ob, [bad.id], f"hub said 422 for phone {PHONE} code {MC1}")
        outbox.apply_results(ob, [{"id": ok.id, "status": "accepted"}], now=NOW - 30)
    finally:
        ob.close()
    c = cache.open_cache(home / "cache.db")
    try:
        cache.set_state(c, "cursor", "1234")
        cache.set_state(c, "last_error", f"lookup of {PHONE} failed")
    finally:
        c.close()
    (home / "settings.json").write_text(
        json.dumps({"hub_url": "https://hub.example.com", "device_name": "till 2"})
    )
    logs = home / "logs"
    logs.mkdir()
    lines = [f"2025-11-23 12:00:{i % 60:02d} INFO clerk.sync pushed batch {i}" for i in range(260)]
    lines.append(f"2025-11-23 12:01:00 ERROR clerk.ui raw line with {PHONE} and {MC1}")
    (logs / "terminal.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return home


def test_collect_has_every_section_and_no_personal_data(tmp_path: Path) -> None:
    home = _home(tmp_path)
    text = diagnostics.collect(
        home,
        log_dir=home / "logs",
        now=NOW,
        checks=[doctor.Check("hub", "fail", "unreachable", "check the network")],
    )
    for section in (
        "== versions ==",
        "== platform ==",
        "== settings ==",
        "== status ==",
        "== last errors ==",
        "== doctor ==",
        "== log (last 200 lines) ==",
    ):
        assert section in text
    assert "omni-clerk 0.1.0" in text and "zxing-cpp" in text
    assert "device_id = dev-7" in text and "store_name = Nanjing Rd" in text
    assert "interactions: acked 1, sent 1" in text
    assert "hub_url = 'https://hub.example.com'" in text
    assert "sync_state.cursor = 1234" in text
    assert "FAIL  hub  unreachable" in text and "fix: check the network" in text
    assert "hub said 422 for phone *******5678 code MC1:[redacted]" in text
    # the log: the last 200 lines only, redacted
    assert "pushed batch 259" in text and "pushed batch 60\n" not in text
    assert "pushed batch 61" in text
    for secret in (PHONE, CARD, MC1[4:], TOKEN, PHONE_KEY, "tok-0123"):
        assert secret not in text


def test_collect_runs_the_doctor_itself(tmp_path: Path) -> None:
    home = _home(tmp_path)
    text = diagnostics.collect(home, log_dir=home / "logs", now=NOW, hub_check=lambda: 0.2)
    assert "OK    enrolled" in text and "+0.2 s" in text


def test_collect_survives_broken_files(tmp_path: Path) -> None:
    home = tmp_path / "broken"
    home.mkdir()
    (home / "outbox.db").write_bytes(b"\x00not sqlite" * 300)
    (home / "settings.json").write_text("{not json")
    text = diagnostics.collect(home, log_dir=home / "logs", now=NOW, checks=[])
    assert "== settings ==\n(unavailable: ConfigError" in text
    assert "== status ==\n(unavailable: DatabaseError" in text
    assert "== log (last 200 lines) ==\n(empty)" in text
    assert "== versions ==\nomni-clerk 0.1.0" in text
