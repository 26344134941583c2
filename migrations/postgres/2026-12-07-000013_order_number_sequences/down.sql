CREATE TABLE order_numbers (
    year INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
);
DO $$
DECLARE
    seq RECORD;
BEGIN
    FOR seq IN
        SELECT sequencename, last_value FROM pg_sequences
        WHERE schemaname = current_schema() AND sequencename ~ '^order_number_[0-9]+$'
    LOOP
        INSERT INTO order_numbers (year, last_seq)
        VALUES (substr(seq.sequencename, 14)::INTEGER, coalesce(seq.last_value, 0));
        EXECUTE format('DROP SEQUENCE %I', seq.sequencename);
    END LOOP;
END
$$;
DROP FUNCTION next_order_number(INTEGER);
