//! Housekeeping while the server runs: forgetting what has expired (idempotency keys older
//! than their lifetime, refresh tokens past their expiry, the webhook log of settled
//! deliveries and delivered events), once an hour.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::db::{self, DbConn, Pool};

/// Idempotency keys are kept 48 hours (SPEC promises at least 24).
pub const IDEMPOTENCY_KEY_LIFETIME_HOURS: i64 = 48;

/// Settled webhook deliveries (with their attempts) and delivered events are kept 30 days.
pub const WEBHOOK_LOG_DAYS: i64 = 30;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub idempotency_keys: usize,
    pub refresh_tokens: usize,
    pub webhook_log: usize,
}

/// One pass: removes what had expired by `now`.
pub fn sweep(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<Swept> {
    let cutoff = now - chrono::Duration::hours(IDEMPOTENCY_KEY_LIFETIME_HOURS);
    Ok(Swept {
        idempotency_keys: db::idempotency::purge_before(conn, cutoff)?,
        refresh_tokens: db::refresh_tokens::purge_expired(conn, now)?,
        webhook_log: db::webhook_deliveries::purge_before(
            conn,
            now - chrono::Duration::days(WEBHOOK_LOG_DAYS),
        )?,
    })
}

/// Sweeps at start and then hourly, on the blocking pool, until the task is aborted.
pub async fn run_hourly(pool: Pool) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let pool = pool.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let swept = pool
                .get()
                .map_err(|e| e.to_string())
                .and_then(|mut c| sweep(&mut c, crate::domain::now()).map_err(|e| e.to_string()));
            match swept {
                Ok(s) if s == Swept::default() => {}
                Ok(s) => tracing::info!(
                    idempotency_keys = s.idempotency_keys,
                    refresh_tokens = s.refresh_tokens,
                    webhook_log = s.webhook_log,
                    "expired keys and tokens forgotten"
                ),
                Err(e) => tracing::warn!(error = %e, "forgetting expired keys and tokens"),
            }
        })
        .await;
    }
}
