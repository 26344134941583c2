ALTER TABLE order_part_events DROP COLUMN declined;
