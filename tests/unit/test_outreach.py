"""clerk/outreach.py: templates picked by reason, placeholders filled or left out cleanly."""

from __future__ import annotations

import sqlite3

from clerk import outreach
from clerk.model import TaskRow
from clerk.outreach import BUILTIN, Facts, Template, draft, fill, pick, task_facts

T = [
    Template("any", "any", "{name}，您好！", "Hello {name}!"),
    Template(
        "birthday", "birthday", "{name}，生日快乐（{date}）！", "Happy birthday {name} ({date})!"
    ),
    Template("b2", "birthday", "别的", "Other"),
    Template("manual", "manual", "{name}，关于{reason}。", "Hello {name}, about {reason}."),
    Template(
        "inactive",
        "inactive",
        "{name}，{days} 天没见了，{product}到了。",
        "Hello {name}, {days} days, {product} is in.",
    ),
]


def _task(**kw: object) -> TaskRow:
    base: dict[str, object] = dict(
        id="t1",
        member_id="M1",
        member_name="Li Na",
        title="Call about the repair",
        reason="manual",
        assignee=None,
        due_at=0,
        state="open",
        outcome=None,
        created_by=None,
        created_at=0,
    )
    base.update(kw)
    return TaskRow(**base)  # type: ignore[arg-type]


def test_pick_by_reason_own_id_first_then_any() -> None:
    assert pick(T, "birthday") == T[1]
    assert pick(list(reversed(T)), "birthday") == T[1]
    assert pick(T, "cart_coupon") == T[0]
    assert pick([T[1]], "cart_coupon") is None


def test_draft_names_member_and_reason_in_both_languages() -> None:
    facts = Facts("manual", "the repair of your watch")
    zh = draft(T, "Li Na", facts, "zh_CN")
    en = draft(T, "Li Na", facts, "en")
    assert zh.text == "Li Na，关于the repair of your watch。"
    assert en.text == "Hello Li Na, about the repair of your watch."
    assert zh.template_id == en.template_id == "manual"


def test_facts_fill_days_date_coupon() -> None:
    d = draft(T, "王芳", Facts("birthday", "", {"date": "2026-12-10"}), "en")
    assert d.text == "Happy birthday 王芳 (2026-12-10)!"
    d = draft(T, "王芳", Facts("inactive", "", {"days": 45, "product": "Silk scarf"}), "zh")
    assert d.text == "王芳，45 天没见了，Silk scarf到了。"


def test_missing_placeholders_left_out_cleanly() -> None:
    assert draft(T, "Li", Facts("birthday"), "en").text == "Happy birthday Li!"
    assert draft(T, "李", Facts("birthday"), "zh").text == "李，生日快乐！"
    assert fill("Hi {name}, see {unknown} soon {}.", {"name": "Li"}) == "Hi Li, see soon."
    assert "{" not in fill("{a}{b} {c}", {})


def test_no_template_uses_builtin() -> None:
    d = draft([], "Li", Facts("cart_coupon"), "en")
    assert d.template_id == BUILTIN.id
    assert d.text.startswith("Hello Li,")


def test_task_facts() -> None:
    t = _task(reason="inactive", facts={"last_seen": 0})
    f = task_facts(t, 40 * 86400 + 5)
    assert f.values == {"days": 40}
    assert f.label == "Call about the repair"
    f = task_facts(
        _task(reason="cart_coupon", facts={"coupon_id": "C1"}), 0, coupon_title="10% off"
    )
    assert f.values == {"coupon": "10% off"}
    f = task_facts(_task(reason="cart_coupon"), 0, coupon_title={"zh": "九折", "en": "10% off"})
    assert draft([], "Li", f, "zh").template_id == "any"
    t = [Template("c", "cart_coupon", "{name}：{coupon}", "{name}: {coupon}")]
    assert draft(t, "Li", f, "zh").text == "Li：九折"
    assert draft(t, "Li", f, "en").text == "Li: 10% off"


def test_share_url_only_with_a_full_contact() -> None:
    assert outreach.share_url("Hi Li") is None
    assert outreach.share_url("Hi Li", phone="138****0000") is None
    assert outreach.share_url("Hi Li", phone="+8613800000000") == "sms:+8613800000000?body=Hi%20Li"
    assert outreach.share_url("Hi", email="li@example.com") == "mailto:li@example.com?body=Hi"
    assert task_facts(_task(), 0, label="Birthday").label == "Birthday"


def test_templates_from_cache(tmp_path: object) -> None:
    from clerk.cache import open_cache

    cache: sqlite3.Connection = open_cache(f"{tmp_path}/cache.db")
    cache.execute(
        "INSERT INTO message_templates VALUES ('any', 'any', '你好 {name}', 'Hi {name}', 1)"
    )
    assert outreach.templates(cache) == [Template("any", "any", "你好 {name}", "Hi {name}")]
