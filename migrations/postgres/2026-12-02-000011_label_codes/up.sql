-- A shelf label code per consignment line: ten characters of Crockford's base32 drawn from
-- a cryptographic source, printed on every unit of the line as the QR code `KRY1:{code}`.
-- Codes are never reused: lines are never deleted, and the index refuses a repeat.
ALTER TABLE consignment_lines ADD COLUMN label_code TEXT;

-- Lines dispatched before labels existed get theirs here. gen_random_uuid() is random bits
-- from the operating system's source; each letter takes the low five bits of the first byte
-- of a fresh one (a volatile call, made again for every letter of every row).
UPDATE consignment_lines
SET label_code = substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
    || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 32, 1)
WHERE label_code IS NULL;

ALTER TABLE consignment_lines ALTER COLUMN label_code SET NOT NULL;
ALTER TABLE consignment_lines ADD CONSTRAINT consignment_lines_label_code_check
    CHECK (label_code ~ '^[0-9A-HJKMNP-TV-Z]{10}$');
CREATE UNIQUE INDEX consignment_lines_label_code_idx ON consignment_lines (label_code);
