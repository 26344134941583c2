//! Authentication: password hashing, access tokens, refresh tokens, the per-IP limiter on
//! the auth endpoints, and the extractors that give handlers an authenticated caller.

pub mod access;
pub mod actor;
pub mod extractors;
pub mod jwt;
pub mod password;
pub mod permit;
pub mod rate_limit;
pub mod refresh;

pub use extractors::{AdminUser, AuthUser, HotelAccount, HotelUser, MaybeUser, SellerUser};
pub use permit::Authorised;
