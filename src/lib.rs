//! Kriya: the marketplace backend for Malang's IKM craft makers.

pub mod accounts;
pub mod api;
pub mod app;
pub mod auth;
pub mod bench;
pub mod blob;
pub mod charts;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod janitor;
pub mod labels;
pub mod media;
pub mod metrics;
pub mod order_sweeper;
pub mod read_cache;
pub mod search;
pub mod secret;
pub mod services;
pub mod spreadsheet;
pub mod state;
pub mod telemetry;
pub mod webhooks;
