-- Webhooks (Standard Webhooks). An endpoint belongs to the account that made it and hears
-- the events its party (a seller, a hotel, or any admin) may see.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    owner_user_id TEXT NOT NULL REFERENCES users (id),
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('seller', 'hotel', 'admin')),
    -- The seller or hotel the endpoint speaks for; NULL for an admin's.
    party_id TEXT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    -- After a rotation the old secret signs alongside the new one until this time.
    previous_secret TEXT,
    previous_secret_until TEXT,
    -- Set at the first failed attempt since the last success; five days of it disables.
    failing_since TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((owner_kind = 'admin') = (party_id IS NULL))
);
CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (owner_user_id, id);

-- Written in the transaction of the change it reports; the worker fans it out to the
-- endpoints that hear it, then marks it.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    -- The exact bytes sent: {"type", "timestamp", "data"}.
    body TEXT NOT NULL,
    seller_id TEXT,
    hotel_id TEXT,
    admins BOOLEAN NOT NULL,
    -- A test event goes to this endpoint only.
    endpoint_id TEXT,
    created_at TEXT NOT NULL,
    fanned_out BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_pending_idx ON webhook_events (created_at) WHERE NOT fanned_out;

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES webhook_events (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When a pending delivery is due; while an attempt runs, when it may be taken again.
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id),
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id);

-- Append-only: every attempt and what came of it.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    at TEXT NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    response_excerpt TEXT,
    UNIQUE (delivery_id, number)
);
