-- Hub schema, version 11 (issue 18): the points ledger and what to offer with a product.
-- The earn rule is a setting (settings.points_rule, JSON: sync/hub/points.py).

-- Every change of a member's points balance the hub made: earn (a sale, by the chain's rule),
-- redeem (at a counter; an overdraft is kept and flagged on its interaction), refund (an
-- overdraft reversed by a manager). ``id``: the interaction that made it.
CREATE TABLE points_ledger (
    id TEXT PRIMARY KEY,
    member_id TEXT NOT NULL,
    store_id TEXT,
    kind TEXT NOT NULL,                -- earn | redeem | refund
    points {{BIGINT}} NOT NULL,        -- signed: earned and refunded > 0, redeemed < 0
    balance {{BIGINT}} NOT NULL,       -- the member's balance after it
    tier_from TEXT NOT NULL,
    tier_to TEXT NOT NULL,
    at {{BIGINT}} NOT NULL
);
CREATE INDEX points_ledger_member ON points_ledger(member_id, at);
CREATE INDEX points_ledger_store_at ON points_ledger(store_id, at);

-- Per product, the products to offer with it (sync/hub/recommend.py), best first, as JSON
-- [{"sku", "reason", "score"}, …].
CREATE TABLE product_related (
    sku TEXT PRIMARY KEY,
    related TEXT NOT NULL DEFAULT '[]',
    built_at {{BIGINT}} NOT NULL
);
