"""Group commit: batches that arrive while the writer is busy are written together.

A caller hands its job to :meth:`GroupCommit.submit` and waits. The first caller to find no
one committing becomes the leader: it takes every queued job (up to ``max_weight``) and
writes them in one transaction through ``apply(tx, jobs)`` — one result per job, in order,
each job as if alone — then wakes their callers. Jobs that queued meanwhile form the next
group; a leader whose own job is done hands the lead to the first waiting caller. A group
whose transaction fails is written again job by job, so one bad job fails alone (its caller
gets its exception) and the others are answered as if the group had not been tried — unless
the failure is the hub's, not a job's (:class:`~sync.hub.errors.BusyError`: no writer free in
time, shutting down, a race still lost after its retries): then every job of the group gets it
at once (503, retried by the terminal), none waits for a writer again alone. Callers
are woken only after their job's transaction committed: what was answered is on disk.

One transaction (one disk flush on SQLite's WAL) per group instead of per job is what makes it
pay; ``max_leaders`` groups of a process are written side by side (PostgreSQL's writers).
Used by the interaction ingest (:mod:`sync.hub.ingest`) and the Segment intake
(:mod:`sync.hub.segment.intake`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from sync.hub.errors import BusyError

if TYPE_CHECKING:
    from sync.hub.store import HubStore, Tx

J = TypeVar("J")
R = TypeVar("R")


@dataclass(eq=False)
class _Entry(Generic[J, R]):
    """A job waiting for its group's commit."""

    job: J
    weight: int
    wake: threading.Event = field(default_factory=threading.Event)  # finished, or asked to lead
    finished: bool = False  # (these two under the committer's lock)
    lead: bool = False  # asked to commit the next groups
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[J, R]):
    """Jobs into ``store`` through ``apply``, grouped (see the module docstring).

    ``max_weight``: a group's total ``weight(job)`` at most (a single job may exceed it: it
    is a group alone); None: every queued job. ``groups`` and ``jobs`` count what was
    committed (for benchmarks and tests)."""

    def __init__(
        self,
        store: HubStore,
        apply: Callable[[Tx, Sequence[J]], Sequence[R]],
        *,
        max_leaders: int = 1,
        max_weight: int | None = None,
        weight: Callable[[J], int] = lambda _job: 1,
    ) -> None:
        self.store = store
        self._apply = apply
        self._max_leaders = max_leaders
        self._max_weight = max_weight
        self._weight = weight
        self._queue: list[_Entry[J, R]] = []
        self._lock = threading.Lock()
        self._leaders = 0  # callers committing groups now (under _lock)
        self.groups = 0
        self.jobs = 0

    def queued(self) -> int:
        """Jobs waiting for a group (not yet taken by a leader)."""
        with self._lock:
            return len(self._queue)

    def leaders(self) -> int:
        """Callers committing groups now."""
        with self._lock:
            return self._leaders

    def submit(self, job: J) -> R:
        """Queue ``job``; return its result once its transaction committed (or raise its
        error): committed by this thread, leading, or by another."""
        entry: _Entry[J, R] = _Entry(job, self._weight(job))
        with self._lock:
            self._queue.append(entry)
            leading = self._leaders < self._max_leaders
            self._leaders += leading
        while True:
            if leading:
                self._lead(entry)
            entry.wake.wait()
            with self._lock:
                entry.wake.clear()
                leading, entry.lead = entry.lead, False
                if entry.finished and not leading:
                    break
        if entry.error is not None:
            raise entry.error
        return cast("R", entry.result)  # set with finished, when no error

    def write_group(self, jobs: Sequence[J]) -> list[R | BaseException]:
        """Write ``jobs`` as one group now, on this thread, past the queue (tests, tools): each
        job's result or error, in order."""
        group: list[_Entry[J, R]] = [_Entry(job, self._weight(job)) for job in jobs]
        self._commit(group)
        return [e.error if e.error is not None else cast("R", e.result) for e in group]

    def _lead(self, entry: _Entry[J, R]) -> None:
        """Commit queued groups until ``entry`` is done or the queue is empty; then hand the
        place on (to the first waiting job not asked yet) or give it up."""
        while True:
            with self._lock:
                group = self._next_group()
                if not group:
                    self._leaders -= 1
                    entry.wake.set()  # (finished or not: its thread looks again)
                    return
            self._commit(group)
            with self._lock:
                if not entry.finished:
                    continue
                heir = next((e for e in self._queue if not e.lead), None)
                if heir is None:
                    self._leaders -= 1
                else:
                    heir.lead = True
                    heir.wake.set()
                # Its thread waits on wake next: the finish may have set it before that thread
                # cleared it (when it took the lead it was handed), so set it again here.
                entry.wake.set()
                return

    def _next_group(self) -> list[_Entry[J, R]]:
        """The queued jobs the next transaction takes (under the lock)."""
        if self._max_weight is None:
            group, self._queue = self._queue, []
            return group
        n, weight = 0, 0
        while n < len(self._queue) and (
            n == 0 or weight + self._queue[n].weight <= self._max_weight
        ):
            weight += self._queue[n].weight
            n += 1
        group, self._queue = self._queue[:n], self._queue[n:]
        return group

    def _commit(self, group: list[_Entry[J, R]]) -> None:
        jobs = [e.job for e in group]
        try:
            results = list(self.store.run_write(lambda tx: self._apply(tx, jobs)))
        except BusyError as exc:  # no writer, shutting down, raced: not one job's fault
            for e in group:
                e.error = exc
            results = []
        except Exception as exc:
            if len(group) > 1:  # written again one by one: the bad one fails alone
                for e in group:
                    self._commit([e])
                return
            results = []
            group[0].error = exc
        else:
            self.groups += 1
            self.jobs += len(group)
        for e, result in zip(group, results, strict=False):
            e.result = result
        with self._lock:
            for e in group:
                e.finished = True
                e.wake.set()
