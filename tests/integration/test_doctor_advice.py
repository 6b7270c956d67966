"""Every piece of ``clerk doctor`` advice, tested against the case it names: the case is made
for real (real files, a real hub on loopback), the doctor gives that advice, and what the
advice claims holds — following it fixes the finding, or the promise it makes is kept.

``test_every_piece_of_advice_is_tested`` fails when ``clerk.doctor.ADVICE`` gains an entry
without a test here."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from test_cache_damage import _damage, find_damageable_page

from clerk import cache as cache_mod
from clerk import cli, db, diagnostics, doctor
from clerk import outbox as outbox_mod
from clerk.cli import doctor as cli_doctor
from clerk.errors import IdentifyError, StorageError
from clerk.model import Identity
from clerk.purge import purge
from clerk.terminal import Terminal
from sync.errors import DeviceRevokedError
from sync.hub.embedded import HubHandle
from sync.local import engine_for, enroll

STORE = "S001"
GB = 1024**3
TESTED: set[str] = set()
F = TypeVar("F", bound=Callable[..., Any])


def advice(*keys: str) -> Callable[[F], F]:
    """Mark a test as the one for these pieces of advice."""
    TESTED.update(keys)

    def mark(fn: F) -> F:
        return fn

    return mark


def _checks(home: Path, **kw: Any) -> dict[str, doctor.Check]:
    args: dict[str, Any] = {
        "hub_check": lambda: 0.0,
        "log_dir": home / "logs",
        "fc_list": lambda: "Noto Sans CJK SC\n",
        "disk_free": lambda _p: 50 * GB,
    }
    args.update(kw)
    return {c.name: c for c in doctor.run_checks(home, **args)}


def _enrolled(hub: HubHandle, home: Path, *, sync: bool = True) -> Path:
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name=home.name)
    if sync:
        with engine_for(home) as engine:
            assert engine.sync_once().caught_up
    return home


@pytest.fixture
def clerk_cmd(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """Run a ``clerk`` command on a data directory, as a person would."""

    def run(home: Path, *args: str) -> int:
        monkeypatch.setenv("CLERK_HOME", str(home))
        try:
            return cli.main(list(args))
        finally:
            from clerk import logs

            logs.teardown_logging()

    return run


def _hub_check(home: Path) -> doctor.HubCheck:
    check = cli_doctor.hub_check_for(home)
    assert check is not None
    return check


def test_every_piece_of_advice_is_tested() -> None:
    assert set(doctor.ADVICE) - TESTED == set(), "advice without a test of its case"
    assert TESTED - set(doctor.ADVICE) == set(), "tests of advice the doctor no longer gives"


# -- enrolment and the hub -----------------------------------------------------------------------


@advice("enrol", "outbox_missing", "enrol_first")
def test_a_new_terminal_is_told_to_enrol_and_enrolling_fixes_it(
    hub: HubHandle, tmp_path: Path, clerk_cmd: Callable[..., int]
) -> None:
    home = tmp_path / "new"
    home.mkdir()
    checks = _checks(home, hub_check=None)
    assert (checks["enrolled"].status, checks["enrolled"].fix) == ("fail", doctor.ADVICE["enrol"])
    assert checks["outbox"].fix == doctor.ADVICE["outbox_missing"]
    assert checks["hub"].fix == doctor.ADVICE["enrol_first"]
    assert cli_doctor.hub_check_for(home) is None  # nothing to check the hub with yet

    # What the advice says: clerk enroll --hub URL --store STORE --code CODE
    code = hub.enrol_code(STORE)
    assert clerk_cmd(home, "enroll", "--hub", hub.url, "--store", STORE, "--code", code) == 0
    checks = _checks(home, hub_check=_hub_check(home))
    assert {n: checks[n].status for n in ("enrolled", "outbox", "hub")} == {
        "enrolled": "ok",
        "outbox": "ok",
        "hub": "ok",
    }


@advice("revoked")
def test_a_revoked_terminal_asks_it_and_following_the_advice_loses_nothing(
    hub: HubHandle, tmp_path: Path, clerk_cmd: Callable[..., int]
) -> None:
    home = _enrolled(hub, tmp_path / "till")
    member = hub.store.members.ids(STORE, limit=1)[0]
    with engine_for(home) as engine:
        kept = outbox_mod.record(engine.outbox, "note", member_id=member, payload={"text": "kept"})
        creds = engine.credentials()
    assert creds is not None
    hub.store.devices.revoke(creds.device_id, reason="replaced")
    with engine_for(home) as engine, pytest.raises(DeviceRevokedError):
        engine.sync_once()
    checks = _checks(home, hub_check=cli_doctor.hub_check_for(home))
    assert (checks["enrolled"].status, checks["enrolled"].fix) == ("fail", doctor.ADVICE["revoked"])
    assert "removed from the store" in checks["enrolled"].detail

    # What the advice says: export, import at the hub as that device, enrol again.
    export = tmp_path / "unsent.jsonl"
    assert clerk_cmd(home, "outbox", "export", str(export)) == 0
    imported = clerk_cmd(
        home, "hub", "device", "import", str(export), "--device", creds.device_id, "--db", hub.db
    )
    assert imported == 0
    at_hub = [r for r in hub.store.interactions.iter_rows() if r["id"] == kept.id]
    assert [(r["status"], r["device_id"]) for r in at_hub] == [("accepted", creds.device_id)]
    _enrolled(hub, home)
    assert _checks(home, hub_check=_hub_check(home))["enrolled"].status == "ok"
    assert [r["id"] for r in hub.store.interactions.iter_rows() if r["id"] == kept.id] == [kept.id]


@advice("hub_check_here")
def test_without_a_hub_check_it_says_to_run_clerk_doctor_which_checks_the_hub(
    hub: HubHandle,
    tmp_path: Path,
    clerk_cmd: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = _enrolled(hub, tmp_path / "till", sync=False)
    # python -m clerk.doctor: no hub check injected
    checks = _checks(home, hub_check=None)
    assert (checks["hub"].status, checks["hub"].fix) == ("warn", doctor.ADVICE["hub_check_here"])
    # 'clerk doctor' from the terminal's command line checks the hub
    clerk_cmd(home, "doctor", "--json")
    out = json.loads(capsys.readouterr().out)
    hub_check = next(c for c in out["checks"] if c["name"] == "hub")
    assert hub_check["status"] == "ok" and hub_check["detail"].startswith("reachable")


@advice("hub_unreachable")
def test_an_unreachable_hub_the_terminal_works_offline_and_syncs_when_back(
    hub: HubHandle, tmp_path: Path, clerk_cmd: Callable[..., int]
) -> None:
    home = _enrolled(hub, tmp_path / "till")
    member = hub.store.members.ids(STORE, limit=1)[0]

    def unreachable() -> float:
        raise ConnectionRefusedError("connection refused")

    checks = _checks(home, hub_check=unreachable)
    assert (checks["hub"].status, checks["hub"].fix) == ("fail", doctor.ADVICE["hub_unreachable"])
    # "keeps working offline": a lookup and a record with no hub
    terminal = Terminal(home)
    try:
        opened = terminal.open_customer(Identity("member_id", member, f"member:{member}"))
        assert opened.view is not None
        saved = terminal.record("note", member_id=member, payload={"text": "offline"})
    finally:
        terminal.close()
    # "syncs when the hub is back"; and 'clerk config get hub_url' names the hub it talks to
    assert clerk_cmd(home, "config", "get", "hub_url") == 0
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
    assert any(i["id"] == saved.id for i in hub.store.interactions.iter_rows())


@advice("clock_wrong", "clock_skew")
def test_clock_advice(hub: HubHandle, tmp_path: Path) -> None:
    home = _enrolled(hub, tmp_path / "till")
    member = hub.store.members.ids(STORE, limit=1)[0]
    checks = _checks(home, hub_check=lambda: -3600.0)
    assert (checks["hub"].status, checks["hub"].fix) == ("fail", doctor.ADVICE["clock_wrong"])
    checks = _checks(home, hub_check=lambda: 90.0)
    assert (checks["hub"].status, checks["hub"].fix) == ("warn", doctor.ADVICE["clock_skew"])

    # "member codes are checked against it": an hour off, a fresh code is refused.
    hour_off = Terminal(home, clock=lambda: time.time() + 3600)
    try:
        with pytest.raises(IdentifyError) as caught:
            hour_off.identify(hub.member_code(member))
        assert caught.value.reason == "expired"
    finally:
        hour_off.close()
    # 90 s fast: "codes near their expiry may be refused" — one with 20 s left …
    fast = lambda: time.time() + 90  # noqa: E731
    terminal = Terminal(home, clock=fast)
    try:
        with pytest.raises(IdentifyError):
            terminal.identify(hub.member_code(member, ttl=20))
    finally:
        terminal.close()
    # … "the app corrects for the skew": after a sync it is accepted.
    with engine_for(home) as engine:
        engine.clock = fast
        engine.client.clock = fast
        engine.sync_once()
    terminal = Terminal(home, clock=fast)
    try:
        assert terminal.identify(hub.member_code(member, ttl=20)).kind == "code"
    finally:
        terminal.close()


# -- cache.db --------------------------------------------------------------------------------------


@advice("cache_missing")
def test_no_cache_yet_a_sync_fills_it(
    hub: HubHandle, tmp_path: Path, clerk_cmd: Callable[..., int]
) -> None:
    home = _enrolled(hub, tmp_path / "till", sync=False)
    (home / "cache.db").unlink()
    checks = _checks(home)
    assert (checks["cache"].status, checks["cache"].fix) == ("warn", doctor.ADVICE["cache_missing"])
    assert clerk_cmd(home, "sync", "--once") == 0
    checks = _checks(home)
    assert checks["cache"].status == "ok" and "last pull" in checks["cache"].detail


@advice("cache_damaged", "cache_copies")
def test_a_damaged_cache_is_rebuilt_at_the_lookup_or_by_moving_it_out(
    hub: HubHandle, tmp_path: Path, clerk_cmd: Callable[..., int]
) -> None:
    home = _enrolled(hub, tmp_path / "till")
    with engine_for(home) as engine:
        engine.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        slice_counts = {t: engine.cache.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                        for t in ("members", "coupons")}  # fmt: skip
    members = hub.store.members.ids(STORE, limit=1000)
    page, broken = find_damageable_page(home, members, tmp_path / "scratch")
    outbox_before = (home / "outbox.db").read_bytes()

    # 1. The app rebuilds it when a lookup meets the damage.
    _damage(home / "cache.db", page, 4096)
    checks = _checks(home)
    assert (checks["cache"].status, checks["cache"].fix) == ("fail", doctor.ADVICE["cache_damaged"])
    assert checks["cache copies"].status == "ok"
    terminal = Terminal(home)
    try:
        with pytest.raises(StorageError):
            terminal.view(broken[0])
    finally:
        terminal.close()
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
    checks = _checks(home)
    assert checks["cache"].status == "ok"
    assert (home / "outbox.db").read_bytes() == outbox_before, "nothing recorded is lost"
    copies = checks["cache copies"]
    assert (copies.status, copies.fix) == ("warn", doctor.ADVICE["cache_copies"])
    assert "1 set aside" in copies.detail and "cache.db.corrupt-" in copies.detail

    # 2. Or at once: stop the app, move the three files out; the next start makes a fresh
    # cache and the next sync fills it.
    with engine_for(home) as engine:
        engine.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(home / "cache.db", page, 4096)
    assert _checks(home)["cache"].status == "fail"
    moved = tmp_path / "moved-out"
    moved.mkdir()
    for name in ("cache.db", "cache.db-wal", "cache.db-shm"):
        if (home / name).exists():
            shutil.move(str(home / name), moved / name)
    terminal = Terminal(home)
    assert not terminal.cache_rebuilt  # nothing damaged any more: simply a new cache
    terminal.close()
    assert clerk_cmd(home, "sync", "--once") == 0
    checks = _checks(home)
    assert checks["cache"].status == "ok"
    conn = db.inspect(home / "cache.db")
    try:
        for table, n in slice_counts.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == n
    finally:
        conn.close()

    # "pruned automatically (the newest always)"
    for stamp in range(5):
        (home / "cache.db").write_bytes(b"damaged again")
        cache_mod.set_aside(home / "cache.db", stamp=2_000_000_000 + stamp)
    copies_left = cache_mod.corrupt_copies(home / "cache.db")
    assert len(copies_left) == cache_mod.MAX_COPIES
    assert copies_left[0].stamp == 2_000_000_004


# -- outbox.db -----------------------------------------------------------------------------------


@advice("outbox_unreadable")
def test_an_unreadable_outbox_is_never_deleted_and_diagnostics_can_be_sent(
    tmp_path: Path,
) -> None:
    home = tmp_path / "till"
    home.mkdir()
    garbage = b"\x00not sqlite" * 512
    (home / "outbox.db").write_bytes(garbage)
    checks = _checks(home)
    assert (checks["outbox"].status, checks["outbox"].fix) == (
        "fail",
        doctor.ADVICE["outbox_unreadable"],
    )
    with pytest.raises(StorageError):
        Terminal(home)  # the app refuses to start on it …
    assert (home / "outbox.db").read_bytes() == garbage  # … and never deletes or replaces it
    text = diagnostics.collect(home, log_dir=home / "logs", now=time.time(), hub_check=None)
    assert "== doctor ==" in text and "FAIL  outbox" in text  # 'copy diagnostics' works


@advice("outbox_damaged")
def test_a_damaged_outbox_is_never_touched(hub: HubHandle, tmp_path: Path) -> None:
    home = _enrolled(hub, tmp_path / "till", sync=False)
    terminal = Terminal(home)
    try:
        for i in range(300):
            terminal.record("note", member_id="M00000001", payload={"text": f"n{i} " + "x" * 300})
    finally:
        terminal.close()
    # A page whose damage the integrity check finds while the outbox can still be counted
    # (a table page, not one of the indexes the counts use): tried on copies.
    pages = (home / "outbox.db").stat().st_size // 4096
    for page in range(2, pages):
        trial = tmp_path / f"trial-{page}"
        shutil.copytree(home, trial)
        _damage(trial / "outbox.db", page, 4096)
        if doctor.check_outbox(trial / "outbox.db", time.time())[0].detail.startswith(
            "outbox.db integrity"
        ):
            break
    else:
        raise AssertionError("no page found")
    _damage(home / "outbox.db", page, 4096)
    damaged = (home / "outbox.db").read_bytes()
    checks = _checks(home)
    assert (checks["outbox"].status, checks["outbox"].fix) == (
        "fail",
        doctor.ADVICE["outbox_damaged"],
    )
    try:  # the app, started on it, may or may not get far; it never repairs or moves it
        terminal = Terminal(home)
        try:
            terminal.status()
        finally:
            terminal.close()
    except StorageError:
        pass
    assert (home / "outbox.db").read_bytes() == damaged, "outbox.db is never touched"
    assert sorted(p.name for p in home.glob("outbox.db*")) == ["outbox.db"]


@advice("backlog")
def test_an_old_backlog_is_kept_until_the_hub_confirms_it(
    hub: HubHandle, tmp_path: Path, clerk_cmd: Callable[..., int]
) -> None:
    home = _enrolled(hub, tmp_path / "till")
    member = hub.store.members.ids(STORE, limit=1)[0]
    day_ago = time.time() - 30 * 3600
    terminal = Terminal(home, clock=lambda: day_ago)
    try:
        saved = terminal.record("note", member_id=member, payload={"text": "waiting"})
    finally:
        terminal.close()
    checks = _checks(home)
    assert (checks["backlog"].status, checks["backlog"].fix) == ("fail", doctor.ADVICE["backlog"])
    assert clerk_cmd(home, "status") == 0  # 'clerk status' as advised
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up
    assert _checks(home)["backlog"].status == "ok"
    assert any(i["id"] == saved.id for i in hub.store.interactions.iter_rows())


@advice("attention")
def test_parked_records_are_listed_kept_and_not_retried(hub: HubHandle, tmp_path: Path) -> None:
    home = _enrolled(hub, tmp_path / "till")
    member = hub.store.members.ids(STORE, limit=1)[0]
    terminal = Terminal(home)
    try:
        parked = terminal.record("note", member_id=member, payload={"text": "the hub fails"})
        outbox_mod.park(terminal.outbox, parked.id, "error: the hub failed", now=int(time.time()))
        other = terminal.record("note", member_id=member, payload={"text": "fine"})
    finally:
        terminal.close()
    checks = _checks(home)
    found = checks["attention"]
    assert (found.status, found.fix) == ("fail", doctor.ADVICE["attention"])
    assert parked.id in found.detail and "hub said error: the hub failed" in found.detail
    with engine_for(home) as engine:
        assert engine.sync_once().caught_up  # "the rest keeps syncing"
    at_hub = {i["id"] for i in hub.store.interactions.iter_rows()}
    assert other.id in at_hub and parked.id not in at_hub  # "no longer retried"
    conn = db.inspect(home / "outbox.db")
    try:  # "kept in outbox.db"
        row = conn.execute("SELECT state FROM interactions WHERE id = ?", (parked.id,)).fetchone()
    finally:
        conn.close()
    assert row[0] == outbox_mod.PARKED


# -- the machine ---------------------------------------------------------------------------------


@advice("fonts", "fonts_tools")
def test_font_advice_names_what_this_machine_installs(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    assert _checks(home, fc_list=lambda: "DejaVu Sans\n")["fonts"].fix == doctor.ADVICE["fonts"]

    def broken() -> str:
        raise OSError("fc-list crashed")

    assert _checks(home, fc_list=broken)["fonts"].fix == doctor.ADVICE["fonts_tools"]
    assert _checks(home, fc_list=lambda: None)["fonts"].fix == doctor.ADVICE["fonts_tools"]
    # The packages named are what scripts/sysdeps.sh installs, and with them the real
    # fc-list finds the font.
    sysdeps = (Path(__file__).resolve().parents[2] / "scripts" / "sysdeps.sh").read_text()
    assert "fonts-noto-cjk" in sysdeps and "fontconfig" in sysdeps
    assert doctor.check_fonts().status == "ok"


@advice("zxing")
def test_a_missing_decoder_says_reinstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # import fails
    check = doctor.check_zxing()
    assert (check.status, check.fix) == ("fail", doctor.ADVICE["zxing"])
    monkeypatch.undo()
    assert doctor.check_zxing().status == "ok"  # the installed app has it


@advice("zbar")
def test_without_libzbar_zxing_still_decodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qrcode

    from clerk.decode import decode_file

    def no_zbar() -> Any:
        raise OSError("libzbar.so.0: cannot open shared object file")

    from pyzbar import zbar_library

    monkeypatch.setattr(zbar_library, "load", no_zbar)
    check = doctor.check_zbar()
    assert (check.status, check.fix) == ("warn", doctor.ADVICE["zbar"])
    png = tmp_path / "code.png"
    qrcode.make("6200000000000019").save(png)
    assert [d.text for d in decode_file(png, backend="zxing")] == ["6200000000000019"]


@advice("disk")
def test_low_disk_clerk_purge_trims_old_browsing(hub: HubHandle, tmp_path: Path) -> None:
    home = _enrolled(hub, tmp_path / "till")
    checks = _checks(home, disk_free=lambda _p: 100 * 1024**2)
    assert (checks["disk"].status, checks["disk"].fix) == ("fail", doctor.ADVICE["disk"])
    conn = cache_mod.open_cache(home / "cache.db")
    try:
        before = conn.execute("SELECT count(*) FROM browse_events").fetchone()[0]
        newest = conn.execute("SELECT max(at) FROM browse_events").fetchone()[0]
        assert before > 0
        # 'clerk purge' (the retention policy) a year on: old browsing goes
        counts = purge(conn, now=newest + 365 * 86400, browse_days=90, member_idle_days=3650)
        after = conn.execute("SELECT count(*) FROM browse_events").fetchone()[0]
    finally:
        conn.close()
    assert counts["browse_events"] == before - after > 0


@advice("logs")
def test_an_unwritable_log_directory_and_making_it_writable(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the directory should be")
    checks = _checks(home, log_dir=blocker / "terminal")
    assert (checks["logs"].status, checks["logs"].fix) == ("fail", doctor.ADVICE["logs"])
    blocker.unlink()  # the directory can be made now
    assert _checks(home, log_dir=blocker / "terminal")["logs"].status == "ok"


@advice("device")
def test_a_failing_device_probe_says_reconnect(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    plugged = {"in": False}

    def camera() -> doctor.Check:
        if not plugged["in"]:
            raise RuntimeError("no /dev/video0")
        return doctor.Check("camera", "ok", "camera 0")

    checks = _checks(home, camera_probe=camera)
    assert (checks["camera"].status, checks["camera"].fix) == ("fail", doctor.ADVICE["device"])
    plugged["in"] = True  # reconnected
    assert _checks(home, camera_probe=camera)["camera"].status == "ok"
