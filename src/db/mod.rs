//! Database access with diesel over PostgreSQL or SQLite (one schema, one query for most
//! CRUD; the backend is matched only where SQL differs). Functions here are sync: call them
//! through `AppState::db`, which runs them on the blocking pool.

pub mod advisory;
pub mod agreements;
pub mod appends;
pub mod categories;
pub mod change_feed;
pub mod connection;
pub mod consignments;
pub mod hotel_sales;
pub mod hotels;
pub mod idempotency;
pub mod images;
pub mod orders;
pub mod portable;
pub mod prepared;
pub mod products;
pub mod refresh_tokens;
pub mod reports;
pub mod schema;
pub mod search_outbox;
pub mod sellers;
pub mod shelf;
pub mod statements;
pub mod stock;
pub mod stock_counts;
pub mod stock_levels;
pub mod subject;
pub mod trainings;
pub mod users;
pub mod variants;
pub mod webhook_deliveries;
pub mod webhook_endpoints;

pub use connection::{DbConn, Pool, Tx, read_snapshot, write_tx};
