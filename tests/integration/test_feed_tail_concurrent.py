"""The feed tails under concurrent writes and pulls: terminals of a store pulling through two
hub "processes" (two stores, each with its own tails) while visits and other changes commit
from other threads must each end with every visit of their store, as an upsert — a tail may
never skip a row or render a visit that exists as gone, whatever the interleaving."""

from __future__ import annotations

import json
import random
import threading
import time

from hub_client import feed_head

from clerk.ids import uuid7_str
from sync.hub import history
from sync.hub.embedded import HubHandle
from sync.hub.feed_tail import StoreTails
from sync.hub.store import HubStore

STORES = ("S001", "S002")
WRITE_S = 4.0


def _visit(store: HubStore, member: str, store_id: str) -> str:
    iid = uuid7_str()
    with store.write() as tx:
        row = (iid, member, store_id, "Store", None, None, "visit", "walk-in", "{}", 1_700_000_000)
        tx.conn.execute(history.INSERT_VISIT, row)
        tx.emit("visit", iid, "upsert", store_id)
    return iid


def test_terminals_pulling_while_writes_commit_miss_no_visit(any_hub: HubHandle) -> None:
    a = any_hub.store
    b = HubStore.open(a.db)
    errors: list[BaseException] = []
    try:
        for proc in (a, b):
            proc.feed.tails = StoreTails(proc.feed, max_entries=256)  # its base moves often
        members = {s: a.members.ids(s, limit=40) for s in STORES}
        heads = {s: feed_head(a, s) for s in STORES}
        written: dict[str, list[str]] = {s: [] for s in STORES}
        stop = threading.Event()

        def writer(proc: HubStore, seed: int) -> None:
            rng = random.Random(seed)
            try:
                while not stop.is_set():
                    store_id = rng.choice(STORES)
                    if rng.random() < 0.9:
                        for _ in range(rng.randint(1, 5)):
                            iid = _visit(proc, rng.choice(members[store_id]), store_id)
                            written[store_id].append(iid)
                    else:  # another entity's change: the tail re-reads its other entries
                        member = rng.choice(members[store_id])
                        with proc.write() as tx:
                            tx.conn.execute(
                                "UPDATE members SET points = points + 1 WHERE id = ?", (member,)
                            )
                            tx.emit("member", member, "upsert", store_id)
            except BaseException as e:
                errors.append(e)

        terminals = [{"store": s, "cursor": heads[s], "seen": {}} for s in STORES for _ in range(6)]

        def pull(t: dict, rng: random.Random, limit: int) -> bool:
            doc = json.loads(rng.choice((a, b)).feed.changes_json(t["store"], t["cursor"], limit))
            for c in doc["changes"]:
                t["seen"][(c["entity"], c["key"])] = c["op"]
            assert doc["next_cursor"] >= t["cursor"]
            t["cursor"] = doc["next_cursor"]
            return not doc["has_more"]

        def reader(mine: list[dict], seed: int) -> None:
            rng = random.Random(seed)
            try:
                while not stop.is_set():
                    t = rng.choice(mine)
                    if rng.random() < 0.2:
                        time.sleep(0.02)  # a terminal falling behind
                    pull(t, rng, rng.choice((1000, 7, 3)))
            except BaseException as e:
                errors.append(e)

        threads = [
            threading.Thread(target=writer, args=(a, 1)),
            threading.Thread(target=writer, args=(b, 2)),
            *(threading.Thread(target=reader, args=(terminals[i::3], 10 + i)) for i in range(3)),
        ]
        for th in threads:
            th.start()
        time.sleep(WRITE_S)
        stop.set()
        for th in threads:
            th.join(timeout=60)
        assert not errors, errors[0]
        rng = random.Random(99)
        for t in terminals:  # caught up, after the writes
            while not pull(t, rng, 1000):
                pass
        hits = a.feed.tails.hits + b.feed.tails.hits
        for t in terminals:
            visits = written[t["store"]]
            missing = [k for k in visits if t["seen"].get(("visit", k)) != "upsert"]
            assert not missing, (t["store"], len(missing), len(visits), missing[:3])
        assert sum(len(v) for v in written.values()) > 50
        assert hits > 50, hits
    finally:
        b.close()
