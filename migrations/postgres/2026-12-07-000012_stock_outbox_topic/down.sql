-- A 'stock' row asks less than a 'product' row: the older worker rebuilds the document.
UPDATE search_outbox SET topic = 'product' WHERE topic = 'stock';
ALTER TABLE search_outbox
    DROP CONSTRAINT search_outbox_topic_check,
    ADD CONSTRAINT search_outbox_topic_check
        CHECK (topic IN ('product', 'seller', 'hotel', 'all'));
