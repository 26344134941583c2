//! Structured logs: human-readable by default, JSON lines for production.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber once; later calls (tests) are no-ops. `default` is the
/// filter when `KRIYA_LOG` is not set (`info` for the server, `warn` for one-off commands).
pub fn init(format: LogFormat, default: &str) {
    let filter = EnvFilter::try_from_env("KRIYA_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
