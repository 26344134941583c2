//! Pure types and rules: no HTTP, no SQL. Values here are built by parsing, so holding
//! one means it is valid.

pub mod account;
pub mod consignment;
pub mod hotel;
pub mod label;
pub mod money;
pub mod order;
pub mod phone;
pub mod product;
pub mod report;
pub mod seller;
pub mod sku;
pub mod stock;
pub mod text;
pub mod training;
pub mod validation;
pub mod webhook;

use chrono::{DateTime, SubsecRound, Utc};

/// The current time at the precision both databases keep (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A new time-ordered id.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
