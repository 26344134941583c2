//! The background sweep of online orders while the server runs: parts not confirmed or not
//! paid within their hold expire (their units go back to the seller), parts shipped 14 days
//! ago complete. Every replica runs it; each part moves by compare-and-set on its status and
//! last step, so a part is never expired or completed twice, nor after it moved on.

use std::time::Duration;

use crate::db::Pool;
use crate::domain::order::Holds;
use crate::services::orders::lifecycle::{self, Swept};

/// How often to look: a tenth of the shorter hold, between 1 second and 1 minute.
pub fn interval(holds: Holds) -> Duration {
    let shorter = holds.shorter().to_std().unwrap_or(Duration::from_secs(60));
    (shorter / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// Sweeps every `interval(holds)` on the blocking pool, until the task is aborted.
pub async fn run(pool: Pool, holds: Holds) {
    let mut tick = tokio::time::interval(interval(holds));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let pool = pool.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let swept = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
                lifecycle::sweep(&mut c, crate::domain::now(), holds).map_err(|e| e.to_string())
            });
            match swept {
                Ok(s) if s == Swept::default() => {}
                Ok(s) => tracing::info!(
                    expired = s.expired,
                    completed = s.completed,
                    "order parts swept"
                ),
                Err(e) => tracing::warn!(error = %e, "sweeping order parts"),
            }
        })
        .await;
    }
}
