"""A terminal whose clock is wrong still accepts fresh member codes once a sync has learned
the offset from the hub's Date headers, and says its clock is suspect.

Real hub on loopback; the terminal's clock is faked through ``Terminal(clock=…)``, the
engine's and the HubClient's ``clock``. Member codes live 120 s (verified ±60 s), so a clock
10 minutes off rejects every fresh code until the offset is known.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from reliability_harness import STORE, members

from clerk import cache as cache_mod
from clerk import outbox as outbox_mod
from clerk.errors import IdentifyError
from clerk.terminal import CLOCK_SUSPECT_S, Terminal
from sync.client import HubClient
from sync.engine import SyncEngine
from sync.hub.embedded import HubHandle
from sync.local import enroll


def _sync_with_clock(home: Path, clock: object) -> float:
    """One sync by an engine whose clock (and its client's) is ``clock``; the learned offset."""
    cache = cache_mod.open_cache(home / "cache.db")
    outbox = outbox_mod.open_outbox(home / "outbox.db")
    client = HubClient("http://127.0.0.1:9", clock=clock)  # type: ignore[arg-type]
    try:
        engine = SyncEngine(cache, outbox, client, clock=clock)  # type: ignore[arg-type]
        assert engine.sync_once().caught_up
        offset = engine.status()["clock_offset_s"]
        assert isinstance(offset, float)
        return offset
    finally:
        client.close()
        cache.close()
        outbox.close()


@pytest.mark.parametrize(("skew", "before"), [(600, "expired"), (-600, "not_yet_valid")])
def test_a_skewed_terminal_accepts_fresh_codes_after_a_sync(
    hub: HubHandle, tmp_path: Path, skew: int, before: str
) -> None:
    home = tmp_path / "t"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="skewed")  # right clock
    with_skew = lambda: time.time() + skew  # noqa: E731 - the terminal's clock drifted

    terminal = Terminal(home, clock=with_skew)
    member_id = members(hub, 1)[0]
    try:
        # The offset learned at enrolment is ~0: the drifted clock rejects a fresh code.
        with pytest.raises(IdentifyError) as caught:
            terminal.identify(hub.member_code(member_id, ttl=120))
        assert caught.value.reason == before
        assert not terminal.status().clock_suspect
    finally:
        terminal.close()

    offset = _sync_with_clock(home, with_skew)
    assert abs(offset + skew) <= 2  # hub minus local, from the Date header (1 s resolution)

    terminal = Terminal(home, clock=with_skew)
    try:
        identity = terminal.identify(hub.member_code(member_id, ttl=120))
        assert identity.kind == "code"
        assert terminal.resolve(identity) == member_id
        assert abs(terminal.corrected_now() - time.time()) <= 2
        st = terminal.status()
        assert st.clock_suspect and abs(st.clock_offset_s or 0) > CLOCK_SUSPECT_S
        # An expired code stays expired, whatever the terminal's clock says.
        stale = hub.member_code(member_id, ttl=-120)
        with pytest.raises(IdentifyError) as caught:
            terminal.identify(stale)
        assert caught.value.reason == "expired"
    finally:
        terminal.close()


def test_a_right_clock_is_not_suspect(hub: HubHandle, tmp_path: Path) -> None:
    home = tmp_path / "t"
    enroll(home, hub.url, STORE, hub.enrol_code(STORE), device_name="right")
    offset = _sync_with_clock(home, time.time)
    assert abs(offset) <= 2
    terminal = Terminal(home)
    try:
        assert not terminal.status().clock_suspect
    finally:
        terminal.close()
