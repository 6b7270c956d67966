"""The device's enrolment, kept in outbox.db's ``outbox_meta`` (the precious file).

cache.db is disposable and may be rebuilt at any time; losing the device token with it would
strand the interactions waiting in the outbox, so credentials live next to them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from clerk import outbox as outbox_mod

META_DEVICE_NAME = "device_name"
META_ENROLLED_AT = "enrolled_at"


@dataclass(frozen=True)
class Credentials:
    device_id: str
    token: str
    store_id: str
    hub_url: str
    # What the terminal needs to take a typed phone (clerk/shared/phones.py); a terminal
    # enrolled by an older hub gets them with its next keys refresh.
    phone_bucket_key: str | None = None
    phone_seal_key: str | None = None
    store_name: str | None = None
    device_name: str | None = None
    enrolled_at: int | None = None

    def __repr__(self) -> str:  # never print the token
        return (
            f"Credentials(device_id={self.device_id!r}, store_id={self.store_id!r}, "
            f"hub_url={self.hub_url!r})"
        )


def credentials(outbox: sqlite3.Connection) -> Credentials | None:
    """The stored enrolment, or None when this terminal was never (fully) enrolled."""
    rows = dict(outbox.execute("SELECT key, value FROM outbox_meta").fetchall())
    required = (
        outbox_mod.META_DEVICE_ID,
        outbox_mod.META_TOKEN,
        outbox_mod.META_STORE_ID,
        outbox_mod.META_HUB_URL,
    )
    if any(not rows.get(k) for k in required):
        return None
    enrolled = rows.get(META_ENROLLED_AT)
    return Credentials(
        device_id=rows[outbox_mod.META_DEVICE_ID],
        token=rows[outbox_mod.META_TOKEN],
        store_id=rows[outbox_mod.META_STORE_ID],
        hub_url=rows[outbox_mod.META_HUB_URL],
        phone_bucket_key=rows.get(outbox_mod.META_PHONE_BUCKET_KEY),
        phone_seal_key=rows.get(outbox_mod.META_PHONE_SEAL_KEY),
        store_name=rows.get(outbox_mod.META_STORE_NAME),
        device_name=rows.get(META_DEVICE_NAME),
        enrolled_at=int(enrolled) if enrolled and enrolled.isdigit() else None,
    )


def save_credentials(outbox: sqlite3.Connection, creds: Credentials) -> None:
    """Store the enrolment in one synchronous=FULL transaction."""
    outbox_mod.set_meta(
        outbox,
        {
            outbox_mod.META_DEVICE_ID: creds.device_id,
            outbox_mod.META_TOKEN: creds.token,
            outbox_mod.META_STORE_ID: creds.store_id,
            outbox_mod.META_HUB_URL: creds.hub_url,
            outbox_mod.META_PHONE_BUCKET_KEY: creds.phone_bucket_key,
            outbox_mod.META_PHONE_SEAL_KEY: creds.phone_seal_key,
            outbox_mod.META_STORE_NAME: creds.store_name,
            META_DEVICE_NAME: creds.device_name,
            META_ENROLLED_AT: None if creds.enrolled_at is None else str(creds.enrolled_at),
        },
    )
