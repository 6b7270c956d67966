"""Enrolment without the UI: what an enrolment QR holds, and the work the enrolment screen
runs (sync.enrolment), with the hub's side replaced."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from clerk.settings import Settings
from sync.enrolment import (
    Enrolment,
    EnrolPayload,
    NotEnrolCodeError,
    normalise_code,
    parse_enrol_payload,
)


def test_the_qr_payload_is_the_code_itself() -> None:
    # `clerk hub enrol-code --png` encodes exactly the printed code.
    assert parse_enrol_payload("Q34K-E42F-CFUW") == EnrolPayload("Q34K-E42F-CFUW")
    assert parse_enrol_payload("  q34k e42f cfuw\n") == EnrolPayload("Q34K-E42F-CFUW")
    link = "omniclerk://enrol?hub=https://hub.example.com&store=S001&code=q34ke42fcfuw"
    assert parse_enrol_payload(link) == EnrolPayload(
        "Q34K-E42F-CFUW", "https://hub.example.com", "S001"
    )
    assert parse_enrol_payload('{"code": "Q34KE42FCFUW", "store_id": "S002"}') == (
        EnrolPayload("Q34K-E42F-CFUW", None, "S002")
    )
    assert normalise_code("abcd-efgh") == "ABCD-EFGH"
    for bad in ("MC1:6BF*K3$W…", "https://example.com/", "", "{}", "?code="):
        with pytest.raises(NotEnrolCodeError):
            parse_enrol_payload(bad)


def test_enrolment_keeps_the_terminal_settings_in_step(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.json")
    calls: list[tuple[Any, ...]] = []

    def enroll(home: Path, hub_url: str, store_id: str, code: str, *, device_name: str) -> Any:
        calls.append((home, hub_url, store_id, code, device_name))
        # sync.local.enroll writes the file through a Settings of its own
        Settings(home / "settings.json").set("hub_url", hub_url)
        return SimpleNamespace(hub_url=hub_url, store_id=store_id)

    closed: list[bool] = []

    class Engine:
        def sync_once(self, *, progress: Any) -> str:
            progress(3, 0, 0.0)
            return "report"

        def close(self) -> None:
            closed.append(True)

    enrolment = Enrolment(tmp_path, settings, enroll=enroll, engine_for=lambda home: Engine())
    creds = enrolment.enrol("https://hub.example", "S001", "ABCD-EFGH-JKLM", "Counter 2")
    assert creds.hub_url == "https://hub.example"
    assert calls == [(tmp_path, "https://hub.example", "S001", "ABCD-EFGH-JKLM", "Counter 2")]
    # the terminal's own Settings object knows both, and so does the file it rewrites
    assert settings.get("hub_url") == "https://hub.example"
    assert settings.get("device_name") == "Counter 2"
    again = Settings(tmp_path / "settings.json")
    assert (again.get("hub_url"), again.get("device_name")) == (
        "https://hub.example",
        "Counter 2",
    )
    progress: list[tuple[Any, ...]] = []
    assert enrolment.first_pull(lambda *args: progress.append(args)) == "report"
    assert progress == [(3, 0, 0.0)] and closed == [True]


def test_a_failed_first_download_closes_its_engine(tmp_path: Path) -> None:
    closed: list[bool] = []

    class Engine:
        def sync_once(self, *, progress: Any) -> Any:
            raise NotEnrolCodeError("boom")

        def close(self) -> None:
            closed.append(True)

    enrolment = Enrolment(tmp_path, Settings(tmp_path / "s.json"), engine_for=lambda h: Engine())
    with pytest.raises(NotEnrolCodeError):
        enrolment.first_pull(lambda *args: None)
    assert closed == [True]
