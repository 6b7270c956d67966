"""The device's enrolment, kept in outbox.db's ``outbox_meta`` (the precious file).

cache.db is disposable and may be rebuilt at any time; losing the device credentials with it
would strand the interactions waiting in the outbox, so they live next to them: the device
secret (long-lived: it gets access tokens), the latest access token, and — once the hub said
so — when this device was revoked.

A terminal enrolled before device secrets existed has only its old long-lived token: that token
is its device secret at the hub (:func:`adopt_legacy_secret` keeps it as such before the
first access token takes its place).
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
    device_secret: str | None = None
    revoked_at: int | None = None  # the hub answered ``device_revoked``

    def __repr__(self) -> str:  # never print the token or the secret
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
    revoked = rows.get(outbox_mod.META_DEVICE_REVOKED_AT)
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
        device_secret=rows.get(outbox_mod.META_DEVICE_SECRET) or None,
        revoked_at=int(revoked) if revoked and revoked.isdigit() else None,
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
            outbox_mod.META_DEVICE_SECRET: creds.device_secret,
            outbox_mod.META_DEVICE_REVOKED_AT: (
                None if creds.revoked_at is None else str(creds.revoked_at)
            ),
        },
    )


def adopt_legacy_secret(outbox: sqlite3.Connection) -> Credentials | None:
    """The credentials, after making a pre-secret enrolment's long-lived token its device
    secret (the hub took it as such when it moved to access tokens)."""
    creds = credentials(outbox)
    if creds is None or creds.device_secret is not None:
        return creds
    outbox_mod.set_meta(outbox, {outbox_mod.META_DEVICE_SECRET: creds.token})
    return credentials(outbox)


def note_access_token(outbox: sqlite3.Connection, token: str) -> None:
    """Keep the newest access token (the next process starts with it)."""
    outbox_mod.set_meta(outbox, {outbox_mod.META_TOKEN: token})


def note_revoked(outbox: sqlite3.Connection, at: int) -> None:
    """The hub said this device was revoked: remember it (until the terminal is enrolled
    again), so it stops asking."""
    if outbox_mod.get_meta(outbox, outbox_mod.META_DEVICE_REVOKED_AT) is None:
        outbox_mod.set_meta(outbox, {outbox_mod.META_DEVICE_REVOKED_AT: str(at)})
