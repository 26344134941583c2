//! Business operations that span several tables: each runs inside the caller's transaction,
//! checks who may do it, changes the rows and appends the ledger movements it causes.
//! HTTP handlers, the demo loader and the property tests all call these same functions.

pub mod agreements;
pub mod idempotency;
pub mod labels;
pub mod orders;
pub mod reports;
pub mod sellers;
pub mod shelf;
pub mod shipments;
pub mod statements;
pub mod stock;
pub mod trainings;
pub mod uploads;
pub mod webhooks;
