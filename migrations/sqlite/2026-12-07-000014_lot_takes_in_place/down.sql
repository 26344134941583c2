DROP INDEX shelf_lots_seller_idx;
CREATE INDEX shelf_lots_seller_idx ON shelf_lots (seller_id, quantity_remaining);
CREATE INDEX shelf_lots_hotel_idx ON shelf_lots (hotel_id, quantity_remaining);
