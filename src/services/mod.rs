//! Business operations: each checks who may do it, changes the rows and appends what the
//! change causes (ledger movements, webhook events, search-outbox rows). HTTP handlers, the
//! demo loader and the property tests all call these same functions; no handler opens a
//! transaction or writes a row itself.
//!
//! One rule for every write: a public function that writes either opens its own transaction
//! (it takes `&mut DbConn` and calls [`crate::db::write_tx`]), or it is a part of a larger
//! unit of work and takes `&mut Tx` ([`crate::db::Tx`]), which only `write_tx` can make, so
//! calling it outside a transaction does not compile. (The `…_at` functions dated in the past
//! and the operations run under an `Idempotency-Key` are such parts.)

pub mod agreements;
pub mod catalogue;
pub mod hotels;
pub mod idempotency;
pub mod labels;
pub mod moderation;
pub mod orders;
pub mod reports;
pub mod sellers;
pub mod sessions;
pub mod shelf;
pub mod shipments;
pub mod statements;
pub mod stock;
pub mod trainings;
pub mod uploads;
pub mod webhooks;
