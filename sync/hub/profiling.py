"""CPU profile of a hub worker process, for capacity work (``CLERK_HUB_PROFILE=PATH``).

Every thread of the process (the event loop and the route threads) gets its own
:class:`cProfile.Profile` timed by that thread's CPU clock (``time.thread_time``), so a
thread waiting for the GIL, a lock or the database is not counted: the figures are where the
process's CPU goes. At the app's shutdown the threads' profiles are merged and written as
pstats to ``PATH.<pid>`` (one file per worker process and per start)::

    CLERK_HUB_PROFILE=/tmp/hub.prof clerk hub serve --workers 2 …
    python -m pstats /tmp/hub.prof.12345

The profiler roughly doubles the CPU of each Python call: compare shares, not totals, and
never leave it on in production.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import threading
import time
from types import FrameType
from typing import Any


class ProcessProfile:
    """cProfile on every thread of this process, from :meth:`start` to :meth:`dump`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._profiles: list[tuple[int, cProfile.Profile]] = []  # (thread id, its profile)
        self._lock = threading.Lock()

    def start(self) -> None:
        """Profile the calling thread and every thread started from now on."""
        threading.setprofile(self._first_call)
        self._enable()

    def _enable(self) -> None:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self._profiles.append((threading.get_ident(), profile))
        profile.enable()  # replaces _first_call as this thread's profile function

    def _first_call(self, frame: FrameType, event: str, arg: Any) -> None:
        self._enable()

    def dump(self) -> str | None:
        """Merge the threads' profiles into ``PATH.<pid>``; the path written (None if empty)."""
        threading.setprofile(None)
        with self._lock:
            profiles, self._profiles = self._profiles, []
        merged: pstats.Stats | None = None
        for ident, profile in profiles:
            if ident == threading.get_ident():
                profile.create_stats()  # disables it: the calls it is inside are closed
            else:  # a thread still running: its finished calls only (its clock is its own)
                profile.snapshot_stats()
            if not profile.stats:
                continue
            if merged is None:
                merged = pstats.Stats(profile)
            else:
                merged.add(profile)
        if merged is None:
            return None
        out = f"{self.path}.{os.getpid()}"
        merged.dump_stats(out)
        return out
