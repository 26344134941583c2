-- A participant's seller_id is a link the city office made: named when the participant was
-- added, or confirmed later. Until then a seller whose profile has the participant's WhatsApp
-- number is only a suggestion, worked out when read (numbers are neither verified nor unique),
-- and reports count confirmed links only. Links by number were never stored, so every
-- seller_id already here is one the office named: confirmed.

-- The seller the office said this participant is not: not suggested for it again.
ALTER TABLE training_participants ADD COLUMN rejected_seller_id TEXT REFERENCES sellers (id);

-- A seller is at most one participant of a training. Where the office named one seller for
-- several participants, the first added keeps the link.
UPDATE training_participants SET seller_id = NULL
WHERE seller_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM training_participants first
    WHERE first.training_id = training_participants.training_id
      AND first.seller_id = training_participants.seller_id
      AND first.id < training_participants.id);
CREATE UNIQUE INDEX training_participants_one_seller_idx
    ON training_participants (training_id, seller_id);
