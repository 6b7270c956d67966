"""clerk.instance: one app instance per data directory, across processes; no stale locks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from clerk import instance
from clerk.errors import ClerkError
from clerk.instance import InstanceLockedError

HOLDER = textwrap.dedent(
    """
    import sys
    from clerk import instance
    lock = instance.acquire(sys.argv[1], doorbell=sys.argv[2:] == ["doorbell"])
    print("locked", flush=True)
    sys.stdin.read()  # hold until the parent closes stdin
    lock.release()
    """
)


@contextmanager
def holder(home: Path, *, doorbell: bool = False) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock on ``home`` (``doorbell``: as the app does)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home), *(["doorbell"] if doorbell else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=20)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def test_a_second_instance_in_another_process_is_refused(tmp_path: Path) -> None:
    with holder(tmp_path) as proc:
        with pytest.raises(InstanceLockedError) as caught:
            instance.acquire(tmp_path)
        err = caught.value
        assert isinstance(err, ClerkError)
        assert err.reason == "already_running"
        assert err.pid == proc.pid
        assert f"process {proc.pid}" in str(err) and str(tmp_path) in str(err)
    with instance.acquire(tmp_path) as lock:  # free again once the other one quit
        assert lock.held


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    with holder(tmp_path) as proc:
        proc.kill()  # SIGKILL: no chance to release anything
        proc.wait(timeout=20)
        lock = instance.acquire(tmp_path)
        lock.release()


def test_same_process_twice_is_refused_until_released(tmp_path: Path) -> None:
    lock = instance.acquire(tmp_path)
    try:
        with pytest.raises(InstanceLockedError) as caught:
            instance.acquire(tmp_path)
        assert caught.value.pid == os.getpid()
    finally:
        lock.release()
    assert not lock.held
    lock.release()  # idempotent
    again = instance.acquire(tmp_path)
    again.release()


def test_other_data_directories_are_independent(tmp_path: Path) -> None:
    with instance.acquire(tmp_path / "a"), instance.acquire(tmp_path / "b") as b:
        assert b.path == tmp_path / "b" / instance.LOCK_FILE


def test_an_app_that_cannot_open_its_data_says_so_and_lets_go_of_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gc

    from clerk import cli, logs

    home = tmp_path / "home"
    (home / "outbox.db").mkdir(parents=True)  # not a database: the terminal cannot open it
    monkeypatch.setenv("CLERK_HOME", str(home))
    collecting = gc.isenabled()  # (off when a UI test's GuiThreadGc runs in this process)
    try:
        code = cli.main([])  # `clerk`: the app
    finally:
        (gc.enable if collecting else gc.disable)()  # the app start turns it off
        logs.teardown_logging()
    assert code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("clerk: "), err  # one clear line, no traceback
    instance.acquire(home).release()  # the lock was let go
    log = (home / "logs" / "terminal.log").read_text(encoding="utf-8")
    assert "starting" in log  # what was logged before the failure reached the file


@pytest.mark.parametrize("doorbell", [True, False])
def test_a_second_launch_learns_whether_the_holder_answers_a_doorbell(
    tmp_path: Path, doorbell: bool
) -> None:
    """The app takes the lock with its doorbell; ``clerk sync`` without: a second launch rings
    only the first (ui/doorbell.py), and fails as before on the second."""
    with holder(tmp_path, doorbell=doorbell) as proc:
        with pytest.raises(InstanceLockedError) as caught:
            instance.acquire(tmp_path, doorbell=True)
        assert caught.value.pid == proc.pid
        assert caught.value.doorbell is doorbell


def test_the_doorbell_is_named_after_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    name = instance.doorbell_name(tmp_path / "a")
    assert name == instance.doorbell_name(tmp_path / "a")  # stable: both launches agree
    assert name == instance.doorbell_name(tmp_path / "link")  # the same directory
    assert name != instance.doorbell_name(tmp_path / "b")
    assert str(tmp_path) not in name  # a hash, not the path

    # A runtime directory as short as a real one (/run/user/1000): pytest's tmp_path can be
    # long enough by itself (under pytest-xdist) to push the socket past its path limit.
    runtime = Path(tempfile.mkdtemp(prefix="rt-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(runtime, ignore_errors=True))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    in_runtime = instance.doorbell_name(tmp_path / "a")
    assert Path(in_runtime).parent == runtime  # the user's own directory
    assert len(in_runtime.encode()) < 104  # a unix socket's path limit
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime / ("x" * 120)))
    assert instance.doorbell_name(tmp_path / "a") == name  # too long (or absent): Qt's temp dir
