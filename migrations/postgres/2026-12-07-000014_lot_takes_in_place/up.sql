-- A sale or a return lowers a lot's quantity_remaining. While that column was in an index,
-- every such update wrote a new row version into each of the table's five indexes. Out of
-- every index, and with room kept on each page (on pages written from now on), the update
-- stays on its page and touches no index (a heap-only update). A hotel's lots are still found by (hotel_id, variant_id,
-- received_at); a seller's by seller_id.
DROP INDEX shelf_lots_hotel_idx;
DROP INDEX shelf_lots_seller_idx;
CREATE INDEX shelf_lots_seller_idx ON shelf_lots (seller_id);
ALTER TABLE shelf_lots SET (fillfactor = 80);
