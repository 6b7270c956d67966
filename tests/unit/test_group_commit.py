"""GroupCommit (sync/hub/commits.py) with a stand-in store: every caller is answered."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sync.hub.commits import GroupCommit, _Entry


class _Store:
    """run_write as HubStore's: the function on a transaction (none here), after a pause
    of up to ``pause`` seconds (a commit's time, so leaders overlap)."""

    def __init__(self, pause: float = 0.0, seed: int = 7) -> None:
        self.pause = pause
        self.rng = random.Random(seed)
        self.stop = threading.Event()  # never set: a wait that is only a pause

    def run_write(self, fn: Callable[[Any], Sequence[int]]) -> Sequence[int]:
        if self.pause:
            self.stop.wait(self.rng.random() * self.pause)
        return fn(None)


def _committer(store: _Store) -> GroupCommit[int, int]:
    return GroupCommit(
        store,  # type: ignore[arg-type]
        lambda _tx, jobs: [job * 10 for job in jobs],
        max_leaders=2,
        max_weight=2,
    )


def test_a_caller_handed_the_lead_after_its_job_was_written_is_still_answered() -> None:
    # The state its thread finds when it wakes: handed the lead by one leader, and its job
    # already written in another leader's group. It leads (a job is queued), then waits for
    # its wake-up: that must come, as nobody else will set it again.
    committer = _committer(_Store())
    mine: _Entry[int, int] = _Entry(1, 1)
    other: _Entry[int, int] = _Entry(2, 1)
    mine.finished, mine.result = True, 10
    committer._queue = [other]
    committer._leaders = 1  # the lead it was handed
    committer._lead(mine)
    assert other.finished and other.result == 20
    assert committer._leaders == 0
    assert mine.wake.is_set(), "its thread would wait for ever"


def test_many_callers_two_leaders_every_submit_returns_its_result() -> None:
    committer = _committer(_Store(pause=0.0005))
    results: dict[int, list[int]] = {}
    n = 1500

    def caller(k: int) -> None:
        results[k] = [committer.submit(k * n + i) for i in range(n)]

    threads = [threading.Thread(target=caller, args=(k,), daemon=True) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)  # a bound for a hang, not a timing: done in a few seconds
    assert sorted(results) == list(range(8)), "a caller never got its answer"
    for k, got in results.items():
        assert got == [(k * n + i) * 10 for i in range(n)]
    assert committer._leaders == 0 and not committer._queue
    assert committer.jobs == 8 * n
