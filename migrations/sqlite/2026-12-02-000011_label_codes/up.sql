-- A shelf label code per consignment line: ten characters of Crockford's base32 drawn from
-- a cryptographic source, printed on every unit of the line as the QR code `KRY1:{code}`.
-- Codes are never reused: lines are never deleted, and the index refuses a repeat.
-- SQLite adds a NOT NULL column only with a default, so the table is rebuilt (nothing
-- references its rows).
CREATE TABLE consignment_lines_new (
    id TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL REFERENCES consignments (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    quantity_received INTEGER CHECK (quantity_received >= 0 AND quantity_received <= quantity),
    label_code TEXT NOT NULL CHECK (length(label_code) = 10 AND label_code NOT GLOB '*[^0-9A-HJKMNP-TV-Z]*'),
    UNIQUE (consignment_id, variant_id)
);

-- Lines dispatched before labels existed get theirs here: SQLite's random() is its
-- ChaCha20 generator seeded by the operating system, called afresh for every letter of
-- every row.
INSERT INTO consignment_lines_new
    (id, consignment_id, product_id, variant_id, quantity, unit_price_idr, quantity_received,
     label_code)
SELECT id, consignment_id, product_id, variant_id, quantity, unit_price_idr, quantity_received,
    substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + (random() & 31), 1)
FROM consignment_lines;

DROP TABLE consignment_lines;
ALTER TABLE consignment_lines_new RENAME TO consignment_lines;
CREATE UNIQUE INDEX consignment_lines_label_code_idx ON consignment_lines (label_code);
