-- 'stock': one product's stock quantities changed but nothing its search document holds
-- (a sale that leaves units on the shelf): read caches drop the product, the index is not
-- touched.
ALTER TABLE search_outbox
    DROP CONSTRAINT search_outbox_topic_check,
    ADD CONSTRAINT search_outbox_topic_check
        CHECK (topic IN ('product', 'stock', 'seller', 'hotel', 'all'));
