-- Hub schema, version 4 (issue 14): each device's audit chain as the hub acknowledged it, the
-- problems found in it, and members' phones in the form terminals may hold.

-- The last audit row acknowledged per device; the next upload must chain onto it.
CREATE TABLE audit_heads (
    device_id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    seq {{BIGINT}} NOT NULL,
    hash TEXT NOT NULL,
    updated_at {{BIGINT}} NOT NULL
);
CREATE INDEX audit_heads_seq_hash ON audit_heads(seq, hash);

-- Gaps, rewrites and rows that do not match their hash, for HQ (clerk hub audit flags).
CREATE TABLE audit_flags (
    id {{SERIAL}},
    device_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    seq {{BIGINT}},
    problem TEXT NOT NULL,
    interaction_id TEXT,
    detail TEXT,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX audit_flags_store ON audit_flags(store_id, id);
CREATE INDEX audit_flags_device ON audit_flags(device_id, id);

-- What terminals hold of a phone: its last four digits (fewer for short numbers) and an 8-bit
-- keyed bucket. The full keyed hash (phone_hash) and the number stay at the hub. Filled from
-- `phone` by the data step of this version (sync.hub.members.fill_phone_columns).
ALTER TABLE members ADD COLUMN phone_last4 TEXT;
ALTER TABLE members ADD COLUMN phone_bucket INTEGER;
