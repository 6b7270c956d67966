"""Long-poll of the changes feed: waiting terminals parked on the event loop, not on threads.

One :class:`ChangeNotifier` per hub process knows the newest change seq of every store (and of
the rows for every store) as far as it has looked. A request with ``wait`` that finds nothing
new registers a future for its store and awaits it; the notifier wakes the store's waiters when
a newer seq shows up. It looks — one query for all waiters of the process, ``SELECT store_id,
max(seq) … WHERE seq > last GROUP BY store_id`` on a thread of its own — at once after a write
commits in this process (:meth:`HubStore.on_commit`), and every ``poll_s`` while anyone waits
(writes of the other hub processes). With no waiter it does not poll at all: its task ends
when the last waiter leaves and starts again with the next.

Seqs commit in order (see :mod:`sync.hub.store`), so looking for ``seq > last`` misses none.

When the process is told to stop, :meth:`ChangeNotifier.close` answers every parked request at
once (its empty page) and parks no more: a graceful shutdown waits for the requests in flight,
and a long-poll left waiting holds it up to its whole wait (20 s from a terminal).
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sync.hub.store import HubStore

POLL_S = 0.25  # how stale another process's write may be for a waiter of this one


class ChangeNotifier:
    """Per process (and event loop): see the module's docstring."""

    def __init__(self, store: HubStore, *, poll_s: float = POLL_S) -> None:
        self.store = store
        self.poll_s = poll_s
        self.polls = 0
        self._heads: dict[str | None, int] = {}
        self._last = 0
        self._waiters: dict[str, set[asyncio.Future[None]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kick: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-notifier")
        self._starting: asyncio.Lock | None = None
        self.closed = False

    @property
    def waiting(self) -> int:
        return sum(len(w) for w in self._waiters.values())

    async def start(self) -> None:
        """Learn the newest seq and start looking (once; before the first page is read, so
        nothing committed after that page can go unnoticed)."""
        if self._loop is not None:
            return
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self._loop is not None:
                return
            loop = asyncio.get_running_loop()
            self._last = await loop.run_in_executor(self._pool, self._newest)
            self._loop = loop
            self._kick = asyncio.Event()
            self.store.on_commit(self._committed)

    async def newest(self) -> int:
        """The newest seq in the database now (any store)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._newest)

    def head(self, store_id: str) -> int:
        """The newest seq seen for the store's feed (its own rows and the common ones)."""
        return max(self._heads.get(store_id, 0), self._heads.get(None, 0))

    async def wait(self, store_id: str, after: int, timeout: float) -> int | None:
        """The store's head as soon as it is past ``after`` (maybe at once); None after
        ``timeout`` seconds without that, or at once after :meth:`close` (the process stops).
        (A change row seen may be gone by the time the page is read — moved to another store
        —: wait again past the head returned.)"""
        if self.head(store_id) > after:
            return self.head(store_id)
        if self.closed:
            return None
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        waiters = self._waiters.setdefault(store_id, set())
        waiters.add(fut)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())
        try:
            await asyncio.wait_for(fut, timeout)
            return None if self.closed else self.head(store_id)
        except TimeoutError:
            return None
        finally:
            waiters.discard(fut)
            if not waiters:
                self._waiters.pop(store_id, None)

    def close(self) -> None:
        """The process is stopping (on its event loop): every waiter returns now, with
        nothing new, and no request waits from here on."""
        self.closed = True
        for futs in list(self._waiters.values()):
            for fut in futs:
                if not fut.done():
                    fut.set_result(None)

    def _committed(self) -> None:
        """A write committed in this process (any thread): look now."""
        loop, kick = self._loop, self._kick
        if loop is not None and kick is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(kick.set)

    async def _run(self) -> None:
        assert self._kick is not None and self._loop is not None
        kick, loop = self._kick, self._loop
        while self._waiters:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(kick.wait(), self.poll_s)
            kick.clear()
            if not self._waiters:
                return
            try:
                rows = await loop.run_in_executor(self._pool, self._poll, self._last)
            except Exception:  # the database is away: the waiters time out, polls go on
                await asyncio.sleep(self.poll_s)
                continue
            self.polls += 1
            for store_id, seq in rows:
                self._heads[store_id] = max(self._heads.get(store_id, 0), seq)
                self._last = max(self._last, seq)
                woken = (
                    self._waiters.values()
                    if store_id is None
                    else [self._waiters.get(store_id, set())]
                )
                for futs in list(woken):
                    for fut in futs:
                        if not fut.done():
                            fut.set_result(None)

    def _newest(self) -> int:
        with self.store.read() as conn:
            return int(conn.scalar("SELECT coalesce(max(seq), 0) FROM changes"))

    def _poll(self, last: int) -> list[tuple[str | None, int]]:
        with self.store.read() as conn:
            return [
                (None if r[0] is None else str(r[0]), int(r[1]))
                for r in conn.rows(
                    "SELECT store_id, max(seq) FROM changes WHERE seq > ? GROUP BY store_id",
                    (last,),
                )
            ]
