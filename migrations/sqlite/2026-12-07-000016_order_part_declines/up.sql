-- A seller may decline a part it will not take: the part is cancelled, and the history row
-- of that step says it was a decline (every earlier row was not).
ALTER TABLE order_part_events ADD COLUMN declined BOOLEAN NOT NULL DEFAULT 0;
