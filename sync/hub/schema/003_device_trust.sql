-- Hub schema, version 3: devices that can be cut off, reads by proof, the hub's own audit.
--
-- devices.token_hash now holds the SHA-256 of the device *secret* (exchanged at
-- POST /v1/devices/token for short-lived access tokens); a device enrolled before this
-- version keeps its old long-lived token as its secret. The signing keys' private halves
-- leave the database for the key file when it is opened (signing_keys.private_key is kept,
-- empty, for the databases written before).

ALTER TABLE devices ADD COLUMN revoked_reason TEXT;
ALTER TABLE devices ADD COLUMN last_seen_at {{BIGINT}};

CREATE TABLE admin_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,   -- sha256 hex of the admin token
    created_at {{BIGINT}} NOT NULL,
    revoked_at {{BIGINT}}
);

-- Every look-up of a member by proof of presence (POST /v1/members/lookup), served or not.
CREATE TABLE member_lookups (
    id {{SERIAL}},
    device_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    staff_id TEXT,
    proof TEXT NOT NULL,               -- code | card | phone
    outcome TEXT NOT NULL,             -- served | not_found | bad_proof
    member_id TEXT,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX member_lookups_device_at ON member_lookups(device_id, at);

-- Members served to a device by proof, and when last: what it may write about later.
CREATE TABLE members_served (
    device_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    served_at {{BIGINT}} NOT NULL,
    PRIMARY KEY (device_id, member_id)
);

CREATE TABLE hub_audit (
    id {{SERIAL}},
    at {{BIGINT}} NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,              -- device_revoke | device_import | admin_token_create | …
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}'
);
