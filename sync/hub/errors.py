"""Errors of the hub service. Each maps to one HTTP status and carries a stable ``reason``.

The names are the server's own: the terminal's client has its ``sync.errors.HubError`` ("the
hub answered with an error") and ``sync.errors.AuthError``; nothing here is either.

HubServiceError             base (500, reason "error")
├── NotFoundError           404 — unknown member, store, device, staff member
├── UnauthenticatedError    401 — missing or unknown device token
├── ForbiddenError          403 — enrolment code wrong, used or expired
├── InvalidInputError       422 — a request or CLI argument that cannot be processed
├── RateLimitedError        429 — too many requests from one device (carries retry_after)
├── BusyError               503 — the database is busy or unreachable, the writer queue is
│   │                             full, the hub is shutting down (carries retry_after)
│   └── WriteRaced          503 — a write met another at once (a deadlock, a serialisation
│                                 failure): run again (:meth:`sync.hub.store.HubStore.run_write`)
└── StorageFailure          500 — the database failed in a way a retry will not fix

Data-layer errors (sqlite3 / psycopg) are translated with ``raise … from exc``
(:func:`sync.hub.db.translate`): WriteRaced for deadlocks and serialisation failures (40P01,
40001), BusyError for lock timeouts and lost connections,
InvalidInputError for values the database cannot hold, StorageFailure for the rest. A body over
the size limit is answered 413 by the app's outermost layer before any of this runs.
"""

from __future__ import annotations

from typing import Any


class HubServiceError(Exception):
    status = 500
    reason = "error"
    title = "Internal error"
    retry_after: int | None = None

    def __init__(
        self, message: str, *, reason: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        if retry_after is not None:
            self.retry_after = retry_after


class NotFoundError(HubServiceError):
    status = 404
    reason = "not_found"
    title = "Not found"


class UnauthenticatedError(HubServiceError):
    status = 401
    reason = "unauthorized"
    title = "Unauthorized"


class ForbiddenError(HubServiceError):
    status = 403
    reason = "forbidden"
    title = "Forbidden"


class InvalidInputError(HubServiceError):
    status = 422
    reason = "invalid"
    title = "Unprocessable content"


class RateLimitedError(HubServiceError):
    status = 429
    reason = "rate_limited"
    title = "Too many requests"
    retry_after = 1


class BusyError(HubServiceError):
    status = 503
    reason = "busy"
    title = "Service unavailable"
    retry_after = 1


class WriteRaced(BusyError):
    reason = "write_raced"


class StorageFailure(HubServiceError):
    status = 500
    reason = "storage"
    title = "Storage failure"


PROBLEM_TYPE = "application/problem+json"  # RFC 9457


def problem_doc(description: str) -> dict[str, Any]:
    """An OpenAPI response whose body is problem JSON (``#/components/schemas/Problem``)."""
    return {
        "description": description,
        "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
