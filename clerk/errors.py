"""Errors of the domain core.

ClerkError                      base of every error the terminal shows to a person
├── ConfigError                 a setting is unknown or its value is invalid
├── NotEnrolledError            the terminal has no device id / token yet
├── StorageError                a SQLite file cannot be opened, read or written; the reason
│   │                           says what happened: disk_full, no_memory, no_permission, or
│   │                           storage (an I/O error, a damaged file) — see clerk.db
│   └── CacheCorruptError       cache.db is unreadable (it is rebuilt from the hub)
│       └── CacheRebuildingError  a lookup met a damaged page: cache.db was set aside and is
│                               being rebuilt from the hub (the lookup can be tried again)
├── IdentifyError               text that does not identify a member (carries a reason code)
│   └── ProductScanned          a product's barcode (EAN-13 / UPC-A), not a member: ``gtin``
├── PermissionDeniedError       the signed-in staff member's role does not allow the action
└── RecordError                 a record refused before it is saved: its payload is not what
                                its kind takes (``problem`` and ``field`` say what and where)

Each carries a stable machine ``reason`` (used by --json output and translations) and a
human message in English; the UI translates by ``reason``.
"""

from __future__ import annotations


class ClerkError(Exception):
    reason = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    @property
    def message(self) -> str:
        return str(self)


class ConfigError(ClerkError):
    reason = "config"


class NotEnrolledError(ClerkError):
    reason = "not_enrolled"


class StorageError(ClerkError):
    reason = "storage"


class CacheCorruptError(StorageError):
    reason = "cache_corrupt"


class CacheRebuildingError(CacheCorruptError):
    reason = "cache_rebuilding"


class IdentifyError(ClerkError):
    reason = "malformed"


class ProductScanned(IdentifyError):
    """A valid product barcode was scanned where a member was asked for: ``gtin`` is its
    EAN-13. Not a member lookup — the UI names the product (or adds it to an open sale)."""

    reason = "product_barcode"

    def __init__(self, gtin: str) -> None:
        super().__init__(f"{gtin} is a product barcode, not a member code, card or phone number")
        self.gtin = gtin


class PermissionDeniedError(ClerkError):
    reason = "permission_denied"


class RecordError(ClerkError):
    """A record the terminal refuses to save (the hub would refuse it for its shape).
    ``problem`` is the vocabulary's reason (clerk.shared.interactions.REASONS: ``too_long``,
    ``out_of_range`` …), ``field`` the payload field it is about (None: the whole record)."""

    reason = "invalid_record"

    def __init__(self, message: str, *, problem: str, field: str | None) -> None:
        super().__init__(message)
        self.problem = problem
        self.field = field
