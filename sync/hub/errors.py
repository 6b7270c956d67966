"""Errors of the hub. Each maps to one HTTP status and carries a stable ``reason``.

HubError                    base (500, reason "error")
├── NotFoundError           404 — unknown member, store, route
├── AuthError               401 — missing or unknown device token
├── ForbiddenError          403 — enrolment code wrong, used or expired; revoked device
├── InvalidInputError       422 — a request or CLI argument that cannot be processed
├── PayloadTooLargeError    413 — body over the limit
├── RateLimitedError        429 — too many requests from one device (carries retry_after)
├── BusyError               503 — the database is busy or unreachable (carries retry_after)
└── StorageFailure          500 — the database failed in a way a retry will not fix

Data-layer errors (sqlite3 / psycopg) are translated with ``raise … from exc``: BusyError for
lock timeouts and lost connections, StorageFailure for the rest.
"""

from __future__ import annotations


class HubError(Exception):
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


class NotFoundError(HubError):
    status = 404
    reason = "not_found"
    title = "Not found"


class AuthError(HubError):
    status = 401
    reason = "unauthorized"
    title = "Unauthorized"


class ForbiddenError(HubError):
    status = 403
    reason = "forbidden"
    title = "Forbidden"


class InvalidInputError(HubError):
    status = 422
    reason = "invalid"
    title = "Unprocessable content"


class PayloadTooLargeError(HubError):
    status = 413
    reason = "too_large"
    title = "Content too large"


class RateLimitedError(HubError):
    status = 429
    reason = "rate_limited"
    title = "Too many requests"
    retry_after = 1


class BusyError(HubError):
    status = 503
    reason = "busy"
    title = "Service unavailable"
    retry_after = 1


class StorageFailure(HubError):
    status = 500
    reason = "storage"
    title = "Storage failure"
