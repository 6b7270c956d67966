-- Hub schema, version 5 (issue 16): behaviour events in through the Segment HTTP Tracking API
-- (sync/hub/segment/), one member per person (OneID), orders and wishlists.

-- The sources that send events, each with its write key (only its SHA-256 is kept).
CREATE TABLE intake_sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    allow_provisional INTEGER NOT NULL DEFAULT 0,  -- unknown userIds may create members
    created_at {{BIGINT}} NOT NULL,
    revoked_at {{BIGINT}}
);

-- What each source sent, counted: (accepted | duplicate | rejected | unknown | ignored |
-- held | dropped | stale, the call's type or event name).
CREATE TABLE intake_counts (
    source_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    name TEXT NOT NULL,
    n {{BIGINT}} NOT NULL,
    last_at {{BIGINT}} NOT NULL,
    PRIMARY KEY (source_id, outcome, name)
);

-- Every messageId taken from a source: a replay is a no-op.
CREATE TABLE intake_messages (
    source_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at {{BIGINT}} NOT NULL,
    PRIMARY KEY (source_id, message_id)
);

-- The newest calls refused inside batches, with why (a few hundred per source are kept).
CREATE TABLE intake_rejects (
    id {{SERIAL}},
    source_id TEXT NOT NULL,
    message_id TEXT,
    reason TEXT NOT NULL,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX intake_rejects_source ON intake_rejects(source_id, id);

-- OneID: each identity (user | anon | unionid | phone — its keyed hash — | card) of one member.
CREATE TABLE identities (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    member_id TEXT NOT NULL,
    source_id TEXT,
    first_seen {{BIGINT}} NOT NULL,
    last_seen {{BIGINT}} NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX identities_member ON identities(member_id);

-- Calls of identities no member has yet (browsing before login, unknown userIds), held until
-- an identify or alias binds the identity.
CREATE TABLE intake_held (
    id {{SERIAL}},
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    source_id TEXT NOT NULL,
    message TEXT NOT NULL,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX intake_held_identity ON intake_held(kind, value);

-- Merges the hub will not guess: an identity claimed by two members. A person settles them
-- (clerk hub identity conflicts | resolve).
CREATE TABLE identity_conflicts (
    id {{SERIAL}},
    source_id TEXT,
    message_id TEXT,
    identities TEXT NOT NULL,          -- JSON: [[kind, value], …] in contest
    members TEXT NOT NULL,             -- JSON: the member ids claiming them
    message TEXT NOT NULL,             -- the call, applied again when settled
    at {{BIGINT}} NOT NULL,
    resolved_at {{BIGINT}},
    kept TEXT                          -- JSON: the members kept
);

-- Per online cart line, the time of the newest event applied (ms): an older one is a no-op.
ALTER TABLE cart_items ADD COLUMN event_at {{BIGINT}};
CREATE INDEX cart_member_sku ON cart_items(member_id, sku);

CREATE TABLE wishlist_items (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    added_at {{BIGINT}} NOT NULL
);
CREATE INDEX wishlist_member ON wishlist_items(member_id);

-- Orders placed online, their lines as JSON ([{sku, qty, price_cents}, …]).
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    total_cents {{BIGINT}} NOT NULL,
    state TEXT NOT NULL,               -- completed | refunded
    items TEXT NOT NULL DEFAULT '[]',
    at {{BIGINT}} NOT NULL,
    refunded_at {{BIGINT}}
);
CREATE INDEX orders_member ON orders(member_id);
