"""The hub checks each device's audit chain as its rows arrive (sync/hub/audit.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from clerk.ids import uuid7_str
from clerk.shared.auditchain import GENESIS, row_hash
from sync.hub.embedded import HubHandle

T0 = 1_763_600_000


def _rows(n: int, *, start: int = 1, prev: str = GENESIS) -> list[dict[str, Any]]:
    """``n`` audit rows as a terminal uploads them, chained from ``prev``."""
    out = []
    for seq in range(start, start + n):
        rid, at, detail = uuid7_str(), T0 + seq, {"k": seq}
        digest = row_hash(prev, seq, rid, at, "A01", "signin", detail)
        out.append(
            {
                "id": rid,
                "kind": "audit",
                "member_id": None,
                "member_ref": None,
                "staff_id": "A01",
                "created_at": at,
                "device_seq": 0,
                "payload": {
                    "seq": seq,
                    "action": "signin",
                    "detail": detail,
                    "prev_hash": prev,
                    "hash": digest,
                },
            }
        )
        prev = digest
    return out


def _push(client: httpx.Client, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    resp = client.post("/v1/interactions", json={"interactions": items})
    assert resp.status_code == 200, resp.text
    results: list[dict[str, Any]] = resp.json()["results"]
    return results


def _head(client: httpx.Client) -> dict[str, Any]:
    resp = client.get("/v1/audit/head")
    assert resp.status_code == 200, resp.text
    head: dict[str, Any] = resp.json()
    return head


def test_a_chain_that_chains_is_accepted_and_acknowledged(hub: HubHandle) -> None:
    dev = hub.enrol()
    rows = _rows(3)
    with hub.client(dev["token"]) as client:
        assert _head(client) == {"seq": 0, "hash": GENESIS, "flags": 0}
        assert [r["reason"] for r in _push(client, rows)] == [None, None, None]
        assert _head(client) == {"seq": 3, "hash": rows[-1]["payload"]["hash"], "flags": 0}
        # A resend after a lost answer: the same answers, nothing flagged.
        assert [(r["status"], r["reason"]) for r in _push(client, rows)] == [("accepted", None)] * 3
        assert _head(client)["flags"] == 0


def test_a_row_that_does_not_match_its_hash_is_flagged(hub: HubHandle) -> None:
    dev = hub.enrol()
    rows = _rows(2)
    rows[1]["payload"]["detail"] = {"k": "edited before upload"}
    with hub.client(dev["token"]) as client:
        assert [r["reason"] for r in _push(client, rows)] == [None, "audit_row_edited"]
        more = _rows(1, start=3, prev=rows[1]["payload"]["hash"])
        assert [r["reason"] for r in _push(client, more)] == [None]  # flagged once, chains on
        assert _head(client)["flags"] == 1
    (flag,) = hub.store.audit.flags(device_id=dev["device_id"])
    assert (flag["problem"], flag["seq"], flag["store_id"]) == ("edited", 2, "S001")


def test_malformed_audit_rows_are_kept_and_flagged_not_refused(hub: HubHandle) -> None:
    dev = hub.enrol()
    (row,) = _rows(1)
    row["payload"] = {"seq": "one", "hash": "not a hash"}
    with hub.client(dev["token"]) as client:
        (answer,) = _push(client, [row])
        assert (answer["status"], answer["reason"]) == ("accepted", "audit_row_malformed")
        assert _head(client) == {"seq": 0, "hash": GENESIS, "flags": 1}


def test_a_terminal_enrolled_again_continues_its_chain_without_a_flag(hub: HubHandle) -> None:
    first, second = hub.enrol(), hub.enrol()
    rows = _rows(4)
    with hub.client(first["token"]) as client:
        _push(client, rows[:2])
    with hub.client(second["token"]) as client:
        assert [r["reason"] for r in _push(client, rows[2:])] == [None, None]
    assert hub.store.audit.flags(store_id="S001") == []
    # Another store's device starting mid-chain is a gap, though.
    other = hub.enrol("S002")
    with hub.client(other["token"]) as client:
        more = _rows(1, start=5, prev=rows[3]["payload"]["hash"])
        assert [r["reason"] for r in _push(client, more)] == ["audit_chain_gap"]


def test_an_acknowledged_row_sent_again_rewritten_is_flagged_once(hub: HubHandle) -> None:
    dev = hub.enrol()
    rows = _rows(2)
    with hub.client(dev["token"]) as client:
        _push(client, rows)
        forged = json.loads(json.dumps(rows[1]))
        forged["payload"]["detail"] = {"k": "changed"}
        for _ in range(2):
            (answer,) = _push(client, [forged])
            assert (answer["status"], answer["reason"]) == ("rejected", "id_reused")
    flags = hub.store.audit.flags(device_id=dev["device_id"])
    assert [(f["problem"], f["seq"]) for f in flags] == [("id_reused", 2)]


def test_hub_audit_flags_command(hub: HubHandle, tmp_path: Path) -> None:
    dev = hub.enrol()
    with hub.client(dev["token"]) as client:
        _push(client, _rows(1, start=3))  # rows 1 and 2 never arrived
    cmd = [sys.executable, "-m", "clerk.cli", "hub", "audit", "flags", "--db", hub.db]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60)
    assert f"S001\t{dev['device_id']}\tseq 3\tgap\trows 1..2 never arrived" in text.stdout
    assert "audit flags: 1" in text.stderr
    js = subprocess.run([*cmd, "--json", "--store", "S002"], capture_output=True, text=True)
    assert js.returncode == 0 and js.stdout == ""
