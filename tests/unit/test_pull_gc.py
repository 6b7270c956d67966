"""A bulk pull raises the garbage collector's first threshold while it runs (sync.engine
``_fewer_collections``) and puts it back after — unless collection was off, the threshold was
already higher, or someone else changed it meanwhile."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from sync.engine import BULK_GC_THRESHOLD, _fewer_collections


@pytest.fixture(autouse=True)
def _thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def test_a_bulk_pull_collects_less_often_and_puts_the_threshold_back() -> None:
    with _fewer_collections(True):
        assert gc.get_threshold() == (BULK_GC_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_the_threshold_is_put_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), _fewer_collections(True):
        raise RuntimeError("the hub went away")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_pull_that_is_not_bulk_leaves_the_collector_alone() -> None:
    with _fewer_collections(False):
        assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("first", [0, BULK_GC_THRESHOLD, 10 * BULK_GC_THRESHOLD])
def test_collection_off_or_already_rarer_is_left_as_it_is(first: int) -> None:
    gc.set_threshold(first, 10, 10)
    with _fewer_collections(True):
        assert gc.get_threshold() == (first, 10, 10)
    assert gc.get_threshold() == (first, 10, 10)


def test_a_threshold_someone_else_set_meanwhile_is_kept() -> None:
    with _fewer_collections(True):
        gc.set_threshold(2000, 10, 10)
    assert gc.get_threshold() == (2000, 10, 10)
