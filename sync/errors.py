"""Errors of the terminal side of sync.

SyncError                        base; a ClerkError, so it carries a stable ``reason``
├── TransportError               the hub was not reached or the exchange broke off:
│                                connect refused, DNS, timeout, reset, response cut short.
│                                Safe to retry with backoff (pushes are idempotent).
├── HubError(status, problem)    the hub answered with an HTTP error (RFC 9457 problem)
│   ├── RetryableHubError        408, 429, 5xx: retry later; ``retry_after`` seconds from
│   │                            Retry-After (delta-seconds or HTTP-date) or None
│   └── RejectedError            any other 4xx: the request itself is refused, do not retry it
│       └── AuthError            401 / 403: the hub does not accept the credentials (an
│           │                    expired access token is refreshed by the client first)
│           └── DeviceRevokedError  401 ``device_revoked``: HQ removed this terminal from its
│                                store; it stops syncing, keeps its outbox, and says so
├── ProtocolError                the hub's answer is malformed, hostile or oversized: wrong
│                                types, truncated JSON, more bytes than allowed, a cursor that
│                                goes backwards. Nothing of it reaches the cache.
└── NoProofError                 a member from another store asked for without the proof of
                                 presence (or the signed-in staff member) the hub requires:
                                 nothing is sent

Lower-level errors (httpx, json, pydantic) are mapped to the most specific class with
``raise … from exc``, so the original stays available as ``__cause__``.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from clerk.errors import ClerkError
from sync.protocol import Problem

MAX_PROBLEM_TEXT = 500


class SyncError(ClerkError):
    reason = "sync"


class TransportError(SyncError):
    reason = "offline"


class ProtocolError(SyncError):
    reason = "protocol"


class NoProofError(SyncError):
    reason = "no_proof"


class HubError(SyncError):
    reason = "hub_error"

    def __init__(self, status: int, problem: Problem, *, hub_reason: str | None = None) -> None:
        text = f"hub answered {status} {problem.title}"
        if problem.detail:
            text += f": {problem.detail}"
        super().__init__(text[:MAX_PROBLEM_TEXT])
        self.status = status
        self.problem = problem
        # The hub's own machine reason (problem extension member "reason"), when it sent one.
        self.hub_reason = hub_reason


class RetryableHubError(HubError):
    reason = "hub_busy"

    def __init__(
        self,
        status: int,
        problem: Problem,
        *,
        hub_reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, problem, hub_reason=hub_reason)
        self.retry_after = retry_after


class RejectedError(HubError):
    reason = "rejected"


class AuthError(RejectedError):
    reason = "unauthorized"


class DeviceRevokedError(AuthError):
    reason = "device_revoked"

    @classmethod
    def local(cls, detail: str) -> DeviceRevokedError:
        """The error of a terminal that already knows it was revoked (no request made)."""
        problem = Problem(title="Device revoked", status=401, detail=detail)
        return cls(401, problem, hub_reason="device_revoked")


RETRYABLE_STATUSES = frozenset({408, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or 500 <= status <= 599


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date.

    Returns None when absent or unparseable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" zone: RFC 5322 says UTC
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _problem_from_body(status: int, body: bytes, default_title: str) -> tuple[Problem, str | None]:
    """The problem document from an error body; a synthetic one when the body is not one.

    FastAPI's default validation answer (``{"detail": [{"loc": …, "msg": …}]}``) is folded
    into ``detail`` so a rejected item carries the hub's reason.
    """
    try:
        doc: Any = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, Mapping):
        hub_reason = doc.get("reason")
        if not (isinstance(hub_reason, str) and 0 < len(hub_reason) <= 64):
            hub_reason = None
        try:
            problem = Problem.model_validate({"status": status, **doc})
        except ValidationError:
            problem = None
        if problem is not None and isinstance(doc.get("title"), str):
            return problem, hub_reason
        detail = doc.get("detail")
        if isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
            first = detail[0]
            loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
            msg = str(first.get("msg", ""))
            detail = f"{loc}: {msg}" if loc else msg
        if isinstance(detail, str):
            short = detail[:MAX_PROBLEM_TEXT]
            return Problem(title=default_title, status=status, detail=short), hub_reason
    text = body[:MAX_PROBLEM_TEXT].decode("utf-8", "replace").strip() or None
    return Problem(title=default_title, status=status, detail=text), None


def error_for_status(
    status: int,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    reason_phrase: str = "",
    now: float | None = None,
) -> HubError:
    """The HubError subclass for an HTTP error answer (status >= 400)."""
    problem, hub_reason = _problem_from_body(status, body, reason_phrase or f"HTTP {status}")
    if is_retryable_status(status):
        retry_after = parse_retry_after((headers or {}).get("retry-after"), now=now)
        return RetryableHubError(status, problem, hub_reason=hub_reason, retry_after=retry_after)
    if status == 401 and hub_reason == "device_revoked":
        return DeviceRevokedError(status, problem, hub_reason=hub_reason)
    if status in (401, 403):
        return AuthError(status, problem, hub_reason=hub_reason)
    return RejectedError(status, problem, hub_reason=hub_reason)
