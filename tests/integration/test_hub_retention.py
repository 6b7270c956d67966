"""The chain's policy for the browsing of members without browsing consent
(``consent.unconsented_browsing_days``, sync/hub/retention.py), with a fake clock: dropped at
intake at 0; kept at the hub only — never in a terminal's feed — for N days, purged after them;
released to the store's terminals by a consent given within them."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub import retention
from sync.hub.cli import add_hub_parser, run_hub
from sync.hub.embedded import HubHandle
from sync.hub.segment.intake import Intake
from sync.hub.store import HubStore

STORE = "S001"
DAY = 86_400
T = 1_893_456_000  # the fake clock: 2030-01-01 (unix s)


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="clerk")
    add_hub_parser(parser.add_subparsers(dest="command", required=True))
    return run_hub(parser.parse_args(["hub", *argv]))


def viewed(member: str, sku: str, at: int) -> dict[str, Any]:
    return {
        "type": "track",
        "messageId": str(uuid.uuid4()),
        "userId": member,
        "event": "Product Viewed",
        "properties": {"sku": sku},
        "timestamp": datetime.fromtimestamp(at, UTC).isoformat(),
    }


def unconsented(store: HubStore) -> str:
    with store.read() as conn:
        found = conn.scalar(
            "SELECT id FROM members WHERE home_store = ? AND consent_browsing = 0 ORDER BY id "
            "LIMIT 1",
            (STORE,),
        )
    assert found is not None
    return str(found)


def browsing(store: HubStore, member: str, sku: str) -> list[int]:
    with store.read() as conn:
        return [
            int(r[0])
            for r in conn.rows(
                "SELECT id FROM browse_events WHERE member_id = ? AND sku = ? ORDER BY id",
                (member, sku),
            )
        ]


def test_at_0_days_browsing_without_consent_is_dropped(hub_db: str) -> None:
    store = HubStore.open(hub_db)
    try:
        intake = Intake(store)
        source = intake.sources.add("shop")[0]
        m = unconsented(store)
        assert cli("setting", retention.BROWSING_DAYS, "--db", hub_db) == 0
        intake.take(source, [viewed(m, "SKU-POLICY", T - DAY)], received_ms=T * 1000)
        assert browsing(store, m, "SKU-POLICY") == []
        assert retention.purge(store, now=T + 365 * DAY) == 0  # nothing kept, nothing due
    finally:
        store.close()


class Terminal:
    def __init__(self, root: Path, hub: HubHandle) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.cache = cache_mod.open_cache(root / "cache.db")
        self.outbox = outbox_mod.open_outbox(root / "outbox.db")
        self.engine = SyncEngine(self.cache, self.outbox, HubClient(hub.url))
        self.engine.enroll(hub.url, STORE, hub.enrol_code(STORE), device_name=root.name)

    def browse(self, member: str) -> set[str]:
        self.engine.sync_once()
        rows = self.cache.execute("SELECT sku FROM browse_events WHERE member_id = ?", (member,))
        return {str(r[0]) for r in rows.fetchall()}

    def close(self) -> None:
        self.engine.client.close()
        self.cache.close()
        self.outbox.close()


@pytest.fixture
def term(any_hub: HubHandle, tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path / "till", any_hub)
    yield t
    t.close()


def test_kept_at_the_hub_only_purged_after_n_days_released_by_consent(
    any_hub: HubHandle, term: Terminal
) -> None:
    store = any_hub.store
    assert cli("setting", retention.BROWSING_DAYS, "7", "--db", store.db) == 0
    intake = Intake(store)
    source = intake.sources.add("shop")[0]
    m = unconsented(store)
    with store.read() as conn:
        seq = int(conn.scalar("SELECT max(seq) FROM changes"))
    result = intake.take(
        source,
        [viewed(m, "SKU-RECENT", T - DAY), viewed(m, "SKU-OLD", T - 3 * DAY)],
        received_ms=T * 1000,
    )
    assert result.accepted == 2
    recent, old = browsing(store, m, "SKU-RECENT"), browsing(store, m, "SKU-OLD")
    assert len(recent) == 1 and len(old) == 1  # kept at the hub …
    with store.read() as conn:
        logged = conn.rows("SELECT key FROM changes WHERE entity = 'browse' AND seq > ?", (seq,))
    assert logged == []  # … with no change row
    assert {"SKU-RECENT", "SKU-OLD"}.isdisjoint(term.browse(m))  # never on a terminal
    assert store.members.view(m)["browse"] == []

    retention.purge(store, now=T + 4 * DAY)
    assert browsing(store, m, "SKU-OLD") == old  # 7 days old: still within the policy
    assert retention.purge(store, now=T + 5 * DAY) >= 1
    assert browsing(store, m, "SKU-OLD") == []  # 8 days old: purged
    assert browsing(store, m, "SKU-RECENT") == recent  # 6 days old: kept

    identify = {
        "type": "identify",
        "messageId": str(uuid.uuid4()),
        "userId": m,
        "traits": {"consent_browsing": True},
    }
    intake.take(source, [identify], received_ms=(T + 5 * DAY) * 1000)
    assert "SKU-RECENT" in term.browse(m)  # released to the store's terminals
    assert "SKU-OLD" not in term.browse(m)
    retention.purge(store, now=T + 100 * DAY)  # consented now: the policy is not theirs
    assert browsing(store, m, "SKU-RECENT") == recent


def test_the_setting_is_checked_and_purge_runs_from_the_cli(
    hub_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("setting", "phone_hash_key", "--db", hub_db) == 2  # never a secret
    assert cli("setting", retention.BROWSING_DAYS, "seven", "--db", hub_db) == 2
    assert cli("setting", retention.BROWSING_DAYS, "30", "--db", hub_db) == 0
    assert f"{retention.BROWSING_DAYS} = 30" in capsys.readouterr().out
    assert cli("purge", "--db", hub_db) == 0
    assert "purged" in capsys.readouterr().out
