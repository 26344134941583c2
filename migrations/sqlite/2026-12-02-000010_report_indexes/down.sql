DROP INDEX sellers_sector_idx;
DROP INDEX shelf_lots_seller_idx;
DROP INDEX order_part_events_completed_idx;
DROP INDEX hotel_sale_lines_sold_idx;
