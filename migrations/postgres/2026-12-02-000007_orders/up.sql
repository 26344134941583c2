-- Online orders: a buyer's checkout, split into one part per seller. A part's units are
-- held in the ledger place 'reserved:<part>' until it completes ('sold_online') or is
-- cancelled or expires (back to 'own').
ALTER TABLE stock_balances DROP CONSTRAINT stock_balances_kind_check;
ALTER TABLE stock_balances ADD CONSTRAINT stock_balances_kind_check
    CHECK (kind IN ('own', 'in_transit', 'shelf', 'sold', 'missing', 'adjusted_out', 'reserved', 'sold_online'));

-- The last order number given per year (WIB): numbers are sequential and never reused.
CREATE TABLE order_numbers (
    year INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
);

CREATE TABLE orders (
    id UUID PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    buyer_id UUID NOT NULL REFERENCES users (id),
    recipient TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    kelurahan TEXT,
    kecamatan TEXT,
    city TEXT NOT NULL,
    province TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_buyer_idx ON orders (buyer_id, id);

CREATE TABLE order_parts (
    id UUID PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES orders (id),
    seller_id UUID NOT NULL REFERENCES sellers (id),
    status TEXT NOT NULL CHECK (status IN ('awaiting_confirmation', 'awaiting_payment', 'paid',
        'shipped', 'completed', 'cancelled', 'expired')),
    items_idr BIGINT NOT NULL CHECK (items_idr > 0),
    shipping_idr BIGINT CHECK (shipping_idr >= 0),
    payment_reference TEXT,
    courier TEXT,
    tracking_number TEXT,
    cancel_reason TEXT,
    -- When the part last changed status: expiry and auto-completion count from here.
    step_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_parts_order_idx ON order_parts (order_id);
CREATE INDEX order_parts_seller_idx ON order_parts (seller_id, id);
-- The sweep looks for parts waiting too long.
CREATE INDEX order_parts_due_idx ON order_parts (status, step_at);

CREATE TABLE order_lines (
    id UUID PRIMARY KEY,
    part_id UUID NOT NULL REFERENCES order_parts (id),
    position INTEGER NOT NULL,
    product_id UUID NOT NULL REFERENCES products (id),
    variant_id UUID NOT NULL REFERENCES product_variants (id),
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    options JSONB NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    unit_price_idr BIGINT NOT NULL CHECK (unit_price_idr > 0),
    line_idr BIGINT NOT NULL CHECK (line_idr > 0)
);
CREATE INDEX order_lines_part_idx ON order_lines (part_id, position);

-- Append-only: every status a part took, who moved it there and when.
CREATE TABLE order_part_events (
    id UUID PRIMARY KEY,
    part_id UUID NOT NULL REFERENCES order_parts (id),
    status TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor IN ('buyer', 'seller', 'system')),
    actor_id UUID REFERENCES users (id),
    note TEXT,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_part_events_part_idx ON order_part_events (part_id, id);
