"""Log files that never hold personal data.

``setup_logging("terminal")`` (the app, the CLI) or ``setup_logging("hub")`` sends the root
logger to a rotating file in :func:`clerk.paths.log_dir` — 5 files of at most 2 MB each
(``terminal.log`` and ``terminal.log.1`` … ``.4``) — so a terminal's logs stay under 10 MB.

Every record passes through :class:`PiiFilter` (message and arguments) and every formatted
line, tracebacks included, through :func:`redact` (:class:`RedactingFormatter`). Personal
data is redacted by what it is:

* names, from the member records in context: the terminal remembers the names of the members
  it serves (:func:`remember_personal`, a bounded set) and an argument marked
  :func:`personal` (or ``extra={"personal": [...]}``) is masked whatever it holds;
* mainland mobile numbers (11 digits, 1[3-9]…), +86 and other E.164 numbers;
* card numbers: 10–19 digits that pass the Luhn check, or any such run right after "card" /
  "卡" — but never a unix timestamp (seconds or milliseconds, 2001–2038, integer or with a
  fraction), a decimal, a duration or a count, nor the digits of an id (M00000001, a UUIDv7,
  dev-…);
* MC1 member codes, bearer tokens, secrets given as ``token=…``, e-mail addresses and hex keys
  of 32 or more characters.

The same :func:`redact` cleans the "copy diagnostics" text (clerk/diagnostics.py).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from clerk import paths

LOG_FILES = 5  # the current file and 4 rotated ones
MAX_BYTES = 2 * 1024 * 1024
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

_HANDLER_TAG = "_omni_clerk_handler"

_B45 = r"0-9A-Z$%*+\-./:"


def _mask_phone(m: re.Match[str]) -> str:
    """A mainland mobile as the terminal shows one: only the last four digits (with the 8-bit
    bucket a terminal holds, more would narrow the number down to a few dozen)."""
    digits = re.sub(r"\D", "", m.group(0))
    prefix = "+86 " if m.group(0).startswith("+") else ""
    return f"{prefix}*******{digits[-4:]}"


def _mask_digits(digits: str) -> str:
    return "*" * (len(digits) - 4) + digits[-4:]


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Unix times from 2001-09-09 to 2038-01-19: seconds have 10 digits, milliseconds 13.
_UNIX_S = (1_000_000_000, 2_147_483_647)
_UNIX_MS = (_UNIX_S[0] * 1000, _UNIX_S[1] * 1000 + 999)


def is_unix_time(digits: str) -> bool:
    n = int(digits)
    if len(digits) == 10:
        return _UNIX_S[0] <= n <= _UNIX_S[1]
    if len(digits) == 13:
        return _UNIX_MS[0] <= n <= _UNIX_MS[1]
    return False


def _mask_card(m: re.Match[str]) -> str:
    """A digit run that may be a card: masked when it passes the Luhn check and is no unix
    time; kept otherwise (a count, an amount, a cursor, a timestamp)."""
    digits = m.group(0)
    if is_unix_time(digits) or not luhn_valid(digits):
        return digits
    return _mask_digits(digits)


def _mask_named_card(m: re.Match[str]) -> str:
    """Digits right after "card" / "卡": a card number, checked or not."""
    return m.group(1) + _mask_digits(m.group(2))


Rules = tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]

# A bare digit run: not glued to an ASCII identifier or a decimal point before it ("M0000…",
# "dev-1…", "…-000000000003", ".5"), nor followed by more of an identifier or a fraction.
_NOT_AFTER = r"(?<![0-9A-Za-z_.])(?<![0-9A-Za-z]-)"
_NOT_BEFORE = r"(?![0-9A-Za-z_]|\.\d)"


@functools.cache
def _rules() -> Rules:
    """The redaction rules, compiled on first use (not while the app starts). Order matters:
    the specific shapes first, the generic digit runs last."""
    return (
        # MC1 member codes (Base45 — the alphabet includes the space; do not end on one).
        (re.compile(rf"MC1:[{_B45} ]*[{_B45}]"), "MC1:[redacted]"),
        # Authorization: Bearer <token>
        (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 [redacted]"),
        # token=…, "password": "…", pin: … (key kept, value masked)
        (
            re.compile(
                r"""(?ix)
                (["']?\b(?:token|access_token|password|passwd|secret|pin|pin_hash|phone_hash_key|
                enrol(?:l)?ment_code|code_secret)\b["']?\s*[:=]\s*["']?)
                [^\s"',;}&]+
                """
            ),
            r"\1[redacted]",
        ),
        # e-mail addresses: keep the domain
        (re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b"), r"[redacted]@\1"),
        # hex keys, hashes, tokens of 32+ hex characters
        (re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"), "[hex redacted]"),
        # +86 phone numbers, with optional spaces or dashes
        (re.compile(r"\+86[\s-]?1[3-9]\d(?:[\s-]?\d){8}(?!\d)"), _mask_phone),
        # other international numbers in E.164 form
        (re.compile(r"(?<![\w+])\+[1-9]\d{7,14}(?!\d)"), "+[redacted]"),
        # digits named as a card ("card 620…", "card_no=…", "卡号 620…"), checked or not
        (
            re.compile(
                r"(?i)(\bcard(?:_no|[ _-]?number)?\b[\s:=\"'#]{0,4}|卡号?[\s:：]{0,2})"
                r"(\d{10,19})(?!\d)"
            ),
            _mask_named_card,
        ),
        # mainland mobile numbers (not inside an id or a decimal: "…-000000000003", "dev-1…")
        (re.compile(rf"{_NOT_AFTER}1[3-9]\d{{9}}{_NOT_BEFORE}"), _mask_phone),
        # card numbers: 10–19 digits, Luhn-valid, no unix time (see _mask_card)
        (re.compile(rf"{_NOT_AFTER}\d{{10,19}}{_NOT_BEFORE}"), _mask_card),
    )


# -- names, from the member records in context ----------------------------------------------

NAME_MASK = "[name]"
MAX_PERSONAL = 512  # names remembered (the members served lately)


class Personal(str):
    """A log argument marked personal (``log.info("opened %s", personal(name))``): masked."""

    __slots__ = ()


def personal(value: object) -> Personal:
    return Personal(str(value))


class _Names:
    """The names of the members this process served lately (bounded, thread-safe), and one
    pattern matching any of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: OrderedDict[str, None] = OrderedDict()
        self._pattern: re.Pattern[str] | None = None

    def remember(self, values: Iterable[object]) -> None:
        with self._lock:
            for value in values:
                name = str(value).strip() if value is not None else ""
                if not _worth_masking(name):
                    continue
                if name in self._names:
                    self._names.move_to_end(name)
                    continue
                self._names[name] = None
                self._pattern = None
                while len(self._names) > MAX_PERSONAL:
                    self._names.popitem(last=False)

    def forget(self) -> None:
        with self._lock:
            self._names.clear()
            self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._names:
                self._pattern = _names_pattern(self._names)
            return self._pattern


def _worth_masking(name: str) -> bool:
    """A name to look for: two characters of CJK, four of Latin (not a stray letter)."""
    if any(ord(ch) > 0x2E7F for ch in name):
        return len(name) >= 2
    return len(name) >= 4 and any(ch.isalpha() for ch in name)


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for name in sorted(names, key=len, reverse=True):  # "王芳芳" before "王芳"
        escaped = re.escape(name)
        if name.isascii():  # whole words, any case: "wang fang", not "Wangfangshan"
            parts.append(rf"(?i:(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9]))")
        else:
            parts.append(escaped)
    return re.compile("|".join(parts))


_NAMES = _Names()


def remember_personal(*values: object) -> None:
    """Names from a member record now in context (the member being served): from now on they
    are masked in every log line. Bounded: the last ``MAX_PERSONAL`` names."""
    _NAMES.remember(values)


def forget_personal() -> None:
    _NAMES.forget()


def redact(text: str, *, also: Iterable[object] = ()) -> str:
    """``text`` with personal data masked: remembered names (and ``also``), phones, cards,
    member codes, tokens, e-mail addresses and long hex keys."""
    extra = [str(v).strip() for v in also if v is not None and _worth_masking(str(v).strip())]
    if extra:
        text = _names_pattern(extra).sub(NAME_MASK, text)
    names = _NAMES.pattern()
    if names is not None:
        text = names.sub(NAME_MASK, text)
    for pattern, repl in _rules():
        text = pattern.sub(repl, text)
    return text


class PiiFilter(logging.Filter):
    """Masks personal data in a record's message (after %-formatting its arguments).

    Arguments marked :func:`personal` and the values of ``extra={"personal": [...]}`` are
    masked whatever they are. Never drops a record; it rewrites ``msg`` and clears ``args``
    so no handler sees the raw values.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        marked: list[object] = list(getattr(record, "personal", None) or ())
        args: Any = record.args
        if isinstance(args, tuple):
            marked += [a for a in args if isinstance(a, Personal)]
            record.args = tuple(NAME_MASK if isinstance(a, Personal) else a for a in args)
        elif isinstance(args, dict):
            marked += [a for a in args.values() if isinstance(a, Personal)]
            record.args = {k: NAME_MASK if isinstance(a, Personal) else a for k, a in args.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep both parts, masked
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message, also=marked)
        record.args = None
        if marked:
            record.personal = ()
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output — tracebacks and stack info too — is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_path(app: str = "terminal", directory: Path | None = None) -> Path:
    return (directory or paths.log_dir()) / f"{app}.log"


def setup_logging(
    app: str = "terminal",
    level: int = logging.INFO,
    *,
    directory: Path | None = None,
    console: bool = False,
) -> Path:
    """Send the root logger to ``<log dir>/<app>.log`` (rotating, redacted); returns the path.

    Calling it again replaces the handlers it added before (never duplicates lines).
    ``console=True`` also writes redacted lines to stderr (``clerk hub serve`` in a container).
    """
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", app):
        raise ValueError(f"invalid log name: {app!r}")
    path = log_path(app, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_TAG, False)]:
        root.removeHandler(old)
        old.close()
    # Imported here: the app's start-up does not wait for logging.handlers.
    from logging.handlers import RotatingFileHandler

    formatter = RedactingFormatter(FORMAT)
    handlers: list[logging.Handler] = [
        RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=LOG_FILES - 1, encoding="utf-8")
    ]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(PiiFilter())
        setattr(handler, _HANDLER_TAG, True)
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    for buffer in [h for h in root.handlers if isinstance(h, StartupBuffer)]:
        root.removeHandler(buffer)
        buffer.replay(handlers)
    return path


class StartupBuffer(logging.Handler):
    """Holds the records logged while the app starts, until :func:`setup_logging` (called
    once the first screen is up) writes them to the log file — in order, redacted like the
    rest. Bounded: past ``capacity`` records only the count of the dropped ones is kept."""

    def __init__(self, capacity: int = 5000) -> None:
        super().__init__(logging.DEBUG)
        self.capacity = capacity
        self.records: list[logging.LogRecord] = []
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < self.capacity:
            self.records.append(record)
        else:
            self.dropped += 1

    def replay(self, handlers: list[logging.Handler]) -> None:
        if self.dropped:
            self.records.append(
                logging.makeLogRecord(
                    {
                        "name": __name__,
                        "levelno": logging.WARNING,
                        "levelname": "WARNING",
                        "msg": "%d start-up log records dropped (buffer full)",
                        "args": (self.dropped,),
                    }
                )
            )
        for record in self.records:
            for handler in handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)
        self.records.clear()


def buffer_logging(level: int = logging.INFO) -> None:
    """Keep the records from now in memory until :func:`setup_logging` — for the app, whose
    log file is opened once its first screen is up (that screen does not wait for it)."""
    root = logging.getLogger()
    if not any(isinstance(h, StartupBuffer) for h in root.handlers):
        root.addHandler(StartupBuffer())
    root.setLevel(level)


def logging_buffered() -> bool:
    """:func:`buffer_logging` ran and :func:`setup_logging` has not yet."""
    return any(isinstance(h, StartupBuffer) for h in logging.getLogger().handlers)


def teardown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` added (tests, clean shutdown)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_TAG, False)]:
        root.removeHandler(old)
        old.close()
    logging.captureWarnings(False)


def tail(app: str = "terminal", lines: int = 200, directory: Path | None = None) -> list[str]:
    """The last ``lines`` lines of the app's log, across rotated files, oldest first."""
    base = log_path(app, directory)
    files = [base] + [base.with_name(f"{base.name}.{i}") for i in range(1, LOG_FILES)]
    out: list[str] = []
    for f in files:  # newest first
        if len(out) >= lines:
            break
        if not f.exists():
            continue
        chunk = f.read_text(encoding="utf-8", errors="replace").splitlines()
        out = chunk[-(lines - len(out)) :] + out
    return out[-lines:]
