"""clerk doctor: each check reports what is wrong and what to do, on real files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from clerk import cache, doctor, outbox
from clerk.cli import doctor as cli_doctor

NOW = 1_763_900_000
GB = 1024**3


def _by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


def _enrolled_home(home: Path, *, pending_ages: tuple[int, ...] = ()) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    ob = outbox.open_outbox(home / "outbox.db")
    try:
        outbox.set_meta(
            ob,
            {
                outbox.META_DEVICE_ID: "dev-1",
                outbox.META_STORE_ID: "S001",
                outbox.META_HUB_URL: "http://127.0.0.1:9",
                outbox.META_TOKEN: "tok",
            },
        )
        for age in pending_ages:
            outbox.record(ob, "visit", member_id="M1", now=NOW - age)
    finally:
        ob.close()
    c = cache.open_cache(home / "cache.db")
    try:
        cache.set_state(c, "last_pull_at", str(NOW - 60))
    finally:
        c.close()
    return home


def _run(home: Path, **kw: object) -> dict[str, doctor.Check]:
    defaults: dict[str, object] = {
        "hub_check": lambda: 0.4,
        "log_dir": home / "logs",
        "fc_list": lambda: "Noto Sans CJK SC,Noto Sans CJK SC Regular\n",
        "disk_free": lambda _p: 50 * GB,
        "now": NOW,
    }
    defaults.update(kw)
    return _by_name(doctor.run_checks(home, **defaults))  # type: ignore[arg-type]


def test_a_healthy_terminal_passes_every_check(tmp_path: Path) -> None:
    checks = _run(_enrolled_home(tmp_path / "home"))
    assert set(checks) == {
        "enrolled",
        "hub",
        "cache",
        "cache copies",
        "outbox",
        "backlog",
        "attention",
        "camera",
        "scanner",
        "fonts",
        "zxing",
        "zbar",
        "disk",
        "logs",
    }
    bad = {n: c for n, c in checks.items() if c.status != "ok"}
    assert bad == {}
    assert "dev-1" in checks["enrolled"].detail and "S001" in checks["enrolled"].detail
    assert "+0.4 s" in checks["hub"].detail
    assert checks["camera"].detail.startswith("checked in the app")


def test_a_new_machine_says_to_enrol_and_does_not_create_files(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    home.mkdir()
    checks = _run(home, hub_check=None)
    assert checks["enrolled"].status == "fail"
    assert "clerk enroll" in checks["enrolled"].fix
    assert checks["hub"].status == "warn" and "not enrolled" in checks["hub"].detail
    assert checks["cache"].status == "warn"
    assert not (home / "outbox.db").exists() and not (home / "cache.db").exists()


@pytest.mark.parametrize(
    ("skew", "status"),
    [(0.0, "ok"), (-59.0, "ok"), (90.0, "warn"), (-400.0, "warn"), (3600.0, "fail")],
)
def test_clock_skew(tmp_path: Path, skew: float, status: str) -> None:
    checks = _run(_enrolled_home(tmp_path / "h"), hub_check=lambda: skew)
    assert checks["hub"].status == status
    assert f"{skew:+.1f} s" in checks["hub"].detail
    if status != "ok":
        assert "NTP" in checks["hub"].fix


def test_unreachable_hub_fails_with_the_reason(tmp_path: Path) -> None:
    def hub() -> float:
        raise ConnectionRefusedError("connection refused")

    checks = _run(_enrolled_home(tmp_path / "h"), hub_check=hub)
    assert checks["hub"].status == "fail"
    assert "ConnectionRefusedError: connection refused" in checks["hub"].detail
    assert "offline" in checks["hub"].fix


@pytest.mark.parametrize(("age", "status"), [(600, "ok"), (2 * 3600, "warn"), (30 * 3600, "fail")])
def test_backlog_by_age_of_the_oldest_pending(tmp_path: Path, age: int, status: str) -> None:
    checks = _run(_enrolled_home(tmp_path / "h", pending_ages=(age, 60)))
    assert checks["backlog"].status == status
    assert checks["backlog"].detail.startswith("2 waiting to sync")
    assert checks["outbox"].status == "ok"


def test_damaged_cache_fails_and_says_it_is_rebuilt(tmp_path: Path) -> None:
    home = _enrolled_home(tmp_path / "h")
    (home / "cache.db").write_bytes(b"this is not a database" * 200)
    checks = _run(home)
    assert checks["cache"].status == "fail"
    assert "rebuilds it from the hub" in checks["cache"].fix  # tested: test_doctor_advice.py
    assert checks["outbox"].status == "ok"


def test_unreadable_outbox_says_never_delete_it(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / "outbox.db").write_bytes(b"\x00garbage" * 512)
    checks = _run(home)
    assert checks["enrolled"].status == "fail"
    assert checks["outbox"].status == "fail"
    assert "NOT delete" in checks["outbox"].fix


@pytest.mark.parametrize(
    ("fc_out", "status"),
    [
        ("Noto Sans CJK JP,Noto Sans CJK JP Regular\nAR PL UMing CN\n", "ok"),
        ("AR PL UMing CN\n", "warn"),
        ("", "fail"),
        (None, "warn"),
    ],
)
def test_fonts(tmp_path: Path, fc_out: str | None, status: str) -> None:
    checks = _run(_enrolled_home(tmp_path / "h"), fc_list=lambda: fc_out)
    assert checks["fonts"].status == status
    if status != "ok":
        assert "fonts-noto-cjk" in checks["fonts"].fix


def test_fonts_on_this_machine_are_found() -> None:
    # scripts/sysdeps.sh installs fonts-noto-cjk; the real fc-list must see it.
    assert doctor.check_fonts().status == "ok"


@pytest.mark.parametrize(
    ("free", "status"), [(50 * GB, "ok"), (700 * 1024**2, "warn"), (100 * 1024**2, "fail")]
)
def test_disk(tmp_path: Path, free: int, status: str) -> None:
    checks = _run(_enrolled_home(tmp_path / "h"), disk_free=lambda _p: free)
    assert checks["disk"].status == status


def test_log_dir_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    checks = _run(_enrolled_home(tmp_path / "h"), log_dir=blocker / "logs")
    assert checks["logs"].status == "fail"


def test_barcode_libraries_load() -> None:
    assert doctor.check_zxing().status == "ok"
    zbar = doctor.check_zbar()
    assert zbar.status == "ok", zbar.detail


def test_injected_device_probes_replace_the_placeholder(tmp_path: Path) -> None:
    def camera() -> doctor.Check:
        return doctor.Check("camera", "warn", "no camera found", "Plug in the webcam")

    def scanner() -> doctor.Check:
        raise RuntimeError("hid gone")

    checks = _run(_enrolled_home(tmp_path / "h"), camera_probe=camera, scanner_probe=scanner)
    assert checks["camera"] == doctor.Check(
        "camera", "warn", "no camera found", "Plug in the webcam"
    )
    assert checks["scanner"].status == "fail" and "hid gone" in checks["scanner"].detail


def test_table_lists_fixes_for_problems_only() -> None:
    table = doctor.format_table(
        [
            doctor.Check("enrolled", "ok", "device d", "never shown"),
            doctor.Check("backlog", "fail", "3 waiting", "check the hub"),
        ]
    )
    lines = table.splitlines()
    assert lines[0].startswith("OK    enrolled")
    assert lines[1].startswith("FAIL  backlog ")
    assert lines[2].strip() == "fix: check the hub"
    assert "never shown" not in table
    assert lines[-1] == "1 to fix, 0 to look at"


def test_command_json_and_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLERK_HOME", str(tmp_path / "fresh"))
    code = cli_doctor.cmd_doctor(argparse.Namespace(json=True), make_hub_check=lambda _h: None)
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["ok"] is False
    assert {"name": "enrolled", "status": "fail"}.items() <= out["checks"][0].items()

    home = _enrolled_home(tmp_path / "good")
    monkeypatch.setenv("CLERK_HOME", str(home))
    code = cli_doctor.cmd_doctor(
        argparse.Namespace(json=False), make_hub_check=lambda _h: lambda: 1.0
    )
    out_text = capsys.readouterr().out
    assert code == 0, out_text
    assert "OK    hub" in out_text


def test_parser_wires_the_hub_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _enrolled_home(tmp_path / "h")
    monkeypatch.setenv("CLERK_HOME", str(home))
    seen: list[Path] = []

    def make(h: Path) -> doctor.HubCheck:
        seen.append(h)
        return lambda: -2.5

    parser = argparse.ArgumentParser(prog="clerk")
    cli_doctor.add_parser(parser.add_subparsers(), make_hub_check=make)
    args = parser.parse_args(["doctor", "--json"])
    code = args.func(args)
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert seen == [home]
    assert checks["hub"]["status"] == "ok" and "-2.5 s" in checks["hub"]["detail"]
    assert code == 0


def test_clerk_doctor_checks_the_hub_the_terminal_is_enrolled_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real `clerk doctor`: the hub check goes to the enrolled hub's URL (nothing listens on
    127.0.0.1:9, so it fails), and is skipped on a terminal that was never enrolled."""
    from clerk.cli import build_parser

    assert cli_doctor.hub_check_for(tmp_path / "fresh") is None
    home = _enrolled_home(tmp_path / "h")
    monkeypatch.setenv("CLERK_HOME", str(home))
    args = build_parser().parse_args(["doctor", "--json"])
    assert args.func(args) == 1
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["hub"]["status"] == "fail" and "unreachable" in checks["hub"]["detail"]
