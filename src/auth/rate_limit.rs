//! Rate limits kept in the server's memory: per client IP on the authentication endpoints,
//! per webhook endpoint on the sends its owner asks for by hand (a test event, a
//! redelivery), per account on checkouts. Each replica keeps its own count.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use crate::error::AppError;

/// `per_minute` requests a minute per key, all of which may come in one burst; the next
/// one is refused with a 429 saying when to try again.
pub struct KeyedRateLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

/// Login and register, per client IP.
pub type AuthRateLimiter = KeyedRateLimiter<IpAddr>;

/// Test events and redeliveries, per webhook endpoint.
pub type WebhookSendLimiter = KeyedRateLimiter<Uuid>;

/// Checkouts, per account.
pub type CheckoutRateLimiter = KeyedRateLimiter<Uuid>;

impl<K: Hash + Eq + Clone> KeyedRateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("at least 1");
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Counts one request of `key`, or refuses it (nothing counted) with a 429.
    pub fn check(&self, key: &K) -> Result<(), AppError> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            AppError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}
