//! `kriya bench …`: load generators that drive the real server over HTTP and check the
//! results afterwards. Figures go to BENCHMARKS.md.

pub mod orders;
pub mod reads;
pub mod reports;
pub mod sales;
pub mod scratch;
pub mod search;
pub mod thumbnails;
pub mod webhooks;
pub mod wrk;

/// Latency percentile (0–100) of sorted samples, in milliseconds.
pub fn percentile_ms(sorted: &[std::time::Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}
