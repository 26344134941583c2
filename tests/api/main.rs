//! Integration tests: the real server over HTTP, every API test on SQLite and PostgreSQL.

mod support;

mod agreements;
mod appends;
mod auth;
mod cli;
mod closing_race;
mod consignment_access;
mod consignment_money;
mod consignment_rules;
mod consignment_story;
mod cors;
mod demo;
mod deploy;
mod errors;
mod health;
mod hot_statements;
mod http_semantics;
mod images;
mod labels;
mod ledger_properties;
mod migrations;
mod openapi;
mod orders;
mod pool;
mod products;
mod read_cache;
mod reports;
mod s3;
mod search_api;
mod search_conformance;
mod search_outbox;
mod sellers;
mod trainings;
mod variants;
mod webhooks;
