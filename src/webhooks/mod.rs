//! Webhooks after the Standard Webhooks specification: events written with the changes they
//! report (`events`), fanned out to the endpoints that hear them (`fanout`), signed
//! (`signing`) and sent by a worker (`worker`, `send`) through a guard that keeps them on the
//! public internet (`guard`).

pub mod events;
pub mod fanout;
pub mod guard;
pub mod send;
pub mod signing;
pub mod worker;

pub use events::{emit, emit_later, emit_test};
