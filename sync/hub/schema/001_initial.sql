-- Hub schema, version 1. Tokens replaced per dialect: {{SERIAL}} (auto-increment primary key
-- that never reuses a value), {{BIGINT}}. Everything else is SQL both SQLite and PostgreSQL run.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE stores (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT,
    city TEXT
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES stores(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,   -- sha256 hex of the bearer token
    created_at {{BIGINT}} NOT NULL,
    revoked_at {{BIGINT}}
);

CREATE TABLE enrol_codes (
    code_hash TEXT PRIMARY KEY,        -- sha256 hex of the normalised code
    store_id TEXT NOT NULL REFERENCES stores(id),
    created_at {{BIGINT}} NOT NULL,
    expires_at {{BIGINT}} NOT NULL,
    used_at {{BIGINT}},
    device_id TEXT
);

CREATE TABLE signing_keys (
    kid INTEGER PRIMARY KEY,
    private_key TEXT NOT NULL,         -- Ed25519 raw private key, hex
    public_key TEXT NOT NULL,          -- Ed25519 raw public key, hex
    created_at {{BIGINT}} NOT NULL,
    not_after {{BIGINT}}               -- NULL: the active (signing) key
);

CREATE TABLE products (
    sku TEXT PRIMARY KEY,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents {{BIGINT}} NOT NULL,
    image TEXT,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    code_id {{BIGINT}} NOT NULL UNIQUE,
    card_no TEXT UNIQUE,
    phone TEXT,                        -- E.164, never sent to terminals
    phone_hash TEXT,
    phone_masked TEXT,
    name TEXT NOT NULL,
    name_en TEXT,
    tier TEXT NOT NULL DEFAULT 'basic',
    points {{BIGINT}} NOT NULL DEFAULT 0,
    consent_marketing INTEGER NOT NULL DEFAULT 0,
    consent_browsing INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    home_store TEXT,
    birthday TEXT,
    joined_at {{BIGINT}},
    last_seen {{BIGINT}},
    updated_at {{BIGINT}}
);
CREATE INDEX members_phone_hash ON members(phone_hash);
CREATE INDEX members_home_store ON members(home_store);

CREATE TABLE browse_events (
    id {{BIGINT}} PRIMARY KEY,
    member_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    channel TEXT NOT NULL,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX browse_member_at ON browse_events(member_id, at);

CREATE TABLE cart_items (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    qty INTEGER NOT NULL DEFAULT 1,
    price_cents {{BIGINT}} NOT NULL,
    added_at {{BIGINT}} NOT NULL,
    state TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX cart_member ON cart_items(member_id);

CREATE TABLE coupons (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    rule TEXT NOT NULL,
    value {{BIGINT}} NOT NULL,
    min_spend_cents {{BIGINT}} NOT NULL DEFAULT 0,
    applies_to TEXT NOT NULL DEFAULT '{}',
    valid_from {{BIGINT}} NOT NULL,
    expires_at {{BIGINT}} NOT NULL,
    state TEXT NOT NULL DEFAULT 'live',
    used_at {{BIGINT}},
    used_by TEXT                       -- interaction id of the accepted redemption
);
CREATE INDEX coupons_member ON coupons(member_id);

CREATE TABLE visits (
    id TEXT PRIMARY KEY,               -- the interaction id
    member_id TEXT NOT NULL,
    store_id TEXT,
    store_name TEXT,
    staff_name TEXT,
    kind TEXT NOT NULL,
    text TEXT,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX visits_member_at ON visits(member_id, at);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    pin_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at {{BIGINT}}
);
CREATE INDEX staff_store ON staff(store_id);

CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    device_seq {{BIGINT}} NOT NULL,
    kind TEXT NOT NULL,
    member_id TEXT,
    member_ref TEXT,
    staff_id TEXT,
    created_at {{BIGINT}} NOT NULL,
    received_at {{BIGINT}} NOT NULL,
    payload TEXT NOT NULL,
    body_hash TEXT NOT NULL,           -- sha256 of the canonical content: tells a repeat from reuse
    status TEXT NOT NULL,              -- accepted | duplicate | conflict | rejected
    reason TEXT,
    conflict_with TEXT,
    resolved_by TEXT                   -- interaction id of the manager's resolve
);
CREATE INDEX interactions_device_seq ON interactions(device_id, device_seq);
CREATE INDEX interactions_store_status ON interactions(store_id, status);
CREATE INDEX interactions_received ON interactions(received_at);

CREATE TABLE jti_sightings (
    jti TEXT NOT NULL,
    device_id TEXT NOT NULL,
    store_id TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    member_id TEXT,
    seen_at {{BIGINT}} NOT NULL,
    flagged INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (jti, device_id)
);

CREATE TABLE changes (
    seq {{SERIAL}},
    store_id TEXT,                     -- NULL: every store
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    op TEXT NOT NULL                   -- upsert | delete
);
CREATE INDEX changes_store_seq ON changes(store_id, seq);
CREATE INDEX changes_entity_key ON changes(entity, key);
