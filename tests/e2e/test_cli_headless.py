"""The headless path store IT and automation script, run as real subprocesses.

`clerk hub serve` runs as its own process on a free loopback port; every other step is the
`clerk` console script with CLERK_HOME pointing at a fresh directory — exactly the sequence in
the README.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLERK = [sys.executable, "-m", "clerk.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Clerk:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {**os.environ, "CLERK_HOME": str(home), "PYTHONUNBUFFERED": "1"}

    def run(self, *args: str, ok: bool = True, stdin: str = "") -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [*CLERK, *args],
            cwd=self.home,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if ok:
            assert proc.returncode == 0, f"clerk {' '.join(args)}: {proc.stderr}"
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Clerk, str]]:
    clerk = Clerk(tmp_path)
    clerk.run("hub", "seed", "--db", "hub.db", "--members", "300", "--seed", "1")
    port = _free_port()
    server = subprocess.Popen(
        [*CLERK, "hub", "serve", "--db", "hub.db", "--port", str(port)],
        cwd=tmp_path,
        env=clerk.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (
                f"hub exited: {server.stderr.read() if server.stderr else ''}"
            )
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "hub did not become healthy"
            time.sleep(0.1)  # polling a subprocess's port: there is no event to wait on
        yield clerk, url
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        if server.stderr:
            server.stderr.close()


def test_headless_script(served: tuple[Clerk, str]) -> None:
    clerk, url = served
    code = clerk.run("hub", "enrol-code", "--db", "hub.db", "--store", "S001").stdout.strip()
    assert code
    clerk.run("enroll", "--hub", url, "--store", "S001", "--code", code)
    # A one-time code cannot enrol a second time.
    again = clerk.run("enroll", "--hub", url, "--store", "S001", "--code", code, ok=False)
    assert again.returncode != 0 and again.stderr.startswith("clerk: ")

    clerk.run("sync", "--once")

    members = [
        json.loads(line)
        for line in clerk.run(
            "hub", "export", "members", "--db", "hub.db", "--format", "jsonl"
        ).stdout.splitlines()
    ]
    assert len(members) == 300
    mine = next(m for m in members if m["store"] == "S001")
    assert {"id", "card_no", "name", "store"} <= set(mine)

    mc = clerk.run("hub", "member-code", "--db", "hub.db", mine["id"]).stdout.strip()
    # Reading a customer and recording need a signed-in staff member, as in the app: the
    # associate's PIN from the environment (or --pin-stdin), never as an argument.
    clerk.env["CLERK_PIN"] = "1234"
    as_a01 = ("--staff", "A01")
    view = json.loads(clerk.run("lookup", mc, "--json", *as_a01).stdout)
    assert view["profile"]["member_id"] == mine["id"]
    assert view["profile"]["name"] == mine["name"]
    by_card = json.loads(clerk.run("lookup", mine["card_no"], "--json", *as_a01).stdout)
    assert by_card["profile"]["member_id"] == mine["id"]
    anonymous = clerk.run("lookup", mine["card_no"], "--json", ok=False)
    assert anonymous.returncode == 2 and json.loads(anonymous.stdout)["reason"] == "usage"
    assert "--staff" in json.loads(anonymous.stdout)["error"]

    bad = clerk.run("lookup", "not a member", "--json", *as_a01, ok=False)
    assert bad.returncode == 2
    assert set(json.loads(bad.stdout)) >= {"error", "reason"}

    clerk.run("record", "visit", "--member", mine["id"], *as_a01)
    sku = view["browsing"][0]["product"]["sku"]
    clerk.run("record", "sale", "--member", mine["id"], "--sku", sku, "--amount", "99.50", *as_a01)
    unknown = clerk.run(
        "record",
        "sale",
        "--member",
        mine["id"],
        "--sku",
        "NOPE",
        "--amount",
        "1",
        *as_a01,
        ok=False,
    )
    assert unknown.returncode == 2 and "unknown product" in unknown.stderr
    nobody = clerk.run("record", "visit", "--member", mine["id"], ok=False)
    assert nobody.returncode == 2 and "--staff" in nobody.stderr
    status = json.loads(clerk.run("status", "--json").stdout)
    assert status["pending"] == 2
    assert status["cursor"] > 0

    clerk.run("sync", "--once")
    status = json.loads(clerk.run("status", "--json").stdout)
    assert status["pending"] == 0 and status["last_error"] is None

    exported = [
        json.loads(line)
        for line in clerk.run(
            "hub", "export", "interactions", "--db", "hub.db", "--format", "jsonl"
        ).stdout.splitlines()
    ]
    visits = [i for i in exported if i["member_id"] == mine["id"] and i["kind"] == "visit"]
    assert len(visits) == 1
    sales = [i for i in exported if i["member_id"] == mine["id"] and i["kind"] == "sale"]
    assert [(s["status"], s["payload"]["amount_cents"]) for s in sales] == [("accepted", 9950)]

    # Settings are a manager's: the associate is refused, the manager's PIN from stdin works.
    refused = clerk.run("config", "set", "hub_url", "https://hub.example:8443", *as_a01, ok=False)
    assert refused.returncode == 2 and "managers only" in refused.stderr
    del clerk.env["CLERK_PIN"]
    as_m01 = ("--staff", "M01", "--pin-stdin")
    clerk.run("config", "set", "hub_url", "https://hub.example:8443", *as_m01, stdin="246810\n")
    assert clerk.run("config", "get", "hub_url").stdout.strip() == "https://hub.example:8443"
    bad_cfg = clerk.run(
        "config", "set", "hub_url", "not a url", *as_m01, stdin="246810\n", ok=False
    )
    assert bad_cfg.returncode == 2 and "hub_url" in bad_cfg.stderr
    plain = clerk.run(
        "config", "set", "hub_url", "http://hub.example:8080", *as_m01, stdin="246810\n", ok=False
    )
    assert plain.returncode == 2 and "https" in plain.stderr
