//! Driving a server with `wrk` (a fixed number of connections for a fixed time) and reading
//! its report.

use std::path::Path;
use std::process::Command;

use anyhow::Context;

/// What one `wrk` run measured.
pub struct Run {
    pub per_second: f64,
    pub p99_ms: f64,
    /// Answers that were neither 2xx nor 3xx.
    pub non_2xx: u64,
    /// Every request answered.
    pub requests: u64,
}

/// `wrk -t2 -c{connections} -d{seconds}s --latency [-s script] url`.
pub fn run(
    connections: usize,
    seconds: u64,
    url: &str,
    script: Option<&Path>,
) -> anyhow::Result<Run> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    let out = cmd.arg(url).output().context("wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "wrk {url}: {text}");
    parse(&text).with_context(|| format!("wrk's report for {url}:\n{text}"))
}

fn parse(text: &str) -> Option<Run> {
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix).map(|v| v.trim().to_owned()))
    };
    let per_second = field("Requests/sec:")?.parse().ok()?;
    let p99 = field("99%")?;
    let p99_ms = if let Some(v) = p99.strip_suffix("ms") {
        v.parse().ok()?
    } else if let Some(v) = p99.strip_suffix("us") {
        v.parse::<f64>().ok()? / 1000.0
    } else {
        p99.strip_suffix('s')?.parse::<f64>().ok()? * 1000.0
    };
    let non_2xx = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let requests = text
        .lines()
        .map(str::trim)
        .find(|l| l.contains(" requests in "))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(Run {
        per_second,
        p99_ms,
        non_2xx,
        requests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrks_report() {
        let text = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 8 connections\n  Latency Distribution\n     50%  412.00us\n     75%  600.00us\n     90%    1.10ms\n     99%    3.52ms\n  123456 requests in 10.00s, 1.2GB read\n  Non-2xx or 3xx responses: 7\nRequests/sec:  12345.67\nTransfer/sec:    120.00MB\n";
        let run = parse(text).unwrap();
        assert_eq!(run.per_second, 12345.67);
        assert_eq!(run.p99_ms, 3.52);
        assert_eq!((run.non_2xx, run.requests), (7, 123456));
        let slow = text.replace("3.52ms", "1.20s");
        assert_eq!(parse(&slow).unwrap().p99_ms, 1200.0);
    }
}
