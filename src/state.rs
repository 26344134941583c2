//! What every request handler shares, built once by `app` and read by `api` and the
//! services that need more than a connection.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::{AuthRateLimiter, CheckoutRateLimiter, WebhookSendLimiter};
use crate::blob::Blobs;
use crate::db::{DbConn, Pool};
use crate::error::{AppError, AppResult};
use crate::search::SharedIndex;

/// What every request handler shares.
pub struct AppState {
    pub pool: Pool,
    pub blobs: Blobs,
    /// Bounds how many uploads decode at once.
    pub decodes: Arc<Semaphore>,
    pub jwt: JwtKeys,
    pub auth_limiter: AuthRateLimiter,
    /// Test events and redeliveries per webhook endpoint
    /// (`KRIYA_WEBHOOK_SEND_RATE_LIMIT_PER_MINUTE`).
    pub webhook_send_limiter: Arc<WebhookSendLimiter>,
    /// Checkouts per account (`KRIYA_CHECKOUT_RATE_LIMIT_PER_MINUTE`).
    pub checkout_limiter: CheckoutRateLimiter,
    /// What one buyer may hold at once.
    pub fair_use: crate::domain::order::FairUse,
    pub refresh_token_ttl_days: u64,
    /// How many proxies' `X-Forwarded-For` entries to trust for the client address.
    pub trusted_proxy_hops: usize,
    /// The OpenAPI document, rendered once.
    pub openapi_json: String,
    pub search: SharedIndex,
    /// Webhook URLs may be `http://` and private (`KRIYA_WEBHOOK_ALLOW_PRIVATE`).
    pub webhook_allow_private: bool,
    /// Rendered public reads, served for a moment without a query.
    pub read_cache: Arc<crate::read_cache::ReadCache>,
}

impl AppState {
    /// Runs database work on the blocking pool, never on the async workers.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking pool: {e}")))?
    }
}
