"""JtiTracker: a member code seen again is the same visit until the code can no longer verify."""

from __future__ import annotations

from clerk.jti import JtiTracker

EXP = 1_750_000_000


def test_jti_tracker_same_visit_then_forgotten() -> None:
    t = JtiTracker()
    assert t.seen("aa", EXP, EXP - 100) is False
    assert t.first_seen("aa") == EXP - 100
    assert t.seen("aa", EXP, EXP - 99) is True
    assert t.seen("aa", EXP, EXP + 60) is True
    assert t.seen("bb", EXP + 500, EXP - 10) is False
    assert len(t) == 2
    # once "aa" can no longer verify it is pruned
    assert t.seen("cc", EXP + 500, EXP + 61) is False
    assert t.first_seen("aa") is None
    assert len(t) == 2
    assert t.prune(EXP + 10_000) == 2
    assert len(t) == 0


def test_jti_tracker_pruning_is_amortised_but_complete() -> None:
    t = JtiTracker(skew=0)
    for i in range(1000):
        assert t.seen(f"{i:012x}", EXP + i, EXP - 1) is False
    assert len(t) == 1000
    t.seen("new", EXP + 5000, EXP + 500)
    assert len(t) == 1000 - 500 + 1
