"""Languages and locale formatting.

:class:`Translations` installs the app's compiled catalogue (``assets/i18n/clerk_<lang>.qm``,
built by ``scripts/build_translations.sh``) and Qt's own (``qtbase_<lang>.qm``, for the file
dialog), and sets the default ``QLocale``. Installing a translator makes Qt send every widget a
``LanguageChange`` event; widgets re-set their texts in ``retranslate()``. Without the .qm
files the app runs in English, the source language.

The ``fmt_*`` functions format money, dates and times for the current language via ``QLocale``
(``¥1,999.00``; ``2026年11月22日`` / ``22 Nov 2026``). Times are unix seconds UTC, shown in the
terminal's local time zone; money is integer fen. :func:`local` picks the current language's
text of one the core gives in both (a product's title, say) — when it is painted, so a
language switch needs no new data.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ui.qt import (
    QApplication,
    QCoreApplication,
    QDate,
    QDateTime,
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QTranslator,
    Signal,
    translate,
)

if TYPE_CHECKING:
    from clerk.model import Localised

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")
ASSETS = Path(__file__).resolve().parent.parent / "assets"
I18N_DIR = ASSETS / "i18n"
CURRENCY = "¥"


def normalize_language(lang: str | None) -> str:
    """``zh_CN`` for any Chinese, ``en`` for anything else (``None``: the system locale)."""
    if not lang or lang == "auto":
        return system_language()
    return "zh_CN" if lang.lower().startswith("zh") else "en"


def system_language() -> str:
    locale = QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def locale_for(lang: str) -> QLocale:
    if lang.startswith("zh"):
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


class Translations(QObject):
    """The installed language; ``set_language`` switches at runtime."""

    language_changed = Signal(str)

    def __init__(self, directory: Path = I18N_DIR, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self.language = "en"
        self._installed: list[QTranslator] = []

    def set_language(self, lang: str) -> str:
        lang = normalize_language(lang)
        QLocale.setDefault(locale_for(lang))
        self.uninstall()
        if lang != "en":
            self._load(f"clerk_{lang}", self.directory)
            self._load(
                f"qtbase_{lang}", Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
            )
        else:
            self._load("clerk_en", self.directory)  # plural forms of the English source
        self.language = lang
        # Qt announces a new translator with a LanguageChange posted to every widget, but only
        # once the event loop runs; deliver it now so the switch is complete on return (a
        # widget may then retranslate twice, which is harmless).
        for widget in _top_levels():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
        self.language_changed.emit(lang)
        return lang

    def uninstall(self) -> None:
        """Take this object's catalogues out of the application (the language stays set)."""
        app = QCoreApplication.instance()
        for old in self._installed:
            if app is not None:
                app.removeTranslator(old)
        self._installed.clear()

    def _load(self, name: str, directory: Path) -> None:
        translator = QTranslator(self)
        if not translator.load(name, str(directory)):
            if name.startswith("clerk_") and name != "clerk_en":
                log.warning("no compiled translation %s in %s: showing English", name, directory)
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.installTranslator(translator)
        self._installed.append(translator)


def _top_levels() -> list[QObject]:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return []
    return list(app.topLevelWidgets())


# --- formatting ----------------------------------------------------------------------------


def is_chinese() -> bool:
    return QLocale().language() == QLocale.Language.Chinese


def local(text: Localised) -> str:
    """``text`` in the current language."""
    return text.zh if is_chinese() else text.en


def fmt_money(cents: int, *, short: bool = False) -> str:
    """``¥1,999.00``; with ``short`` whole amounts drop the decimals (``¥200``)."""
    precision = 0 if short and cents % 100 == 0 else 2
    return QLocale().toCurrencyString(cents / 100, CURRENCY, precision)


def fmt_number(value: int) -> str:
    return QLocale().toString(value)


def _dt(ts: int) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(ts)).toLocalTime()


def _long_date(day: QDate) -> str:
    return QLocale().toString(day, "yyyy年M月d日" if is_chinese() else "d MMM yyyy")


def _short_date(day: QDate) -> str:
    return QLocale().toString(day, "M月d日" if is_chinese() else "d MMM")


def fmt_date(ts: int) -> str:
    """``2026年11月22日`` / ``22 Nov 2026``."""
    return _long_date(_dt(ts).date())


def fmt_short_date(ts: int) -> str:
    """``11月22日`` / ``22 Nov``."""
    return _short_date(_dt(ts).date())


def fmt_time(ts: int) -> str:
    return QLocale().toString(_dt(ts).time(), "HH:mm")


# fmt_datetime and fmt_day convert each time once (a panel's rows call them by the dozen)


def fmt_datetime(ts: int, now: int) -> str:
    """Time only today, short date and time this year, full date otherwise."""
    at = _dt(ts)
    when, today = at.date(), _dt(now).date()
    if when == today:
        return QLocale().toString(at.time(), "HH:mm")
    if when.year() == today.year():
        return f"{_short_date(when)} {QLocale().toString(at.time(), 'HH:mm')}"
    return _long_date(when)


def fmt_day(ts: int, now: int) -> str:
    """A day relative to ``now``: today, tomorrow, a weekday within a week, else a date."""
    day, today = _dt(ts).date(), _dt(now).date()
    days = today.daysTo(day)
    if days == 0:
        return translate("Format", "today")
    if days == 1:
        return translate("Format", "tomorrow")
    if days == -1:
        return translate("Format", "yesterday")
    if 1 < days < 7:
        return QLocale().dayName(day.dayOfWeek(), QLocale.FormatType.ShortFormat)
    return _short_date(day) if day.year() == today.year() else _long_date(day)


def fmt_ago(ts: int, now: int) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``yesterday``, ``4 days ago``, a date."""
    delta = max(0, now - ts)
    if delta < 60:
        return translate("Format", "just now")
    if delta < 3600:
        return translate("Format", "%n min ago", None, delta // 60)
    days = _dt(ts).date().daysTo(_dt(now).date())
    if days == 0:
        return translate("Format", "%n h ago", None, delta // 3600)
    if days == 1:
        return translate("Format", "yesterday")
    if days < 30:
        return translate("Format", "%n days ago", None, days)
    return fmt_date(ts)
