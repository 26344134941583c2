-- At most one proposed or active agreement per seller and hotel, kept by the database.
-- Duplicates left by an earlier race are ended first (an active one is kept over a proposal).
UPDATE consignment_agreements SET status = 'ended', ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE status <> 'ended' AND id NOT IN (
    SELECT id FROM (
        SELECT id, row_number() OVER (
            PARTITION BY seller_id, hotel_id
            ORDER BY status = 'active' DESC, created_at, id
        ) AS n
        FROM consignment_agreements WHERE status <> 'ended'
    ) WHERE n = 1
);
CREATE UNIQUE INDEX consignment_agreements_one_open_idx
    ON consignment_agreements (seller_id, hotel_id) WHERE status <> 'ended';
