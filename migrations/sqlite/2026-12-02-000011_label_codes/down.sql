DROP INDEX consignment_lines_label_code_idx;
ALTER TABLE consignment_lines DROP COLUMN label_code;
