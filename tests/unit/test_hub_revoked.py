"""The revoked set one hub process keeps for devices and write keys (sync/hub/revoked.py)."""

from __future__ import annotations

import threading
from typing import Any

from sync.hub.revoked import RevokedSet


class Table:
    """The revoked ids a re-read finds, and how many re-reads there were."""

    def __init__(self, *ids: str) -> None:
        self.ids = list(ids)
        self.reads = 0

    def __call__(self) -> list[tuple[Any, ...]]:
        self.reads += 1
        return [(i,) for i in self.ids]


def test_the_set_is_read_once_then_again_only_when_it_is_due() -> None:
    table = Table("d1")
    revoked = RevokedSet(every=3600)
    assert revoked.due()
    assert revoked.check("d1", table) and not revoked.check("d2", table)
    assert table.reads == 1 and not revoked.due()
    table.ids.append("d2")  # revoked elsewhere: not seen until the set is due
    assert not revoked.check("d2", table) and table.reads == 1
    revoked.every = 0.0
    assert revoked.check("d2", table) and table.reads == 2


def test_revoked_here_is_refused_at_once_and_stays_refused() -> None:
    table = Table()
    revoked = RevokedSet(every=0.0)  # re-read on every check
    assert not revoked.check("d1", table)
    revoked.revoke_here("d1")
    assert revoked.known("d1")
    assert revoked.check("d1", table)  # the table does not list it yet (not committed)


def test_a_re_read_that_began_before_the_revoke_does_not_undo_it() -> None:
    """Attack on the race: a request re-reads the set, the revoke commits and is noted here
    while that read is in flight, then the stale read lands. The device must stay refused."""
    revoked = RevokedSet(every=0.0)
    started, noted = threading.Event(), threading.Event()

    def stale_read() -> list[tuple[Any, ...]]:
        started.set()
        assert noted.wait(5)
        return []  # read before the revoke committed

    reader = threading.Thread(target=revoked.check, args=("d1", stale_read))
    reader.start()
    assert started.wait(5)
    revoked.revoke_here("d1")
    noted.set()
    reader.join(5)
    assert not reader.is_alive()
    assert revoked.known("d1")
    assert revoked.check("d1", Table())
