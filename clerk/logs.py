"""Log files that never hold personal data.

``setup_logging("terminal")`` (the app, the CLI) or ``setup_logging("hub")`` sends the root
logger to a rotating file in :func:`clerk.paths.log_dir` — 5 files of at most 2 MB each
(``terminal.log`` and ``terminal.log.1`` … ``.4``) — so a terminal's logs stay under 10 MB.

Every record passes through :class:`PiiFilter` (message and arguments) and every formatted
line, tracebacks included, through :func:`redact` (:class:`RedactingFormatter`): phone
numbers, card numbers, MC1 member codes, bearer tokens, secrets given as ``token=…`` and hex
keys of 32 or more characters never reach the disk. The same :func:`redact` cleans the
"copy diagnostics" text (clerk/diagnostics.py).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from pathlib import Path

from clerk import paths

LOG_FILES = 5  # the current file and 4 rotated ones
MAX_BYTES = 2 * 1024 * 1024
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

_HANDLER_TAG = "_omni_clerk_handler"

_B45 = r"0-9A-Z$%*+\-./:"


def _mask_phone(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    local = digits[-11:]
    prefix = "+86 " if m.group(0).startswith("+") else ""
    return f"{prefix}{local[:3]}****{local[-4:]}"


def _mask_card(m: re.Match[str]) -> str:
    digits = m.group(0)
    return "*" * (len(digits) - 4) + digits[-4:]


Rules = tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...]


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
        # mainland mobile numbers (not the last group of a UUID: "…-000000000003")
        (re.compile(r"(?<!\d)(?<![0-9a-fA-F]-)1[3-9]\d{9}(?!\d)"), _mask_phone),
        # card numbers (10–19 digits; also hides other long digit runs — on purpose)
        (re.compile(r"(?<!\d)(?<![0-9a-fA-F]-)\d{10,19}(?!\d)"), _mask_card),
    )


def redact(text: str) -> str:
    """``text`` with every phone, card, member code, token and long hex key masked."""
    for pattern, repl in _rules():
        text = pattern.sub(repl, text)
    return text


class PiiFilter(logging.Filter):
    """Masks personal data in a record's message (after %-formatting its arguments).

    Never drops a record; it rewrites ``msg`` and clears ``args`` so no handler sees the raw
    values.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep both parts, masked
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message)
        record.args = None
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
