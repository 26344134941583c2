//! Prometheus metrics of the process, scraped at `GET /metrics`.

use std::sync::LazyLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    /// Requests answered, by method, route template and status.
    pub http_requests: IntCounterVec,
    /// Time to answer, by method and route template.
    pub http_seconds: HistogramVec,
    /// Rows waiting in the search outbox (read at scrape time).
    pub outbox_backlog: IntGauge,
    /// Whole photo uploads: checks, renditions, blobs and the row.
    pub upload_seconds: Histogram,
    /// Decoding a photo and making its renditions (the CPU part of an upload).
    pub rendition_seconds: Histogram,
    /// Database pool connections by state (`idle`, `in_use`), and the pool's size.
    pub db_connections: IntGaugeVec,
    pub db_pool_size: IntGauge,
    /// Search queries, engine time only.
    pub search_seconds: Histogram,
    /// Webhook delivery attempts by outcome (`succeeded`, `retrying`, `failed`, `disabled`,
    /// `not_sent`, `dropped`).
    pub webhook_deliveries: IntCounterVec,
    /// Webhook work waiting: pending deliveries and events not yet fanned out (read at
    /// scrape time).
    pub webhook_backlog: IntGauge,
    /// Age in seconds of the oldest pending webhook delivery (0 when none; read at scrape
    /// time).
    pub webhook_oldest_pending_seconds: IntGauge,
    /// Reads answered from the read cache, by kind (`product`, `page`).
    pub read_cache_hits: IntCounterVec,
}

fn histogram(name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets)).expect("valid histogram")
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new_custom(Some("kriya".to_owned()), None).expect("registry");
    let fast = vec![
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
    ];
    let slow = vec![0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];
    let m = Metrics {
        http_requests: IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )
        .expect("counter"),
        http_seconds: HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request",
            )
            .buckets(fast.clone()),
            &["method", "route"],
        )
        .expect("histogram"),
        outbox_backlog: IntGauge::new("search_outbox_backlog", "Rows waiting in the search outbox")
            .expect("gauge"),
        upload_seconds: histogram(
            "photo_upload_duration_seconds",
            "Whole photo uploads: checks, renditions, blobs and the row",
            slow.clone(),
        ),
        rendition_seconds: histogram(
            "photo_rendition_duration_seconds",
            "Decoding a photo and making its renditions",
            slow,
        ),
        db_connections: IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )
        .expect("gauge"),
        db_pool_size: IntGauge::new("db_pool_max_connections", "Database pool size")
            .expect("gauge"),
        search_seconds: histogram(
            "search_query_duration_seconds",
            "Search queries, engine time",
            fast,
        ),
        webhook_deliveries: IntCounterVec::new(
            Opts::new(
                "webhook_deliveries_total",
                "Webhook delivery attempts by outcome",
            ),
            &["outcome"],
        )
        .expect("counter"),
        webhook_backlog: IntGauge::new(
            "webhook_backlog",
            "Pending webhook deliveries and events not yet fanned out",
        )
        .expect("gauge"),
        webhook_oldest_pending_seconds: IntGauge::new(
            "webhook_oldest_pending_seconds",
            "Age of the oldest pending webhook delivery",
        )
        .expect("gauge"),
        read_cache_hits: IntCounterVec::new(
            Opts::new(
                "read_cache_hits_total",
                "Reads answered from the read cache",
            ),
            &["kind"],
        )
        .expect("counter"),
        registry,
    };
    for c in [
        Box::new(m.http_requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(m.http_seconds.clone()),
        Box::new(m.outbox_backlog.clone()),
        Box::new(m.upload_seconds.clone()),
        Box::new(m.rendition_seconds.clone()),
        Box::new(m.db_connections.clone()),
        Box::new(m.db_pool_size.clone()),
        Box::new(m.search_seconds.clone()),
        Box::new(m.webhook_deliveries.clone()),
        Box::new(m.webhook_backlog.clone()),
        Box::new(m.webhook_oldest_pending_seconds.clone()),
        Box::new(m.read_cache_hits.clone()),
    ] {
        m.registry.register(c).expect("unique metric names");
    }
    m
});

pub fn get() -> &'static Metrics {
    &METRICS
}

/// Every metric in the Prometheus text format.
pub fn render() -> String {
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&METRICS.registry.gather(), &mut out)
        .expect("text encoding");
    String::from_utf8(out).unwrap_or_default()
}
