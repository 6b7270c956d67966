"""Locale-free formatting helpers shared by the CLI and the UI: money, days, weekdays.

Nothing here reads the process locale: the language is an argument ("zh…" → Chinese,
anything else → English) and store-local time is an explicit UTC offset, so output is the same
on every machine. Money is integer fen; times are unix seconds.
"""

from __future__ import annotations

import time

DAY = 86_400
# The demo stores (and the design's market) are in China, UTC+8 all year round. Callers that
# know the terminal's own offset pass it instead.
DEFAULT_TZ_OFFSET_S = 8 * 3_600

_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def money(fen: int) -> str:
    """``¥1,999`` for whole yuan, ``¥19.90`` otherwise; negative amounts keep their sign."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    if cents:
        return f"{sign}¥{yuan:,}.{cents:02d}"
    return f"{sign}¥{yuan:,}"


def local(t: int, tz_offset_s: int = DEFAULT_TZ_OFFSET_S) -> time.struct_time:
    """The store-local calendar fields of ``t``."""
    return time.gmtime(t + tz_offset_s)


def local_day(t: int, tz_offset_s: int = DEFAULT_TZ_OFFSET_S) -> int:
    """A day number (days since 1970-01-01, store-local) for calendar comparisons."""
    return (t + tz_offset_s) // DAY


def whole_days(seconds: int) -> int:
    """Completed days in a duration (3 days 23 hours → 3); never negative."""
    return max(0, seconds // DAY)


def weekday(t: int, lang: str, tz_offset_s: int = DEFAULT_TZ_OFFSET_S) -> str:
    wd = local(t, tz_offset_s).tm_wday
    return _WEEKDAYS_ZH[wd] if is_zh(lang) else _WEEKDAYS_EN[wd]


def short_date(t: int, lang: str, tz_offset_s: int = DEFAULT_TZ_OFFSET_S) -> str:
    """``12月3日`` / ``Dec 3``."""
    lt = local(t, tz_offset_s)
    if is_zh(lang):
        return f"{lt.tm_mon}月{lt.tm_mday}日"
    return f"{MONTHS_EN[lt.tm_mon - 1]} {lt.tm_mday}"


def when(t: int, now: int, lang: str, tz_offset_s: int = DEFAULT_TZ_OFFSET_S) -> str:
    """A day near ``now`` the way people say it: today / tomorrow / a weekday within the coming
    week / a date further out (or in the past)."""
    delta = local_day(t, tz_offset_s) - local_day(now, tz_offset_s)
    zh = is_zh(lang)
    if delta == 0:
        return "今天" if zh else "today"
    if delta == 1:
        return "明天" if zh else "tomorrow"
    if 1 < delta < 7:
        return weekday(t, lang, tz_offset_s)
    return short_date(t, lang, tz_offset_s)


def clock(t: int, tz_offset_s: int = DEFAULT_TZ_OFFSET_S) -> str:
    """``10:42`` store-local."""
    lt = local(t, tz_offset_s)
    return f"{lt.tm_hour:02d}:{lt.tm_min:02d}"
