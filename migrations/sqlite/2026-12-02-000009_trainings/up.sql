-- Trainings the city office runs, who took part, and who taught whom.
CREATE TABLE trainings (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    -- A category slug (the sector of the makers it trains).
    sector TEXT NOT NULL,
    -- Calendar days in Western Indonesia Time, 'YYYY-MM-DD'.
    held_from TEXT NOT NULL,
    held_to TEXT NOT NULL,
    venue TEXT NOT NULL,
    organiser TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (held_from <= held_to)
);
CREATE INDEX trainings_held_idx ON trainings (held_from, id);

CREATE TABLE training_participants (
    id TEXT PRIMARY KEY,
    training_id TEXT NOT NULL REFERENCES trainings (id),
    name TEXT NOT NULL,
    -- Normalised like seller profiles: +628…
    whatsapp TEXT NOT NULL,
    kelurahan TEXT,
    -- Named when added; otherwise the seller whose profile has the same WhatsApp number.
    seller_id TEXT REFERENCES sellers (id),
    created_at TEXT NOT NULL,
    UNIQUE (training_id, whatsapp)
);
CREATE INDEX training_participants_whatsapp_idx ON training_participants (whatsapp);
CREATE INDEX training_participants_seller_idx ON training_participants (seller_id);

-- The seller who taught this one ("menularkan ilmu"); set once.
ALTER TABLE sellers ADD COLUMN mentor_seller_id TEXT REFERENCES sellers (id);
CREATE INDEX sellers_whatsapp_idx ON sellers (whatsapp);
CREATE INDEX sellers_mentor_idx ON sellers (mentor_seller_id);
