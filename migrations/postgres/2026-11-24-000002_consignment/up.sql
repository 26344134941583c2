CREATE TABLE hotels (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL UNIQUE REFERENCES users (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    kecamatan TEXT NOT NULL CHECK (kecamatan IN ('Blimbing', 'Klojen', 'Kedungkandang', 'Sukun', 'Lowokwaru')),
    phri_number TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hotels_status_idx ON hotels (status, id);

CREATE TABLE consignment_agreements (
    id UUID PRIMARY KEY,
    seller_id UUID NOT NULL REFERENCES sellers (id),
    hotel_id UUID NOT NULL REFERENCES hotels (id),
    commission_bps INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    term_days INTEGER NOT NULL CHECK (term_days BETWEEN 1 AND 3650),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'ended')),
    created_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    ended_by UUID REFERENCES users (id)
);
CREATE INDEX consignment_agreements_seller_idx ON consignment_agreements (seller_id, id);
CREATE INDEX consignment_agreements_hotel_idx ON consignment_agreements (hotel_id, id);

-- A shipment from a seller to a hotel under an agreement.
CREATE TABLE consignments (
    id UUID PRIMARY KEY,
    agreement_id UUID NOT NULL REFERENCES consignment_agreements (id),
    seller_id UUID NOT NULL REFERENCES sellers (id),
    hotel_id UUID NOT NULL REFERENCES hotels (id),
    status TEXT NOT NULL CHECK (status IN ('dispatched', 'received')),
    dispatched_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ
);
CREATE INDEX consignments_agreement_idx ON consignments (agreement_id, id);

CREATE TABLE consignment_lines (
    id UUID PRIMARY KEY,
    consignment_id UUID NOT NULL REFERENCES consignments (id),
    product_id UUID NOT NULL REFERENCES products (id),
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    quantity_received INTEGER CHECK (quantity_received >= 0 AND quantity_received <= quantity),
    UNIQUE (consignment_id, variant_id)
);

-- Current quantity per (variant, location). Locations: 'own', 'transit:<consignment>',
-- 'shelf:<agreement>', and the terminal buckets 'sold', 'missing', 'adjusted_out'.
-- Always equal to what stock_movements add up to; never negative.
CREATE TABLE stock_balances (
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    location TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('own', 'in_transit', 'shelf', 'sold', 'missing', 'adjusted_out')),
    hotel_id UUID REFERENCES hotels (id),
    agreement_id UUID REFERENCES consignment_agreements (id),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (variant_id, location)
);
CREATE INDEX stock_balances_hotel_idx ON stock_balances (hotel_id, variant_id);

-- Append-only ledger. from_location NULL: units that enter (a restock).
CREATE TABLE stock_movements (
    id UUID PRIMARY KEY,
    product_id UUID NOT NULL REFERENCES products (id),
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    from_location TEXT,
    to_location TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    reason TEXT NOT NULL,
    note TEXT,
    reference_id UUID,
    actor_id UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, id);
CREATE INDEX stock_movements_variant_idx ON stock_movements (variant_id, id);

-- What a hotel holds per received consignment line, oldest first out.
CREATE TABLE shelf_lots (
    id UUID PRIMARY KEY,
    agreement_id UUID NOT NULL REFERENCES consignment_agreements (id),
    hotel_id UUID NOT NULL REFERENCES hotels (id),
    seller_id UUID NOT NULL REFERENCES sellers (id),
    product_id UUID NOT NULL REFERENCES products (id),
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    consignment_id UUID NOT NULL REFERENCES consignments (id),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    quantity_received INTEGER NOT NULL CHECK (quantity_received > 0),
    quantity_remaining INTEGER NOT NULL CHECK (quantity_remaining >= 0 AND quantity_remaining <= quantity_received),
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX shelf_lots_variant_idx ON shelf_lots (agreement_id, variant_id, received_at);
CREATE INDEX shelf_lots_hotel_idx ON shelf_lots (hotel_id, quantity_remaining);

CREATE TABLE hotel_sales (
    id UUID PRIMARY KEY,
    hotel_id UUID NOT NULL REFERENCES hotels (id),
    sold_at TIMESTAMPTZ NOT NULL,
    total_idr BIGINT NOT NULL,
    recorded_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

-- The commission rate is frozen on the line at the time of sale.
CREATE TABLE hotel_sale_lines (
    id UUID PRIMARY KEY,
    sale_id UUID NOT NULL REFERENCES hotel_sales (id),
    agreement_id UUID NOT NULL REFERENCES consignment_agreements (id),
    product_id UUID NOT NULL REFERENCES products (id),
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    commission_bps INTEGER NOT NULL,
    sold_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hotel_sale_lines_agreement_idx ON hotel_sale_lines (agreement_id, sold_at);

CREATE TABLE hotel_returns (
    id UUID PRIMARY KEY,
    hotel_id UUID NOT NULL REFERENCES hotels (id),
    agreement_id UUID NOT NULL REFERENCES consignment_agreements (id),
    recorded_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE stock_counts (
    id UUID PRIMARY KEY,
    hotel_id UUID NOT NULL REFERENCES hotels (id),
    recorded_by UUID NOT NULL REFERENCES users (id),
    counted_at TIMESTAMPTZ NOT NULL
);

-- A shelf shortfall found by a count, charged to the hotel at the consignment unit price.
CREATE TABLE stock_count_lines (
    id UUID PRIMARY KEY,
    count_id UUID NOT NULL REFERENCES stock_counts (id),
    agreement_id UUID NOT NULL REFERENCES consignment_agreements (id),
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    expected INTEGER NOT NULL,
    counted INTEGER NOT NULL,
    missing INTEGER NOT NULL CHECK (missing >= 0),
    charge_idr BIGINT NOT NULL CHECK (charge_idr >= 0),
    counted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_count_lines_agreement_idx ON stock_count_lines (agreement_id, counted_at);

-- Closed (and paid) monthly statements, frozen as they were at closing.
CREATE TABLE statements (
    agreement_id UUID NOT NULL REFERENCES consignment_agreements (id),
    period TEXT NOT NULL,
    snapshot JSONB NOT NULL,
    net_idr BIGINT NOT NULL,
    closed_at TIMESTAMPTZ NOT NULL,
    closed_by UUID NOT NULL REFERENCES users (id),
    paid_at TIMESTAMPTZ,
    paid_by UUID REFERENCES users (id),
    payout_reference TEXT,
    PRIMARY KEY (agreement_id, period)
);

-- Responses of POSTs sent with an Idempotency-Key, per account.
CREATE TABLE idempotency_keys (
    user_id UUID NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- The ledger is append-only: corrections are new movements, never edits.
CREATE FUNCTION stock_movements_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock_movements is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER stock_movements_no_update_or_delete BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only();
