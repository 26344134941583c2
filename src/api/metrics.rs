//! `GET /metrics` and the middleware that counts and times every request.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, get, web};

use crate::error::AppResult;
use crate::metrics;
use crate::state::AppState;

/// Middleware: one count and one latency sample per request, labelled by route template
/// (`/v1/products/{id}`), never by raw path, so the label set stays small.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let m = metrics::get();
    m.http_requests
        .with_label_values(&[method.as_str(), route.as_str(), res.status().as_str()])
        .inc();
    m.http_seconds
        .with_label_values(&[method.as_str(), route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    Ok(res)
}

/// Prometheus metrics: requests by route and status with latency histograms, the search
/// outbox backlog, webhook deliveries and backlog, photo upload and rendition durations, database pool use, search time.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4",
        example = json!("# TYPE kriya_search_outbox_backlog gauge\nkriya_search_outbox_backlog 0\n")),
))]
#[get("/metrics")]
pub async fn scrape(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let m = metrics::get();
    let pool = state.pool.state();
    m.db_connections
        .with_label_values(&["idle"])
        .set(pool.idle_connections as i64);
    m.db_connections
        .with_label_values(&["in_use"])
        .set((pool.connections - pool.idle_connections) as i64);
    m.db_pool_size.set(state.pool.max_size() as i64);
    let backlog = state
        .db(|conn| Ok(crate::db::search_outbox::backlog(conn)?))
        .await?;
    m.outbox_backlog.set(backlog);
    let (webhook_backlog, oldest) = state
        .db(|conn| Ok(crate::db::webhook_deliveries::backlog(conn)?))
        .await?;
    m.webhook_backlog.set(webhook_backlog);
    let age = oldest.map_or(0, |t| (crate::domain::now() - t).num_seconds().max(0));
    m.webhook_oldest_pending_seconds.set(age);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics::render()))
}
