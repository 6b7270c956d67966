"""`make bench` (bench/run_all.py) rewrites each benchmark's table on docs/benchmarks.md and
keeps every word written around it: the sessions' measurements live on the same page."""

from __future__ import annotations

from pathlib import Path

from bench.run_all import BENCHES, assemble, markers, split_sections

ROOT = Path(__file__).resolve().parents[3]
TITLES = dict(BENCHES)


def page(*sections: str) -> str:
    return "# Benchmarks\n\nold header\n\n" + "\n".join(sections)


def test_only_the_table_between_the_markers_is_replaced() -> None:
    start, end = markers("verify")
    old = page(
        f"## {TITLES['verify']}\n\nwritten before\n\n{start}\nold table\n{end}\n\n"
        "### Later session\n\nwritten after, with figures\n",
        f"## {TITLES['decode']}\n\nnothing generated here yet\n",
    )
    new = assemble(old, "# Benchmarks\n\nnew header", {"verify": "new table"})
    assert new.startswith("# Benchmarks\n\nnew header\n\n")
    assert "old header" not in new and "old table" not in new
    assert f"written before\n\n{start}\nnew table\n{end}\n\n### Later session" in new
    assert "written after, with figures" in new
    assert "nothing generated here yet" in new
    assert assemble(new, "# Benchmarks\n\nnew header", {"verify": "new table"}) == new


def test_a_section_without_markers_gets_them_under_its_heading() -> None:
    start, end = markers("decode")
    old = page(f"## {TITLES['decode']}\n\nhand-written history\n")
    new = assemble(old, "# B", {"decode": "the table"})
    section = new.split(f"## {TITLES['decode']}\n", 1)[1]
    assert section.startswith(f"\n{start}\nthe table\n{end}\n")
    assert "hand-written history" in section


def test_a_benchmark_without_a_section_gets_one_and_others_are_kept() -> None:
    old = page("## Something measured by hand\n\nfigures\n")
    new = assemble(old, "# B", {"hold_floor": "the floor's table"})
    assert "## Something measured by hand\n\nfigures\n" in new
    assert new.rstrip().endswith(
        f"## {TITLES['hold_floor']}\n\n{markers('hold_floor')[0]}\n"
        f"the floor's table\n{markers('hold_floor')[1]}"
    )


def test_the_real_page_loses_nothing() -> None:
    doc = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    header = doc.split("\n## ", 1)[0]
    new = assemble(doc, header, {})
    assert [x for x in new.splitlines() if x.strip()] == [x for x in doc.splitlines() if x.strip()]
    sections = split_sections(doc)
    assert len(sections) >= len(BENCHES) - 1
    for name, title in BENCHES:  # every benchmark with a section has its markers
        body = dict(sections).get(title)
        if body is not None:
            start, end = markers(name)
            assert body.count(start) == 1 and body.count(end) == 1, name
