"""The CLI tests' home: the demo databases as a terminal's data directory, with the associate
A01 signed in by $CLERK_PIN and the terminal's store set."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from cli_run import FAST

from clerk import outbox as outbox_mod
from clerk.shared.pins import hash_pin

if TYPE_CHECKING:
    from tests.unit.conftest import DemoDbs


@pytest.fixture
def home(demo_dbs: DemoDbs, monkeypatch: pytest.MonkeyPatch) -> DemoDbs:
    monkeypatch.setenv("CLERK_HOME", str(demo_dbs.cache_path.parent))
    monkeypatch.setenv("CLERK_PIN", "1234")
    demo_dbs.cache.execute(
        "UPDATE staff SET pin_hash = ? WHERE id = 'A01'", (hash_pin("1234", "associate", FAST),)
    )
    demo_dbs.cache.commit()
    outbox_mod.set_meta(demo_dbs.outbox, {outbox_mod.META_STORE_ID: demo_dbs.spec.stores[0]})
    return demo_dbs
