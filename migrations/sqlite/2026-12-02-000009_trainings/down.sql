DROP INDEX sellers_mentor_idx;
DROP INDEX sellers_whatsapp_idx;
ALTER TABLE sellers DROP COLUMN mentor_seller_id;
DROP TABLE training_participants;
DROP TABLE trainings;
