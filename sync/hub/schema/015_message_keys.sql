-- Hub schema, version 15: the message ids a Segment source sent, keyed by a 16-byte digest
-- (md5 of source id, US, messageId: sync/hub/segment/messages.py) instead of the pair of texts
-- — a smaller index written into and probed for every call. PostgreSQL keeps it as a uuid,
-- SQLite as a 16-byte blob. The ids kept before are moved over by the migration's data step
-- (messages.backfill), which then drops intake_messages.
CREATE TABLE intake_message_keys (
    key UUID PRIMARY KEY,
    received_at {{BIGINT}} NOT NULL
);

-- cart_member (member_id) is the prefix of cart_member_sku (member_id, sku), which serves its
-- look-ups: one index fewer written for every new cart line.
DROP INDEX cart_member;
