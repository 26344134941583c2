-- Online orders: a buyer's checkout, split into one part per seller. A part's units are
-- held in the ledger place 'reserved:<part>' until it completes ('sold_online') or is
-- cancelled or expires (back to 'own'). SQLite cannot change a CHECK: the balances table is
-- rebuilt with the two new kinds.
CREATE TABLE stock_balances_new (
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    location TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('own', 'in_transit', 'shelf', 'sold', 'missing', 'adjusted_out', 'reserved', 'sold_online')),
    hotel_id TEXT REFERENCES hotels (id),
    agreement_id TEXT REFERENCES consignment_agreements (id),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (variant_id, location)
);
INSERT INTO stock_balances_new SELECT variant_id, location, kind, hotel_id, agreement_id, quantity FROM stock_balances;
DROP TABLE stock_balances;
ALTER TABLE stock_balances_new RENAME TO stock_balances;
CREATE INDEX stock_balances_hotel_idx ON stock_balances (hotel_id, variant_id);

-- The last order number given per year (WIB): numbers are sequential and never reused.
CREATE TABLE order_numbers (
    year INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    buyer_id TEXT NOT NULL REFERENCES users (id),
    recipient TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    kelurahan TEXT,
    kecamatan TEXT,
    city TEXT NOT NULL,
    province TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, id);

CREATE TABLE order_parts (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    seller_id TEXT NOT NULL REFERENCES sellers (id),
    status TEXT NOT NULL CHECK (status IN ('awaiting_confirmation', 'awaiting_payment', 'paid',
        'shipped', 'completed', 'cancelled', 'expired')),
    items_idr BIGINT NOT NULL CHECK (items_idr > 0),
    shipping_idr BIGINT CHECK (shipping_idr >= 0),
    payment_reference TEXT,
    courier TEXT,
    tracking_number TEXT,
    cancel_reason TEXT,
    -- When the part last changed status: expiry and auto-completion count from here.
    step_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX order_parts_order_idx ON order_parts (order_id);
CREATE INDEX order_parts_seller_idx ON order_parts (seller_id, id);
-- The sweep looks for parts waiting too long.
CREATE INDEX order_parts_due_idx ON order_parts (status, step_at);

CREATE TABLE order_lines (
    id TEXT PRIMARY KEY,
    part_id TEXT NOT NULL REFERENCES order_parts (id),
    position INTEGER NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    variant_id TEXT NOT NULL REFERENCES product_variants (id),
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    options TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    line_idr BIGINT NOT NULL CHECK (line_idr > 0)
);
CREATE INDEX order_lines_part_idx ON order_lines (part_id, position);

-- Append-only: every status a part took, who moved it there and when.
CREATE TABLE order_part_events (
    id TEXT PRIMARY KEY,
    part_id TEXT NOT NULL REFERENCES order_parts (id),
    status TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor IN ('buyer', 'seller', 'system')),
    actor_id TEXT REFERENCES users (id),
    note TEXT,
    at TEXT NOT NULL
);
CREATE INDEX order_part_events_part_idx ON order_part_events (part_id, id);
