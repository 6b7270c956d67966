"""bench/loadgen.py's terminals and bench/hub_load.py's integrity checks: a page read without
decoding its rows keeps the same schedule, and a row the hub drops from a sampled terminal's
feed — or an id it loses or doubles — is counted."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import random
import time
from typing import Any

import httpx
import pytest

from bench import loadgen
from bench.hub_load import feed_missing, id_counts, returned, shed_parts
from bench.loadgen import (
    ROUND_EVERY_S,
    Stats,
    Terminal,
    back,
    offline_wait,
    page_tail,
    pull,
)
from sync.backoff import Backoff
from sync.protocol import RECONNECT_MAX_S
from sync.scheduler import PROBE_BASE_S, PROBE_CAP_S, RECONNECT_SPREAD_S, reconnect_delay


def page(rows: list[dict[str, Any]], next_cursor: int, has_more: bool, remaining: int = 0) -> bytes:
    """A page laid out as the hub writes it (sync/hub/feed.py): the rows, then the cursor."""
    parts = ",".join(json.dumps(r, separators=(",", ":")) for r in rows)
    return (
        f'{{"changes":[{parts}],"next_cursor":{next_cursor},'
        f'"has_more":{"true" if has_more else "false"},"remaining":{remaining}}}'
    ).encode()


def visit(seq: int, key: str, text: str = "walk-in") -> dict[str, Any]:
    return {"seq": seq, "entity": "visit", "key": key, "op": "upsert", "data": {"text": text}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (page([visit(1, "a")], 1, False), (1, False)),
        (page([visit(7, "a"), visit(9, "b")], 9, True, 40), (9, True)),
        (page([], 12, False), (12, False)),
        # a row's text that looks like the end of a page (a string holds its quotes escaped)
        (page([visit(3, "a", '"next_cursor":99,"has_more":true}')], 3, False), (3, False)),
        # a row with members of those names: more rows follow it, so it is not the page's end
        (
            page([{"next_cursor": 99, "has_more": True}, visit(5, "b")], 5, False),
            (5, False),
        ),
        # another layout: decoded in full
        (b'{"next_cursor": 4, "has_more": true, "changes": []}', (4, True)),
        (page([], 6, True).replace(b',"remaining":0', b""), (6, True)),
    ],
)
def test_page_tail_reads_the_cursor_as_json_would(body: bytes, expected: tuple[int, bool]) -> None:
    assert page_tail(body) == expected
    doc = json.loads(body)
    assert (doc["next_cursor"], doc["has_more"]) == expected


FEED = [visit(seq, f"v{seq}") for seq in range(1, 26)]


def feed_handler(rows: list[dict[str, Any]], limit: int = 10) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        since = int(request.url.params["since"])
        after = [r for r in rows if r["seq"] > since]
        chunk = after[:limit]
        cursor = chunk[-1]["seq"] if chunk else since
        return httpx.Response(200, content=page(chunk, cursor, len(after) > limit))

    return httpx.MockTransport(handle)


def pulled(t: Terminal, rows: list[dict[str, Any]]) -> Stats:
    async def go() -> Stats:
        stats = Stats()
        async with httpx.AsyncClient(base_url="http://hub.test", transport=feed_handler(rows)) as c:
            assert await pull(c, t, stats)
        return stats

    return asyncio.run(go())


def terminal(*, sampled: bool) -> Terminal:
    return Terminal("S001", "token", ["M1"], "A1", 0, sampled=sampled, decode=sampled)


def test_a_terminal_not_sampled_follows_the_pages_without_their_rows() -> None:
    full, light = terminal(sampled=True), terminal(sampled=False)
    s_full, s_light = pulled(full, FEED), pulled(light, FEED)
    assert full.cursor == light.cursor == 25
    assert s_full.sent == s_light.sent == 3  # the same pages asked for
    assert len(full.seen) == 25 and not light.seen


def test_a_row_dropped_from_a_sampled_feed_is_counted() -> None:
    want = [r["key"] for r in FEED]
    complete = terminal(sampled=True)
    pulled(complete, FEED)
    assert feed_missing(want, complete.seen) == 0

    dropped = terminal(sampled=True)
    pulled(dropped, [r for r in FEED if r["seq"] != 13])  # the hub leaves one row out
    assert dropped.cursor == 25
    assert feed_missing(want, dropped.seen) == 1

    deleted = terminal(sampled=True)
    pulled(deleted, [*FEED, {**visit(26, "v13"), "op": "delete"}])
    assert feed_missing(want, deleted.seen) == 1  # its last word on the visit is not an upsert


def test_lost_doubled_and_unacked_ids_are_counted() -> None:
    pushed = {"a", "b", "c", "d"}
    assert id_counts(pushed, {"a": 1, "b": 1, "c": 1, "d": 1}, pushed) == {
        "pushed": 4,
        "lost": 0,
        "doubled": 0,
        "unacked": 0,
        "unacked_at_hub": 0,
    }
    assert id_counts(pushed, {"a": 1, "b": 2, "d": 1}, {"a", "b"}) == {
        "pushed": 4,
        "lost": 1,
        "doubled": 1,
        "unacked": 2,
        "unacked_at_hub": 1,  # d: the hub holds it, the terminal never had its answer
    }


def failed_pull(t: Terminal, handle: Any) -> None:
    async def go() -> None:
        transport = httpx.MockTransport(handle)
        async with httpx.AsyncClient(base_url="http://hub.test", transport=transport) as c:
            assert not await pull(c, t, Stats())

    asyncio.run(go())


def test_a_failed_request_is_noted_as_the_terminal_s_scheduler_would() -> None:
    """A 503's Retry-After is kept for the run backoff; no answer at all sends the terminal to
    its offline probe (sync.scheduler) instead — never a Retry-After the hub did not send."""
    t = terminal(sampled=False)
    failed_pull(t, lambda r: httpx.Response(503, headers={"Retry-After": "2"}))
    assert (t.failures, t.offline, t.retry_after) == (1, 0, 2.0)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    failed_pull(t, refused)
    assert (t.failures, t.offline, t.retry_after) == (2, 1, None)
    failed_pull(t, refused)
    assert (t.failures, t.offline) == (3, 2)
    failed_pull(t, lambda r: httpx.Response(500))
    assert (t.failures, t.offline, t.retry_after) == (4, 0, None)


def test_offline_the_terminal_probes_then_runs_its_round_in_the_hub_s_window() -> None:
    """As sync.scheduler.Scheduler: no answer sends the terminal offline; a lane come due
    probes the hub (GET /healthz) when the probe is due — one probe schedule for both lanes, at
    the probe's backoff — and once a probe answers, the round (both lanes) runs within the
    window the answer asks (``reconnect_s``; RECONNECT_SPREAD_S when it says
    nothing) — not at once, as every terminal of a restarted hub did."""
    t = terminal(sampled=False)
    asked: list[str] = []
    up = False
    window: float | None = None  # what the hub's answer asks

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if not up:
            raise httpx.ConnectError("refused", request=request)
        body: dict[str, Any] = {"status": "ok"}
        if window is not None:
            body["reconnect_s"] = window
        return httpx.Response(200, json=body)

    def wait() -> float | None:
        async def go() -> float | None:
            transport = httpx.MockTransport(handle)
            async with httpx.AsyncClient(base_url="http://hub.test", transport=transport) as c:
                return await offline_wait(c, t, Stats(), rng, probe_backoff)

        return asyncio.run(go())

    rng = random.Random(3)
    probe_backoff = Backoff(base=PROBE_BASE_S, cap=PROBE_CAP_S, rng=rng)
    assert wait() is None and asked == []  # online: the lane goes, no probe
    failed_pull(t, handle)
    assert t.offline == 1 and asked == ["/v1/changes"]
    for n in (1, 2, 3, 4, 5):  # the hub still down: probe after probe, each further off
        t.next_probe_at = 0.0  # the probe is due
        took = wait()
        assert took is not None and 0 <= took <= min(PROBE_CAP_S, PROBE_BASE_S * 2 ** (n - 1))
        assert t.probes == n and t.offline == 1
        t.next_probe_at += 60.0  # the other lane comes due before the next probe: it waits
        other = wait()
        assert other is not None and other > 59.0 and t.probes == n and len(asked) == 1 + n
    assert asked[1:] == ["/healthz"] * 5
    up = True
    t.next_probe_at = 0.0
    back = wait()
    assert t.offline == 0 and t.probes == 0 and asked[-1] == "/healthz"
    assert back is not None and 0.1 < back <= RECONNECT_SPREAD_S  # a hub that does not say
    other = wait()  # the other lane waits for the round too: push and pull go together
    assert other is not None and 0 < other <= back and len(asked) == 7
    t.back_at = 0.0  # the round's time has come
    assert wait() is None  # online again: each lane goes when due
    # Terminals brought back by the same answer spread their rounds over the hub's window,
    # drawn as the scheduler draws them for the terminals' pace (a push and a pull every
    # ROUND_EVERY_S): denser early, thinning as the returned terminals' own load comes back.
    for hub_asks, bound in ((24.0, 24.0), (3600.0, RECONNECT_MAX_S)):
        window = hub_asks
        draws = []
        for seed in range(200):
            t.offline, t.next_probe_at, t.back_at, rng = 1, 0.0, 0.0, random.Random(seed)
            draws.append(wait() or 0.0)
        want = [
            reconnect_delay(bound, random.Random(seed).random(), ROUND_EVERY_S)
            for seed in range(200)
        ]
        assert draws == pytest.approx(want, abs=0.05)  # the loop's clock moved a little
        assert min(draws) < 0.1 * bound and max(draws) <= bound
        assert sorted(draws)[100] < 0.15 * bound  # the median: ~2.4 s of 24, not 12


def test_a_terminal_s_return_after_an_outage_is_noted_once() -> None:
    """The fleet's return after the restart (bench/hub_load.py's ``returned``): the first 200
    of a terminal whose request found no hub, once — not a 503's retry, not every 200."""

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    t, stats = terminal(sampled=False), Stats()
    failed_pull(t, lambda r: httpx.Response(503, headers={"Retry-After": "1"}))
    back(t, stats, 5.0)
    assert stats.returns == [] and t.failures == 0  # shed, not away
    failed_pull(t, refused)
    failed_pull(t, refused)
    assert t.away and t.offline == 2
    back(t, stats, 7.0)
    back(t, stats, 8.0)
    assert stats.returns == [7.0] and not t.away and t.offline == 0
    assert returned(stats, {"at": 6.0, "until": 6.5}) == {
        "returned": 1,
        "returned_p50_s": 0.5,
        "returned_p90_s": 0.5,
        "returned_max_s": 0.5,
    }
    assert returned(stats, {})["returned"] == 0  # no restart


def test_503s_are_told_apart_by_when_they_were_sent() -> None:
    stats = Stats()
    for at in (100.0, 104.9, 110.0, 115.0, 129.0):
        stats.timeline.append((at, "push", 503, 0.01))
    stats.timeline.append((101.0, "push", 200, 0.01))
    assert shed_parts(stats, 100.0, 115.0, 30.0) == {
        "shed_start": 2,
        "shed_restart": 2,
        "shed_other": 1,
    }
    assert shed_parts(stats, 100.0, 0.0, 30.0)["shed_restart"] == 0  # no restart


def test_after_the_load_a_terminal_delivers_what_it_holds_as_its_scheduler_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The drain after the load (``run_terminal`` with ``drain``): nothing new is recorded,
    and the batch a terminal still holds is retried as its outbox's scheduler retries it — at
    the backoff's jittered pace, never before the hub's Retry-After, for as long as it takes
    (within the bench's bound) — then a pull. The drain before gave every terminal 60 tries a
    second apart, all in step, Retry-After ignored: at twice the saturating load it gave up on
    batches a real terminal would still deliver (docs/benchmarks.md)."""
    monkeypatch.setattr(loadgen, "PUSH_EVERY_S", (0.001, 0.002))
    monkeypatch.setattr(loadgen, "PULL_EVERY_S", (0.001, 0.002))
    monkeypatch.setattr(loadgen, "Backoff", functools.partial(Backoff, base=0.001, cap=0.01))
    shed = 80  # more than the old drain's 60 tries
    pushes: list[float] = []
    pulls: list[int] = []  # the pushes made before each pull

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/interactions":
            pushes.append(time.monotonic())
            if len(pushes) <= shed or always_busy:
                return httpx.Response(503, headers={"Retry-After": "0.005"})
            items = json.loads(request.content)["interactions"]
            results = [{"id": i["id"], "status": "accepted"} for i in items]
            return httpx.Response(200, json={"results": results})
        pulls.append(len(pushes))
        return httpx.Response(200, content=page([], 0, False))

    def run(t: Terminal, drain_s: float) -> Stats:
        async def go() -> Stats:
            after = Stats()
            transport = httpx.MockTransport(handle)
            async with httpx.AsyncClient(base_url="http://hub.test", transport=transport) as c:
                end = asyncio.get_running_loop().time() + 0.02
                await loadgen.run_terminal(c, t, Stats(), end, 1, after, drain_s)
            return after

        return asyncio.run(go())

    always_busy = False
    t = terminal(sampled=False)
    after = run(t, 30.0)
    assert len(pushes) == shed + 1 and t.pushed and t.acked == t.pushed and not t.pending
    assert t.drained is not None and after.statuses["push:200"] == 1
    assert min(b - a for a, b in itertools.pairwise(pushes)) >= 0.0049  # its Retry-After
    assert pulls[-1] == shed + 1  # the round's pull after its push

    always_busy, pushes[:] = True, []  # a hub that never takes it: the bench's bound ends it
    t = terminal(sampled=False)
    run(t, 0.2)
    assert t.drained is None and t.pending and not t.acked and len(pushes) > 5


def test_a_503_holds_the_terminal_s_other_lane_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal shed waits out its backoff before anything else (sync.scheduler: the next
    round — push and pull — waits it out): the pull lane does not go on asking while the push
    waits for its Retry-After, nor the push while the pull does."""
    monkeypatch.setattr(loadgen, "PUSH_EVERY_S", (0.001, 0.002))
    monkeypatch.setattr(loadgen, "PULL_EVERY_S", (0.001, 0.002))
    monkeypatch.setattr(loadgen, "Backoff", functools.partial(Backoff, base=0.001, cap=0.2))
    asked: list[tuple[float, str, int]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        shed = sum(1 for _, p, s in asked if s == 503) < 2 and len(asked) in (3, 9)
        status = 503 if shed else 200
        asked.append((time.monotonic(), path, status))
        if status == 503:
            return httpx.Response(503, headers={"Retry-After": "0.05"})
        if path == "/v1/interactions":
            items = json.loads(request.content)["interactions"]
            return httpx.Response(
                200, json={"results": [{"id": i["id"], "status": "accepted"} for i in items]}
            )
        return httpx.Response(200, content=page([], 0, False))

    async def go() -> None:
        transport = httpx.MockTransport(handle)
        async with httpx.AsyncClient(base_url="http://hub.test", transport=transport) as c:
            end = asyncio.get_running_loop().time() + 0.3
            await loadgen.run_terminal(c, terminal(sampled=False), Stats(), end, 1)

    asyncio.run(go())
    shed_at = [at for at, _, s in asked if s == 503]
    assert len(shed_at) == 2 and {p for _, p, _ in asked} == {"/v1/interactions", "/v1/changes"}
    for at in shed_at:
        after = [b for b, _, _ in asked if b > at]
        assert after and after[0] - at >= 0.0499  # nothing, on either lane, before Retry-After
