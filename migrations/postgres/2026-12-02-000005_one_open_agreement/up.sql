-- At most one proposed or active agreement per seller and hotel, kept by the database: two
-- racing proposals can both read "none open" at read committed, only one can insert.
-- Duplicates left by such a race are ended first (an active one is kept over a proposal).
UPDATE consignment_agreements SET status = 'ended', ended_at = now()
WHERE status <> 'ended' AND id NOT IN (
    SELECT DISTINCT ON (seller_id, hotel_id) id FROM consignment_agreements
    WHERE status <> 'ended'
    ORDER BY seller_id, hotel_id, (status = 'active') DESC, created_at, id
);
CREATE UNIQUE INDEX consignment_agreements_one_open_idx
    ON consignment_agreements (seller_id, hotel_id) WHERE status <> 'ended';
