-- 'stock': one product's stock quantities changed but nothing its search document holds
-- (a sale that leaves units on the shelf): the read cache drops the product, the index is
-- not touched. SQLite changes a CHECK only by rebuilding the table (nothing references it).
CREATE TABLE search_outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL CHECK (topic IN ('product', 'stock', 'seller', 'hotel', 'all')),
    subject_id TEXT,
    enqueued_at TEXT NOT NULL,
    available_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    CHECK ((topic = 'all') = (subject_id IS NULL))
);
INSERT INTO search_outbox_new
    (id, topic, subject_id, enqueued_at, available_at, attempts, last_error)
SELECT id, topic, subject_id, enqueued_at, available_at, attempts, last_error
FROM search_outbox;
DROP TABLE search_outbox;
ALTER TABLE search_outbox_new RENAME TO search_outbox;
CREATE INDEX search_outbox_due_idx ON search_outbox (available_at, id);
