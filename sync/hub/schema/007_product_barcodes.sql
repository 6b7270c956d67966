-- Hub schema, version 7 (issue 19): a product's barcode — its EAN-13 (a UPC-A kept as its
-- EAN-13, clerk/shared/gtin.py) — sent to terminals with the product, so a barcode scanned at
-- the counter names the product (or adds a sale line) instead of looking up a member. Master
-- data imports fill it (column `barcode`); one barcode names one product.
ALTER TABLE products ADD COLUMN barcode TEXT;
CREATE UNIQUE INDEX products_barcode ON products(barcode);
