"""The engine's checks of a changes page (sync.engine ``_check_page``): the plain per-row loop of
a bulk pull refuses everything the thorough check refuses."""

from __future__ import annotations

from typing import Any

import pytest

from sync.engine import MAX_VALUE_LEN, _check_page
from sync.errors import ProtocolError

LONG = MAX_VALUE_LEN + 1


def _page(*changes: dict[str, Any], next_cursor: int | None = None) -> Any:
    last = changes[-1]["seq"] if changes else 0
    return {
        "changes": list(changes),
        "next_cursor": last if next_cursor is None else next_cursor,
        "has_more": False,
    }


def _up(seq: int, **data: Any) -> dict[str, Any]:
    return {"seq": seq, "entity": "member", "op": "upsert", "key": f"M{seq}", "data": data}


class Text(str):
    pass


def test_a_good_page_passes() -> None:
    _check_page(
        0,
        10,
        _page(
            _up(1, id="M1", name="x" * MAX_VALUE_LEN, points=3, ok=True, gone=None, r=1.5),
            _up(2, tags=list(range(MAX_VALUE_LEN)), facts={str(i): i for i in range(10)}),
            {"seq": 5, "entity": "browse", "op": "delete", "key": "7"},
        ),
    )


@pytest.mark.parametrize(
    "value",
    [
        "x" * LONG,
        list(range(LONG)),
        {str(i): i for i in range(LONG)},
        Text("x" * LONG),  # not a plain JSON value: the thorough check, which measures it
    ],
    ids=["str", "list", "dict", "str subclass"],
)
def test_a_value_too_long_is_refused(value: Any) -> None:
    page = _page(_up(1, id="M1"), _up(2, id="M2", name=value))
    with pytest.raises(ProtocolError, match=f"at most {MAX_VALUE_LEN}"):
        _check_page(0, 10, page)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (_page(_up(2), _up(2)), "does not follow"),
        (_page(_up(3), _up(2)), "does not follow"),
        (_page(_up(1)), "does not follow"),  # since is 1 below
        (_page({"seq": 4, "entity": "member", "op": "upsert", "key": "M4"}), "without data"),
        (_page({**_up(4), "data": None}), "without data"),
        (_page(_up(4), _up(6), next_cursor=5), "behind"),
    ],
)
def test_a_page_that_does_not_move_forward_whole_is_refused(page: Any, message: str) -> None:
    since = 1 if message == "does not follow" and len(page["changes"]) == 1 else 0
    with pytest.raises(ProtocolError, match=message):
        _check_page(since, 10, page)
