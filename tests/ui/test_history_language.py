"""History entries in the UI's language, from structured data (issue 19, item 7).

An interest, a sale and a note the hub rejected (``bad_payload``) are recorded for the hero;
her history is read in English and in Chinese: every row's title and detail line is in the
UI's language (product titles in it, the hub's reason as a phrase), with no SKU and no reason
code anywhere, and no Chinese in the English rows but what was typed or is a name.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from clerk import outbox as outbox_mod
from clerk.shared.interactions import Interest, Note, Sale
from demoworld.catalogue import HERO_SKU
from ui.models.rows_model import Roles

HERO = "M00000001"
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"\b[A-Z]{2}\d{5}\b|bad_payload|unknown_member|[a-z]+_[a-z]+")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_history_reads_in_one_language_without_codes(
    qtbot: Any, session: Any, home: Any, terminal: Any, open_customer: Any, lang: str
) -> None:
    terminal.record("interest", member_id=HERO, staff_id="A01", payload=Interest.of(HERO_SKU))
    terminal.record(
        "sale",
        member_id=HERO,
        staff_id="A01",
        payload=Sale.of([(HERO_SKU, 1, 199_900)], 199_900),
    )
    note = terminal.record("note", member_id=HERO, staff_id="A01", payload=Note.of("blue"))
    ob = outbox_mod.open_outbox(home.home / "outbox.db")
    try:
        outbox_mod.mark_sent(ob, [note.id], now=1_763_900_000)
        outbox_mod.apply_results(
            ob, [{"id": note.id, "status": "rejected", "reason": "bad_payload"}]
        )
    finally:
        ob.close()
    w = session.window
    session.translations.set_language(lang)
    open_customer(home.code(HERO))
    visits = w.screens.customer_models.visits
    qtbot.waitUntil(lambda: visits.rowCount() >= 4, timeout=5_000)
    for switch in (lang, "zh" if lang == "en" else "en", lang):  # and after switching back
        session.translations.set_language(switch)
        rows = [
            (
                visits.index(r, 0).data(Roles.Title),
                visits.index(r, 0).data(Roles.Detail) or "",
                visits.rows[r].text or "",  # what the associate typed, as typed
            )
            for r in range(visits.rowCount())
        ]
        for title, detail, typed in rows:
            shown = f"{title} {detail}".replace(typed, "") if typed else f"{title} {detail}"
            assert not CODE.search(shown), (switch, shown)
            if switch == "en":
                assert not CJK.search(shown), (switch, shown)
            else:
                assert CJK.search(title), (switch, title)
        details = " ".join(d for _t, d, _typed in rows)
        assert details  # the rejected note says why, as a phrase
