-- What reports read: sales by month across the city, completions by time, a seller's shelves,
-- the sellers of a sector.
CREATE INDEX hotel_sale_lines_sold_idx ON hotel_sale_lines (sold_at, agreement_id);
CREATE INDEX order_part_events_completed_idx ON order_part_events (at, part_id)
    WHERE status = 'completed';
CREATE INDEX shelf_lots_seller_idx ON shelf_lots (seller_id, quantity_remaining);
CREATE INDEX sellers_sector_idx ON sellers (sector, status);
