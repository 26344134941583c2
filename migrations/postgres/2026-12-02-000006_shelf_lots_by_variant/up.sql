-- A sale looks up a variant's lots at one hotel, oldest first, across its agreements.
CREATE INDEX shelf_lots_hotel_variant_idx ON shelf_lots (hotel_id, variant_id, received_at);
