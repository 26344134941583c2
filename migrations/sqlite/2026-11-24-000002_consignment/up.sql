CREATE TABLE hotels (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    kecamatan TEXT NOT NULL CHECK (kecamatan IN ('Blimbing', 'Klojen', 'Kedungkandang', 'Sukun', 'Lowokwaru')),
    phri_number TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX hotels_status_idx ON hotels (status, id);

CREATE TABLE consignment_agreements (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    hotel_id TEXT NOT NULL REFERENCES hotels (id),
    commission_bps INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    term_days INTEGER NOT NULL CHECK (term_days BETWEEN 1 AND 3650),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'ended')),
    created_at TEXT NOT NULL,
    accepted_at TEXT,
    ended_at TEXT,
    ended_by TEXT REFERENCES users (id)
);
CREATE INDEX consignment_agreements_seller_idx ON consignment_agreements (seller_id, id);
CREATE INDEX consignment_agreements_hotel_idx ON consignment_agreements (hotel_id, id);

-- A shipment from a seller to a hotel under an agreement.
CREATE TABLE consignments (
    id TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES consignment_agreements (id),
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    hotel_id TEXT NOT NULL REFERENCES hotels (id),
    status TEXT NOT NULL CHECK (status IN ('dispatched', 'received')),
    dispatched_at TEXT NOT NULL,
    received_at TEXT
);
CREATE INDEX consignments_agreement_idx ON consignments (agreement_id, id);

CREATE TABLE consignment_lines (
    id TEXT PRIMARY KEY,
    consignment_id TEXT NOT NULL REFERENCES consignments (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    quantity_received INTEGER CHECK (quantity_received >= 0 AND quantity_received <= quantity),
    UNIQUE (consignment_id, variant_id)
);

-- Current quantity per (variant, location). Locations: 'own', 'transit:<consignment>',
-- 'shelf:<agreement>', and the terminal buckets 'sold', 'missing', 'adjusted_out'.
-- Always equal to what stock_movements add up to; never negative.
CREATE TABLE stock_balances (
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    location TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('own', 'in_transit', 'shelf', 'sold', 'missing', 'adjusted_out')),
    hotel_id TEXT REFERENCES hotels (id),
    agreement_id TEXT REFERENCES consignment_agreements (id),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (variant_id, location)
);
CREATE INDEX stock_balances_hotel_idx ON stock_balances (hotel_id, variant_id);

-- Append-only ledger. from_location NULL: units that enter (a restock).
CREATE TABLE stock_movements (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    from_location TEXT,
    to_location TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    reason TEXT NOT NULL,
    note TEXT,
    reference_id TEXT,
    actor_id TEXT REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, id);
CREATE INDEX stock_movements_variant_idx ON stock_movements (variant_id, id);

-- What a hotel holds per received consignment line, oldest first out.
CREATE TABLE shelf_lots (
    id TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES consignment_agreements (id),
    hotel_id TEXT NOT NULL REFERENCES hotels (id),
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    consignment_id TEXT NOT NULL REFERENCES consignments (id),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    quantity_received INTEGER NOT NULL CHECK (quantity_received > 0),
    quantity_remaining INTEGER NOT NULL CHECK (quantity_remaining >= 0 AND quantity_remaining <= quantity_received),
    received_at TEXT NOT NULL
);
CREATE INDEX shelf_lots_variant_idx ON shelf_lots (agreement_id, variant_id, received_at);
CREATE INDEX shelf_lots_hotel_idx ON shelf_lots (hotel_id, quantity_remaining);

CREATE TABLE hotel_sales (
    id TEXT PRIMARY KEY,
    hotel_id TEXT NOT NULL REFERENCES hotels (id),
    sold_at TEXT NOT NULL,
    total_idr BIGINT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- The commission rate is frozen on the line at the time of sale.
CREATE TABLE hotel_sale_lines (
    id TEXT PRIMARY KEY,
    sale_id TEXT NOT NULL REFERENCES hotel_sales (id),
    agreement_id TEXT NOT NULL REFERENCES consignment_agreements (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    commission_bps INTEGER NOT NULL,
    sold_at TEXT NOT NULL
);
CREATE INDEX hotel_sale_lines_agreement_idx ON hotel_sale_lines (agreement_id, sold_at);

CREATE TABLE hotel_returns (
    id TEXT PRIMARY KEY,
    hotel_id TEXT NOT NULL REFERENCES hotels (id),
    agreement_id TEXT NOT NULL REFERENCES consignment_agreements (id),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE stock_counts (
    id TEXT PRIMARY KEY,
    hotel_id TEXT NOT NULL REFERENCES hotels (id),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    counted_at TEXT NOT NULL
);

-- A shelf shortfall found by a count, charged to the hotel at the consignment unit price.
CREATE TABLE stock_count_lines (
    id TEXT PRIMARY KEY,
    count_id TEXT NOT NULL REFERENCES stock_counts (id),
    agreement_id TEXT NOT NULL REFERENCES consignment_agreements (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    expected INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    missing INTEGER NOT NULL CHECK (missing >= 0),
    charge_idr BIGINT NOT NULL CHECK (charge_idr >= 0),
    counted_at TEXT NOT NULL
);
CREATE INDEX stock_count_lines_agreement_idx ON stock_count_lines (agreement_id, counted_at);

-- Closed (and paid) monthly statements, frozen as they were at closing.
CREATE TABLE statements (
    agreement_id TEXT NOT NULL REFERENCES consignment_agreements (id),
    period TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    net_idr BIGINT NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL REFERENCES users (id),
    paid_at TEXT,
    paid_by TEXT REFERENCES users (id),
    payout_reference TEXT,
    PRIMARY KEY (agreement_id, period)
);

-- Responses of POSTs sent with an Idempotency-Key, per account.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- The ledger is append-only: corrections are new movements, never edits.
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN
    SELECT RAISE(ABORT, 'stock_movements is append-only');
END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
BEGIN
    SELECT RAISE(ABORT, 'stock_movements is append-only');
END;
