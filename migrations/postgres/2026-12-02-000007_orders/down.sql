DROP TABLE order_part_events;
DROP TABLE order_lines;
DROP TABLE order_parts;
DROP TABLE orders;
DROP TABLE order_numbers;
DELETE FROM stock_balances WHERE kind IN ('reserved', 'sold_online');
ALTER TABLE stock_balances DROP CONSTRAINT stock_balances_kind_check;
ALTER TABLE stock_balances ADD CONSTRAINT stock_balances_kind_check
    CHECK (kind IN ('own', 'in_transit', 'shelf', 'sold', 'missing', 'adjusted_out'));
