"""The engine's checks of a changes page (sync.engine ``_check_page``): the plain per-row loop of
a bulk pull refuses everything the thorough check refuses; a page in the row format is refused
for the same faults (and for those only it can have: a row's arity, a column named twice, a key
column missing or of the wrong type), checked column by column."""

from __future__ import annotations

from typing import Any

import pytest

from clerk import cache as cache_mod
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


# -- the row format (protocol.RowsResponse) --------------------------------------------------

MEMBER_COLUMNS = list(cache_mod.TABLES["member"][2])
BROWSE_COLUMNS = list(cache_mod.TABLES["browse"][2])


def _member_row(n: int, **values: Any) -> list[Any]:
    row: dict[str, Any] = dict.fromkeys(MEMBER_COLUMNS)
    row.update({"id": f"M{n}", "name": f"name {n}", "points": n, "tags": ["a"], **values})
    return [row[c] for c in MEMBER_COLUMNS]


def _rows_page(*runs: dict[str, Any], next_cursor: int | None = None) -> Any:
    seqs = [s for run in runs for s in run["seqs"]]
    return {
        "format": "rows",
        "runs": list(runs),
        "next_cursor": (max(seqs) if seqs else 0) if next_cursor is None else next_cursor,
        "has_more": False,
    }


def _members(*seqs: int, **kw: Any) -> dict[str, Any]:
    rows = [_member_row(s) for s in seqs]
    return {
        "entity": "member",
        "op": "upsert",
        "seqs": list(seqs),
        "columns": MEMBER_COLUMNS,
        "rows": rows,
        **kw,
    }


def _browse_deletes(*seqs: int) -> dict[str, Any]:
    return {"entity": "browse", "op": "delete", "seqs": list(seqs), "keys": [str(s) for s in seqs]}


def test_a_good_rows_page_passes() -> None:
    long_ok = _member_row(3, name="x" * MAX_VALUE_LEN, tags=list(range(MAX_VALUE_LEN)))
    browse = {
        "entity": "browse",
        "op": "upsert",
        "seqs": [4, 9],
        "columns": BROWSE_COLUMNS,
        "rows": [[4, "M1", "SKU1", "app", 100], [9, "M1", None, "", 101]],
    }
    _check_page(
        0,
        10,
        _rows_page(_members(1, 2), {**_members(3), "rows": [long_ok]}, browse, _browse_deletes(10)),
    )
    _check_page(5, 10, _rows_page(next_cursor=5))  # nothing new: an empty page


def _with_row(row: list[Any]) -> dict[str, Any]:
    return {**_members(1, 2), "rows": [_member_row(1), row]}


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (_with_row(_member_row(2)[:-1]), "different lengths"),  # wrong arity: one short
        (_with_row([*_member_row(2), "extra"]), "different lengths"),  # … one too many
        ({**_members(1), "rows": [[*_member_row(1), 1]]}, "values for"),  # all rows too long
        ({**_members(1), "columns": MEMBER_COLUMNS[:-1]}, "values for"),
        ({**_members(1), "columns": ["id", *MEMBER_COLUMNS[1:-1], "id"]}, "named twice"),
        ({**_members(1), "columns": ["ident", *MEMBER_COLUMNS[1:]]}, "key column"),
        (_with_row(_member_row(2, id=2)), "not str"),  # wrong type in the key column
        (_with_row(_member_row(2, id=None)), "not str"),
        (_with_row(_member_row(2, id=["M2"])), "not str"),
        (_with_row(_member_row(2, id="M" * 257)), "longer than 256"),
        (
            {
                "entity": "browse",
                "op": "upsert",
                "seqs": [1],
                "columns": BROWSE_COLUMNS,
                "rows": [["1", "M1", "S", "app", 1]],
            },
            "not int",
        ),
        (
            {
                "entity": "browse",
                "op": "upsert",
                "seqs": [1],
                "columns": BROWSE_COLUMNS,
                "rows": [[True, "M1", "S", "app", 1]],
            },
            "not int",
        ),
        (_with_row(_member_row(2, name="x" * LONG)), f"at most {MAX_VALUE_LEN}"),  # huge row
        (_with_row(_member_row(2, tags=list(range(LONG)))), f"at most {MAX_VALUE_LEN}"),
        (_with_row(_member_row(2, points="x" * LONG)), f"at most {MAX_VALUE_LEN}"),  # mixed types
        # every value of the column has a length (text, list, object): measured in one pass
        (_with_row(_member_row(2, name=list(range(LONG)))), f"at most {MAX_VALUE_LEN}"),
        (_with_row(_member_row(2, name=dict.fromkeys(map(str, range(LONG))))), "at most"),
        # … and a column that also holds nulls or numbers: its types first, then measured
        (_with_row(_member_row(2, tags=None, name="x" * LONG)), f"at most {MAX_VALUE_LEN}"),
        (_with_row(_member_row(2, tier=7, name="x" * LONG)), f"at most {MAX_VALUE_LEN}"),
        (_with_row(_member_row(2, name=1.5, tier="x" * LONG)), f"at most {MAX_VALUE_LEN}"),
        (_with_row(_member_row(2, points=float("nan"))), "not a finite number"),
        (_with_row(_member_row(2, points=float("inf"))), "not a finite number"),
        (_with_row(_member_row(2, name=float("-inf"))), "not a finite number"),  # among texts
        ({**_members(1, 2), "rows": [_member_row(1)]}, "rows for"),
        ({**_members(1), "rows": None}, "without columns or rows"),
        ({**_members(1), "columns": None}, "without columns or rows"),
        ({**_browse_deletes(1, 2), "keys": ["1"]}, "a key for each"),
        ({**_browse_deletes(1), "keys": None}, "a key for each"),
    ],
)
def test_a_bad_rows_run_refuses_the_page(run: dict[str, Any], message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        _check_page(0, 10, _rows_page(run))


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (_rows_page(_members(2, 1)), "do not follow"),
        (_rows_page(_members(2), _members(1)), "do not follow"),  # across an entity's runs
        (_rows_page(_members(1), _browse_deletes(1)), "repeated"),  # across entities
        (_rows_page(_members(1, 1)), "repeated"),
        (_rows_page(_members(1)), "does not follow"),  # since is 1
        (_rows_page(_members(4, 6), next_cursor=5), "behind"),
        (_rows_page(*(_members(s) for s in range(2, 13))), "limit was 10"),
    ],
)
def test_a_rows_page_that_does_not_move_forward_whole_is_refused(page: Any, message: str) -> None:
    since = 1 if message == "does not follow" else 0
    with pytest.raises(ProtocolError, match=message):
        _check_page(since, 10, page)


def test_a_rows_page_more_and_no_move_is_refused() -> None:
    page = {**_rows_page(next_cursor=3), "has_more": True}
    with pytest.raises(ProtocolError, match="did not move"):
        _check_page(3, 10, page)
