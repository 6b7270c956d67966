"""First start: enrol the terminal to its store, then its first download — and what an
enrolment QR holds.

:class:`Enrolment` is the work the enrolment screen runs on its worker thread
(``ui.controllers.enrol_controller``); the UI never talks HTTP itself. Enrolling
(:func:`sync.local.enroll`) and the first download (:func:`sync.local.engine_for`) each run a
sync engine on the terminal's files: the device credentials and the store's data are written
by that engine — the outbox's second writer, as in ``clerk enroll`` and ``clerk sync`` — never
by a writer of the UI's. The hub address and the device name are kept in the terminal's own
settings (one :class:`~clerk.settings.Settings` object writes the file).

The enrolment QR printed by ``clerk hub enrol-code --png`` holds the code itself
(``ABCD-EFGH-JKLM``). :func:`parse_enrol_payload` also reads a link form that carries the hub and
the store too (``…?hub=https://hub.example.com&store=S001&code=ABCD-EFGH-JKLM``) and the same
keys as a JSON object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from clerk.errors import ClerkError

if TYPE_CHECKING:
    from clerk.settings import Settings
    from sync.credentials import Credentials
    from sync.engine import Progress, SyncReport

_CODE = re.compile(r"^[A-Za-z0-9]{6,32}$")

Enroll = Callable[..., "Credentials"]  # sync.local.enroll
EngineFor = Callable[[Path], Any]  # sync.local.engine_for: an engine with sync_once and close


class NotEnrolCodeError(ClerkError):
    reason = "not_enrol_code"


@dataclass(frozen=True)
class EnrolPayload:
    """What an enrolment QR (or typed text) holds: the code, maybe the hub and store too."""

    code: str
    hub_url: str | None = None
    store_id: str | None = None


def normalise_code(text: str) -> str:
    """``abcd efgh-jklm`` → ``ABCD-EFGH-JKLM`` (the hub ignores spaces, dashes and case)."""
    raw = re.sub(r"[\s\-]", "", text).upper()
    if not _CODE.match(raw):
        raise NotEnrolCodeError(f"not an enrolment code: {text[:40]!r}")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _first(values: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = values.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return None


def parse_enrol_payload(text: str) -> EnrolPayload:
    """The enrolment details in scanned or pasted text. Raises NotEnrolCodeError."""
    body = text.strip()
    fields: dict[str, Any] | None = None
    if body.startswith("{"):
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise NotEnrolCodeError("unreadable enrolment QR") from exc
        if isinstance(doc, dict):
            fields = {str(k).lower(): v for k, v in doc.items()}
    elif "?" in body and "code=" in body.lower():
        query = urlsplit(body).query or body.split("?", 1)[1]
        fields = {k.lower(): v for k, v in parse_qs(query).items()}
    if fields is None:
        return EnrolPayload(normalise_code(body))
    code = _first(fields, "code", "enrol_code", "enrolment_code")
    if code is None:
        raise NotEnrolCodeError("the QR holds no enrolment code")
    return EnrolPayload(
        normalise_code(code),
        _first(fields, "hub", "hub_url", "url"),
        _first(fields, "store", "store_id"),
    )


class Enrolment:
    """Enrol the terminal at ``home``, then download its store's data (``enroll`` and
    ``engine_for`` from :mod:`sync.local` unless given)."""

    def __init__(
        self,
        home: Path,
        settings: Settings,
        *,
        enroll: Enroll | None = None,
        engine_for: EngineFor | None = None,
    ) -> None:
        self.home = Path(home)
        self.settings = settings
        self._enroll = enroll
        self._engine_for = engine_for

    def enrol(self, hub_url: str, store_id: str, code: str, device_name: str) -> Credentials:
        enroll = self._enroll
        if enroll is None:
            from sync.local import enroll as local_enroll

            enroll = local_enroll
        creds = enroll(self.home, hub_url, store_id, code, device_name=device_name)
        # sync.local saved hub_url through a Settings of its own; keep the terminal's copy in
        # step (it rewrites the whole file on its next change).
        self.settings.set("hub_url", creds.hub_url)
        if device_name:
            self.settings.set("device_name", device_name)
        return creds

    def first_pull(self, progress: Progress) -> SyncReport:
        engine_for = self._engine_for
        if engine_for is None:
            from sync.local import engine_for as local_engine_for

            engine_for = local_engine_for
        engine = engine_for(self.home)
        try:
            report: SyncReport = engine.sync_once(progress=progress)
            return report
        finally:
            engine.close()
