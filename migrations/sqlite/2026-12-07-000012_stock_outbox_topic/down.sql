-- A 'stock' row asks less than a 'product' row: the older worker rebuilds the document.
CREATE TABLE search_outbox_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL CHECK (topic IN ('product', 'seller', 'hotel', 'all')),
    subject_id TEXT,
    enqueued_at TEXT NOT NULL,
    available_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    CHECK ((topic = 'all') = (subject_id IS NULL))
);
INSERT INTO search_outbox_old
    (id, topic, subject_id, enqueued_at, available_at, attempts, last_error)
SELECT id, CASE topic WHEN 'stock' THEN 'product' ELSE topic END, subject_id, enqueued_at,
    available_at, attempts, last_error
FROM search_outbox;
DROP TABLE search_outbox;
ALTER TABLE search_outbox_old RENAME TO search_outbox;
CREATE INDEX search_outbox_due_idx ON search_outbox (available_at, id);
