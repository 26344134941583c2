//! Per-key request limits: per client IP on the authentication endpoints, per account on
//! checkouts.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::error::AppError;

/// `per_minute` requests a minute per key, all of which may come in one burst.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

/// Login and register requests, per client IP.
pub type AuthRateLimiter = KeyedLimiter<IpAddr>;

/// Checkouts, per account.
pub type CheckoutRateLimiter = KeyedLimiter<Uuid>;

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("at least 1");
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Counts a request of `key`; a 429 telling when to retry once its minute's are used.
    pub fn check(&self, key: K) -> Result<(), AppError> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}
