DROP TABLE search_outbox;
