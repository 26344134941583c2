-- Changes the search index has yet to see. Written in the same transaction as the change;
-- drained by the search worker, which rebuilds each affected document from the database.
CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'product': one product; 'seller' / 'hotel': every product of the seller / on the
    -- hotel's shelf; 'all': rebuild the whole index.
    topic TEXT NOT NULL CHECK (topic IN ('product', 'seller', 'hotel', 'all')),
    subject_id TEXT,
    enqueued_at TEXT NOT NULL,
    available_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    CHECK ((topic = 'all') = (subject_id IS NULL))
);
CREATE INDEX search_outbox_due_idx ON search_outbox (available_at, id);
