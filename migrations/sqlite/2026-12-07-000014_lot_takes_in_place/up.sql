-- A sale or a return lowers a lot's quantity_remaining; out of every index, that update
-- rewrites no index entry. A hotel's lots are still found by (hotel_id, variant_id,
-- received_at); a seller's by seller_id.
DROP INDEX shelf_lots_hotel_idx;
DROP INDEX shelf_lots_seller_idx;
CREATE INDEX shelf_lots_seller_idx ON shelf_lots (seller_id);
