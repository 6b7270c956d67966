"""A hub told to stop (SIGTERM) with terminals connected stops within a couple of seconds:
its parked long-polls are answered at once (an empty page) and every connection is closed
after its answer, so uvicorn's graceful shutdown waits only for work in flight — it used to
wait its whole 10 s bound for a terminal's long-poll (20 s)."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from hub_client import start_served_hub

from sync.hub.store import HubStore


def test_a_stop_answers_the_long_polls_and_ends_within_seconds(
    sqlite_hub_file: Path, tmp_path: Path
) -> None:
    db = sqlite_hub_file
    store = HubStore.open(str(db))
    try:
        codes = [store.devices.create_enrol_code("S001") for _ in range(4)]
        with store.read() as conn:
            head = int(conn.scalar("SELECT max(seq) FROM changes"))
    finally:
        store.close()
    hub, url = start_served_hub(db, tmp_path, "--workers", "2", "--log-level", "warning")
    try:
        tokens = [
            httpx.post(
                url + "/v1/devices/enroll",
                json={"store_id": "S001", "code": code},
                timeout=30,
            ).json()["token"]
            for code in codes
        ]
        answers: list[Any] = []

        def long_poll(token: str) -> None:  # a terminal's live lane: one long-poll, 20 s
            try:
                answers.append(
                    httpx.get(
                        url + "/v1/changes",
                        params={"since": head, "wait": 20},
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=30,
                    )
                )
            except httpx.HTTPError as exc:
                answers.append(exc)

        polls = [threading.Thread(target=long_poll, args=(t,)) for t in tokens]
        for p in polls:
            p.start()
        parked = time.monotonic() + 1.0  # they reach the hub and park (nothing to answer)
        while time.monotonic() < parked:
            assert not answers, answers
            time.sleep(0.05)
        stopped = time.monotonic()
        hub.send_signal(signal.SIGTERM)
        hub.wait(30)
        took = time.monotonic() - stopped
        for p in polls:
            p.join(30)
    finally:
        if hub.poll() is None:
            hub.kill()
            hub.wait(10)
        if hub.stderr:
            hub.stderr.close()
    assert took < 5, f"the hub took {took:.1f} s to stop"  # was the 10 s graceful bound
    assert len(answers) == len(tokens)
    for answer in answers:  # answered, empty, the connection closed — not cut off
        assert isinstance(answer, httpx.Response), answer
        assert answer.status_code == 200 and answer.json()["changes"] == []
        assert answer.headers["connection"] == "close"
