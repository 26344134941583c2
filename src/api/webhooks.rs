//! `/v1/webhooks`: endpoints that hear Kriya's events (Standard Webhooks), their secrets and
//! their delivery log. Sellers, hotels and admins; only the owner sees an endpoint.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::created::created;
use super::etag;
use super::json::present;
use super::pagination::{Page, PageRequest};
use crate::auth::AuthUser;
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::domain::webhook::EventType;
use crate::error::{AppResult, Problem};
use crate::services::webhooks::{
    self, Delivery, Endpoint, EndpointInput, EndpointWithSecret, TestEvent,
};
use crate::state::AppState;
use crate::webhooks::guard;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://pos.hotel-tugu.example/kriya/webhooks",
    "events": ["sale.recorded", "consignment.dispatched"], "description": "POS kasir lobi"}))]
pub struct CreateWebhookRequest {
    /// `https://` on a public address (plain `http://` and private addresses only when the
    /// server runs with `KRIYA_WEBHOOK_ALLOW_PRIVATE=true`).
    #[schema(required = true, nullable = false)]
    pub url: Option<String>,
    /// At least one event type.
    #[schema(required = true, nullable = false)]
    pub events: Option<Vec<String>>,
    /// Up to 200 characters.
    pub description: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true, "events": ["sale.recorded"]}))]
pub struct UpdateWebhookRequest {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// `true` enables a disabled endpoint again (it forgets why it was disabled).
    pub enabled: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn parse_events(raw: &[String]) -> Result<Vec<EventType>, String> {
    if raw.is_empty() {
        return Err("must name at least one event type".to_owned());
    }
    let mut out: Vec<EventType> = Vec::new();
    for name in raw {
        match EventType::parse(name) {
            Some(t) if t.subscribable() => {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            _ => {
                let known: Vec<&str> = EventType::ALL
                    .iter()
                    .filter(|t| t.subscribable())
                    .map(|t| t.as_str())
                    .collect();
                return Err(format!("`{name}` is not one of {}", known.join(", ")));
            }
        }
    }
    Ok(out)
}

fn parse_description(raw: &str) -> Result<String, String> {
    bounded(raw, 1, 200, false)
}

/// The URL's shape and, for a name, where it resolves now.
async fn check_url(state: &AppState, raw: &str, v: &mut Violations) -> Option<String> {
    match guard::check_url(raw, state.webhook_allow_private).await {
        Ok(url) => Some(url.to_string()),
        Err(problem) => {
            v.add("url", problem.to_string());
            None
        }
    }
}

fn with_etag(
    status: actix_web::http::StatusCode,
    body: &impl Serialize,
    version: i32,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag::for_version(version)))
        .json(body)
}

/// Add an endpoint. The answer holds its signing `secret`: keep it, it is not shown again.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = CreateWebhookRequest, responses(
    (status = 201, body = EndpointWithSecret, headers(("Location" = String), ("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "A buyer account, or a seller or hotel without its profile", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The account already has 20 endpoints", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named (a URL that is not https, or resolves to a non-public address)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Body,
) -> AppResult<HttpResponse> {
    // Whose endpoint it would be is settled before the URL is looked at (resolving its host
    // name for anyone would be a look-up service naming internal addresses).
    let ok = access::check(&state, move |conn| webhooks::owner(conn, &user).map(|_| ())).await?;
    let body: CreateWebhookRequest = body.json(&ok).await?;
    let mut v = Violations::new();
    let events = v.require("events", body.events.as_deref(), parse_events);
    let description = v.check_opt(
        "description",
        body.description.as_deref(),
        parse_description,
    );
    let url = match body.url.as_deref() {
        Some(raw) => check_url(&state, raw, &mut v).await,
        None => {
            v.add("url", "is required");
            None
        }
    };
    let (url, events, description) = v.finish_with((url, events, description))?;
    let made = state
        .db(move |conn| webhooks::create(conn, &user, url, events, description))
        .await?;
    Ok(created(format!("/v1/webhooks/{}", made.endpoint.id))
        .insert_header((header::ETAG, etag::for_version(made.endpoint.version)))
        .json(made))
}

/// The caller's endpoints, newest first.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, body = inline(Page<Endpoint>)),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "A buyer account", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> AppResult<web::Json<Page<Endpoint>>> {
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| webhooks::list(conn, &user, after, fetch))
        .await?;
    Ok(web::Json(page.finish(rows, |e| e.id, |e| e)))
}

/// One of the caller's endpoints.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Endpoint, headers(("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint of the caller's", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let endpoint = state.db(move |conn| webhooks::get(conn, &user, id)).await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        &endpoint,
        endpoint.version,
    ))
}

/// Change an endpoint's URL, events, description or `enabled`.
///
/// Send the `ETag` you last saw as `If-Match`; a stale one is 412.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = UpdateWebhookRequest,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from the last read")),
    responses(
    (status = 200, body = Endpoint, headers(("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/webhooks/{id}")]
pub async fn update_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        webhooks::get(conn, &user, id).map(|_| ())
    })
    .await?;
    let if_match = etag::if_match(&req)?;
    let body: UpdateWebhookRequest = body.json(&ok).await?;
    let mut v = Violations::new();
    let events = v.check_opt("events", body.events.as_deref(), parse_events);
    let description = match body.description {
        None => Some(None),
        Some(None) => Some(Some(None)),
        Some(Some(raw)) => v
            .check("description", parse_description(&raw))
            .map(|d| Some(Some(d))),
    };
    let url = match body.url.as_deref() {
        Some(raw) => check_url(&state, raw, &mut v).await.map(Some),
        None => Some(None),
    };
    v.finish()?;
    let input = EndpointInput {
        url: url.flatten(),
        events: events.flatten(),
        description: description.flatten(),
        enabled: body.enabled,
    };
    let endpoint = state
        .db(move |conn| {
            webhooks::update(conn, &user, id, if_match, input, |m, version| {
                etag::check_if_match(m, version)
            })
        })
        .await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        &endpoint,
        endpoint.version,
    ))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint of the caller's", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db(move |conn| webhooks::delete(conn, &user, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret. For 24 hours deliveries carry a signature with the old secret too,
/// so receivers can switch at their own pace.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = EndpointWithSecret),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint of the caller's", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/webhooks/{id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let rotated = state
        .db(move |conn| webhooks::rotate(conn, &user, id))
        .await?;
    Ok(with_etag(
        actix_web::http::StatusCode::OK,
        &rotated,
        rotated.endpoint.version,
    ))
}

/// Send a `webhook.test` event to this endpoint (only).
///
/// Test events and redeliveries to one endpoint are limited to a few a minute
/// (`KRIYA_WEBHOOK_SEND_RATE_LIMIT_PER_MINUTE`, default 5); past that, a 429 with
/// `Retry-After`, and nothing is queued.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 202, body = TestEvent, description = "Queued; it shows in the delivery log"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many test events and redeliveries to this endpoint in the last minute; nothing queued", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until another is accepted"))),
))]
#[post("/v1/webhooks/{id}/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let sends = state.webhook_send_limiter.clone();
    let queued = state
        .db(move |conn| webhooks::test(conn, &user, id, &sends))
        .await?;
    Ok(HttpResponse::Accepted().json(queued))
}

/// The endpoint's deliveries, newest first, each with every attempt.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path), ListQuery), responses(
    (status = 200, body = inline(Page<Delivery>)),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> AppResult<web::Json<Page<Delivery>>> {
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (after, fetch, id) = (page.after, page.fetch(), id.into_inner());
    let rows = state
        .db(move |conn| webhooks::deliveries(conn, &user, id, after, fetch))
        .await?;
    Ok(web::Json(page.finish(rows, |d| d.id, |d| d)))
}

/// Send a delivery again now, whatever became of it before.
///
/// Counts against the same few a minute per endpoint as test events; past that, a 429 with
/// `Retry-After`, and the delivery is left as it was.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path), ("delivery_id" = Uuid, Path)), responses(
    (status = 202, body = Delivery, description = "Due now"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such endpoint or delivery of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many test events and redeliveries to this endpoint in the last minute; nothing queued", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until another is accepted"))),
))]
#[post("/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, delivery_id) = path.into_inner();
    let sends = state.webhook_send_limiter.clone();
    let delivery = state
        .db(move |conn| webhooks::redeliver(conn, &user, id, delivery_id, &sends))
        .await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
