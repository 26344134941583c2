-- Order numbers come from one sequence per year (WIB), `order_number_{year}`, created by the
-- year's first checkout: taking a number locks nothing, so checkouts no longer queue on one
-- counter row until they commit. A number is never given twice; it is skipped only when the
-- checkout that took it fails before its commit.
CREATE FUNCTION next_order_number(year INTEGER) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    seq TEXT := 'order_number_' || year;
BEGIN
    IF to_regclass(seq) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE SEQUENCE %I AS INTEGER', seq);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            -- Another checkout created it first.
            NULL;
        END;
    END IF;
    RETURN nextval(seq);
END
$$;

-- The counters so far carry on in their sequences.
DO $$
DECLARE
    counter RECORD;
BEGIN
    FOR counter IN SELECT year, last_seq FROM order_numbers WHERE last_seq > 0 LOOP
        EXECUTE format('CREATE SEQUENCE %I AS INTEGER', 'order_number_' || counter.year);
        PERFORM setval('order_number_' || counter.year, counter.last_seq);
    END LOOP;
END
$$;
DROP TABLE order_numbers;
