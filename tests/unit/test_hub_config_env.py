"""A served hub's capacity knobs from its environment (``config_from_env``): each read by
name, the defaults when unset or empty, and a value that is not a number — or under the least
the knob takes — refused with the variable's name rather than a worker's traceback."""

from __future__ import annotations

import pytest

from sync.hub.app import HubConfig, config_from_env
from sync.hub.errors import InvalidInputError
from sync.hub.rules import WriteBounds

BOUNDS = WriteBounds()


def test_unset_or_empty_is_the_default() -> None:
    empty = {"CLERK_HUB_MAX_INFLIGHT": "", "CLERK_HUB_RETRY_AFTER_MAX": " "}
    for env in ({}, empty):
        assert config_from_env(env, bounds=BOUNDS) == HubConfig(bounds=BOUNDS)


def test_each_knob_is_read() -> None:
    env = {
        "CLERK_HUB_MAX_PENDING_WRITES": "6",
        "CLERK_HUB_MAX_PENDING_WRITES_CAP": "30",
        "CLERK_HUB_MAX_PENDING_WRITES_BURST": "0",
        "CLERK_HUB_WRITE_WAIT_S": "0.5",
        "CLERK_HUB_MAX_INFLIGHT": "0",
        "CLERK_HUB_RETRY_AFTER_MAX": "1",
        "CLERK_HUB_RECONNECT_RATE": "12.5",
        "CLERK_HUB_MAX_THREADS": "5",
        "CLERK_HUB_GROUP_COMMIT": "0",
        "CLERK_HUB_WRITE_DOOR": "queue",
    }
    config = config_from_env(env, token_ttl_s=60, bounds=BOUNDS)
    assert config == HubConfig(
        token_ttl_s=60,
        bounds=BOUNDS,
        max_pending_writes=6,
        max_pending_writes_cap=30,
        max_pending_writes_burst=0,
        write_wait_s=0.5,
        max_inflight=0,
        retry_after_max=1,
        reconnect_rate=12.5,
        max_threads=5,
        group_commit=False,
        write_door="queue",
    )
    assert config_from_env({"CLERK_HUB_WRITE_WAIT_S": "0"}, bounds=BOUNDS).write_wait_s is None


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("CLERK_HUB_MAX_INFLIGHT", "lots", "CLERK_HUB_MAX_INFLIGHT is not a number: 'lots'"),
        ("CLERK_HUB_MAX_THREADS", "2.5", "CLERK_HUB_MAX_THREADS is not a number: '2.5'"),
        ("CLERK_HUB_RETRY_AFTER_MAX", "0", "CLERK_HUB_RETRY_AFTER_MAX must be at least 1, got 0"),
        ("CLERK_HUB_MAX_INFLIGHT", "-5", "CLERK_HUB_MAX_INFLIGHT must be at least 0, got -5"),
        ("CLERK_HUB_RECONNECT_RATE", "nan", "CLERK_HUB_RECONNECT_RATE must be at least 0.001"),
        ("CLERK_HUB_WRITE_WAIT_S", "-1", "CLERK_HUB_WRITE_WAIT_S must be at least 0, got -1"),
        ("CLERK_HUB_WRITE_DOOR", "front", "CLERK_HUB_WRITE_DOOR is 'inside' or 'queue'"),
    ],
)
def test_a_bad_value_is_refused_by_name(name: str, raw: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace(".", r"\.")):
        config_from_env({name: raw}, bounds=BOUNDS)
