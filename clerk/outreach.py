"""Outreach messages (issue 17 item 6): the text an associate sends a member, drafted from the
chain's template for the reason (cache.db ``message_templates``, feed entity ``template``, set
with ``clerk hub template set``), then copied or shared through the OS and recorded as
``contacted`` (:func:`clerk.tasks.contacted`). Pure: no Qt; the terminal never sends it.

    templates(cache)                         the cached templates
    pick(templates, reason)                  the template for a reason, else the ``any`` one
    task_facts(task, now, coupon_title=…)    a task's facts as placeholder values
    draft(templates, name, facts, lang)      the message: a :class:`Draft` (text, template id)
    share_url(text, phone=…, email=…)        an ``sms:`` / ``mailto:`` link, or None

Placeholders in braces: {name}, {reason} (the reason as the screen says it), {days}, {date},
{coupon}, {product}. One the facts do not give is left out, with the brackets or the space
around it, so that a message never shows a brace.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clerk.model import TaskRow

ANY = "any"
DAY_S = 86400
PLACEHOLDERS = ("name", "reason", "days", "date", "coupon", "product")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class Template:
    id: str
    reason: str  # a task reason, a client-book reason, manual or ``any``
    text_zh: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_zh if lang.startswith("zh") else self.text_en


# Used before the terminal's first sync brings the chain's templates.
BUILTIN = Template(
    "any",
    ANY,
    "{name}，您好！我是您的专属导购，有任何需要欢迎随时联系我。",
    "Hello {name}, I am your associate at the store. If there is anything you need, "
    "just let me know.",
)


@dataclass(frozen=True)
class Facts:
    """Why the associate reaches out: the reason's name (the template's key), the reason as
    the screen says it ({reason}) and the placeholder values the task's facts give."""

    reason: str
    label: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    text: str
    template_id: str  # recorded with ``contacted``


@dataclass(frozen=True)
class Prepared:
    """What a terminal gives the screen to draft a message to a member (Terminal.outreach):
    the screen drafts it in its language (the {reason} as it says it)."""

    member_id: str
    name: str
    consent: bool  # marketing consent: without it, no message and no ``contacted``
    templates: tuple[Template, ...]
    facts: Facts
    task_id: str | None  # the open task it is for (recorded with ``contacted``), if any
    # The member's full phone number and e-mail: a terminal holds neither (only the masked
    # phone), so Share stays hidden and the associate copies the message.
    phone: str | None = None
    email: str | None = None


def templates(cache: sqlite3.Connection) -> list[Template]:
    rows = cache.execute(
        "SELECT id, reason, text_zh, text_en FROM message_templates ORDER BY id"
    ).fetchall()
    return [Template(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def pick(found: Iterable[Template], reason: str) -> Template | None:
    """The template for ``reason`` (the one whose id is the reason first), else the ``any``
    one, else None."""
    ranked = sorted(found, key=lambda t: (t.id != t.reason, t.id))
    for wanted in (reason, ANY):
        for t in ranked:
            if t.reason == wanted:
                return t
    return None


def task_facts(
    task: TaskRow,
    now: int,
    *,
    label: str = "",
    coupon_title: str | Mapping[str, str] | None = None,
) -> Facts:
    """A task's facts as placeholder values: {days} since the member was last seen, the
    birthday's {date}, the expiring {coupon} (its title, when the caller has it) and the
    {product}; a manual task's {reason} is its title unless ``label`` says otherwise. A value
    may be given per language ({"zh": …, "en": …}): :func:`draft` takes its language's."""
    values: dict[str, Any] = {}
    f = task.facts
    if isinstance(f.get("last_seen"), int):
        values["days"] = max(0, (now - f["last_seen"]) // DAY_S)
    if isinstance(f.get("days"), int):
        values["days"] = f["days"]
    if isinstance(f.get("date"), str) and f["date"]:
        values["date"] = f["date"]
    if coupon_title:
        values["coupon"] = coupon_title
    if isinstance(f.get("product"), str) and f["product"]:
        values["product"] = f["product"]
    return Facts(task.reason, label or task.title, values)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with each {placeholder} replaced by its value; one without a value is left
    out cleanly: with the brackets it stood in, and without a double or stray space."""

    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return "" if value is None or value == "" else str(value)

    out = _PLACEHOLDER.sub(one, text)
    out = re.sub(r"\(\s*\)|（\s*）|“\s*”|\"\s*\"", "", out)
    out = re.sub(r"[ \t]{2,}", " ", out)
    out = re.sub(r" +([,.;:!?，。；：！？])", r"\1", out)
    out = re.sub(r"([，,])\s*([，,。.！!？?])", r"\2", out)
    return out.strip()


def draft(found: Iterable[Template], name: str, facts: Facts, lang: str) -> Draft:
    """The message for a member named ``name``, in ``lang`` (``zh…`` or else English), from the
    template for ``facts.reason`` (else ``any``, else the built-in one)."""
    template = pick(found, facts.reason) or BUILTIN
    zh = lang.startswith("zh")
    values = {
        k: (v.get("zh" if zh else "en") if isinstance(v, Mapping) else v)
        for k, v in facts.values.items()
    }
    values.update(name=name.strip(), reason=facts.label.strip())
    return Draft(fill(template.text(lang), values), template.id)


def share_url(text: str, *, phone: str | None = None, email: str | None = None) -> str | None:
    """An ``sms:`` link (with a full phone number) or else a ``mailto:`` one (with an e-mail)
    carrying ``text``, for the OS to open; None without either."""
    from urllib.parse import quote

    if phone and phone.lstrip("+").isdigit():
        return f"sms:{phone}?body={quote(text)}"
    if email and "@" in email:
        return f"mailto:{quote(email, safe='@')}?body={quote(text)}"
    return None
