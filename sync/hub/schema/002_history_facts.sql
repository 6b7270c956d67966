-- Hub schema, version 2: the customer's history rows keep their facts as fields, not prose.
-- staff_id: who served (the reports count by it); facts: the record's structured facts as
-- JSON (sku, action, amount_cents, coupon_id, items, cart_item_ids, consent flags: see
-- clerk/shared/interactions.py), text: only what the associate typed. The rows of the
-- interactions accepted before are rebuilt from their payloads when this is applied
-- (sync/hub/history.py), redemptions included.

ALTER TABLE visits ADD COLUMN staff_id TEXT;
ALTER TABLE visits ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
