"""An idle connection to the hub is kept 75 s (uvicorn's default is 5), the terminal's 60 s:
a terminal's rounds come every few seconds, one backing off from a 503 waits longer, and every
new connection is a handshake on both sides — at twice the saturating load the 5 s let 336 new
connections a second in (docs/benchmarks.md, fifteenth session)."""

from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path

import pytest
from hub_client import start_served_hub

from sync.client import KEEPALIVE_S, HubClient
from sync.errors import RetryableHubError
from sync.hub.app import KEEP_ALIVE_S
from sync.hub.cli import _keep_alive, add_hub_parser
from sync.hub.errors import InvalidInputError


def _serve_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_hub_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["hub", "serve", "--db", "x.db", *argv])


def test_the_option_then_the_environment_then_75_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLERK_HUB_KEEP_ALIVE_S", raising=False)
    assert _keep_alive(_serve_args()) == KEEP_ALIVE_S == 75
    monkeypatch.setenv("CLERK_HUB_KEEP_ALIVE_S", "30")
    assert _keep_alive(_serve_args()) == 30
    assert _keep_alive(_serve_args("--keep-alive", "9")) == 9
    assert KEEPALIVE_S < KEEP_ALIVE_S  # the terminal closes an idle connection first


def test_a_keep_alive_under_a_second_or_unreadable_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(InvalidInputError, match="--keep-alive must be at least 1 second"):
        _keep_alive(_serve_args("--keep-alive", "0"))
    monkeypatch.setenv("CLERK_HUB_KEEP_ALIVE_S", "a minute")
    with pytest.raises(InvalidInputError, match="CLERK_HUB_KEEP_ALIVE_S is not a whole number"):
        _keep_alive(_serve_args())


def test_the_terminal_keeps_an_idle_connection_60_s() -> None:
    client = HubClient("http://127.0.0.1:9")
    try:
        pool = client._http._transport._pool  # type: ignore[attr-defined]  # httpcore's pool
        assert pool._keepalive_expiry == KEEPALIVE_S == 60.0
    finally:
        client.close()


def test_a_served_hub_closes_an_idle_connection_after_its_keep_alive(
    sqlite_hub_file: Path, tmp_path: Path
) -> None:
    options = ("--log-level", "warning", "--keep-alive", "2")
    hub, url = start_served_hub(sqlite_hub_file, tmp_path, *options)
    port = int(url.rsplit(":", 1)[1])
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /readyz HTTP/1.1\r\nhost: hub\r\n\r\n")  # (healthz: a close)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += conn.recv(65536)
            head, _, body = answer.partition(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            )
            while len(body) < length:
                body += conn.recv(65536)
            answered = time.monotonic()
            assert head.startswith(b"HTTP/1.1 200 ") and len(body) == length
            assert b"connection: close" not in head.lower()
            conn.settimeout(1.0)  # still open a second later (uvicorn's default would be too)
            with pytest.raises(TimeoutError):
                conn.recv(1)
            conn.settimeout(10.0)
            assert conn.recv(1) == b""  # then the hub closes it
            idle = time.monotonic() - answered
        assert 1.8 <= idle <= 6.0, idle  # --keep-alive 2: closed by the hub after ~2 s idle
    finally:
        hub.terminate()
        hub.wait(timeout=30)
        if hub.stderr:
            hub.stderr.close()


@pytest.mark.parametrize(
    ("workers", "most", "told"),
    [("2", "3", [2, 3, 3, 3, 3]), ("2", "1", [1, 1, 1, 1, 1]), ("1", "3", [2, 3, 3, 3, 3])],
)
def test_a_served_hub_s_door_tells_a_sustained_shed_to_wait_longer(
    sqlite_hub_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: str,
    most: str,
    told: list[int],
) -> None:
    """A served hub's Retry-After grows with a sustained shed up to CLERK_HUB_RETRY_AFTER_MAX
    (1: always 1 s) — in one process and in each of several — and the terminal's client hands
    it to its scheduler as the wait's floor."""
    monkeypatch.setenv("CLERK_HUB_MAX_INFLIGHT", "0")  # all but /healthz shed: 1 s more each
    monkeypatch.setenv("CLERK_HUB_RETRY_AFTER_MAX", most)
    options = ("--log-level", "warning", "--workers", workers)
    hub, url = start_served_hub(sqlite_hub_file, tmp_path, *options)
    client = HubClient(url, "no-token")  # shed before the token is read
    try:
        seen = []
        for _ in range(len(told)):  # one kept-alive connection: one worker's door
            with pytest.raises(RetryableHubError) as caught:
                client.changes(0)
            assert caught.value.status == 503 and caught.value.hub_reason == "busy"
            seen.append(caught.value.retry_after)
        assert seen == told
    finally:
        client.close()
        hub.terminate()
        hub.wait(timeout=30)
        if hub.stderr:
            hub.stderr.close()
