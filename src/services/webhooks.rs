//! Webhook endpoints and their delivery log: made, read, changed and deleted by their owner
//! only (anyone else gets 404), each write one transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::auth::rate_limit::WebhookSendLimiter;
use crate::db::portable::{DbId, DbJson};
use crate::db::webhook_deliveries::{self as log, AttemptRow, DeliveryRow};
use crate::db::webhook_endpoints::{self, EndpointChange, EndpointRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::account::Role;
use crate::domain::webhook::{EventType, Owner};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::webhooks::{fanout, signing};

/// Endpoints one account may have.
pub const MAX_ENDPOINTS: i64 = 20;
/// How long the old secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);

/// An endpoint as its owner sees it (the secret is shown only when made or rotated).
#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"id": "01934f6e-e000-7000-8000-000000000001",
    "url": "https://pos.hotel-tugu.example/kriya/webhooks", "events": ["sale.recorded", "consignment.dispatched"],
    "description": "POS kasir lobi", "enabled": true, "disabled_reason": null,
    "created_at": "2026-12-02T03:00:00Z", "updated_at": "2026-12-02T03:00:00Z"}))]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<EventType>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why Kriya disabled it (410 Gone, five days of failures); `null` otherwise.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i32,
}

/// An endpoint with its signing secret: the only time the secret is shown.
#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"id": "01934f6e-e000-7000-8000-000000000001",
    "url": "https://pos.hotel-tugu.example/kriya/webhooks", "events": ["sale.recorded"],
    "description": null, "enabled": true, "disabled_reason": null,
    "created_at": "2026-12-02T03:00:00Z", "updated_at": "2026-12-02T03:00:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// `whsec_` + base64 of 32 random bytes; verify deliveries with it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// One attempt at a delivery.
#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"number": 1, "at": "2026-12-02T03:05:00Z", "status_code": null,
    "error": "no answer within 10 s", "duration_ms": 10003, "response_excerpt": null}))]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub number: i32,
    pub at: DateTime<Utc>,
    /// The receiver's status code, when it answered.
    pub status_code: Option<i32>,
    /// Why there was no answer (refused address, timeout, connection failure, too large).
    pub error: Option<String>,
    pub duration_ms: i64,
    /// The start of the receiver's answer (up to 1 KiB).
    pub response_excerpt: Option<String>,
}

/// An event's delivery to one endpoint.
#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"id": "01934f6e-e100-7000-8000-000000000001",
    "event_id": "01934f6e-e200-7000-8000-000000000001", "event_type": "sale.recorded",
    "status": "pending", "next_attempt_at": "2026-12-02T03:05:05Z", "created_at": "2026-12-02T03:05:00Z",
    "attempts": [{"number": 1, "at": "2026-12-02T03:05:00Z", "status_code": 503, "error": null,
        "duration_ms": 84, "response_excerpt": "Service Unavailable"}]}))]
pub struct Delivery {
    pub id: Uuid,
    /// The `webhook-id` the receiver saw (the same in every attempt).
    pub event_id: Uuid,
    pub event_type: String,
    /// `pending`, `succeeded` or `failed` (gave up).
    pub status: String,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub attempts: Vec<DeliveryAttempt>,
}

/// What a new endpoint or a change holds, already checked.
pub struct EndpointInput {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Whose endpoints the caller keeps: a seller's, a hotel's or an admin's. Buyers have none.
pub fn owner(conn: &mut DbConn, caller: &AuthUser) -> AppResult<Owner> {
    match caller.role {
        Role::Admin => Ok(Owner::Admin),
        Role::Seller => db::sellers::find_by_user(conn, caller.id)?
            .map(|s| Owner::Seller(s.id))
            .ok_or_else(|| AppError::Forbidden("this account has no seller profile".to_owned())),
        Role::Hotel => db::hotels::find_by_user(conn, caller.id)?
            .map(|h| Owner::Hotel(h.id))
            .ok_or_else(|| {
                AppError::Forbidden("register the hotel first (POST /v1/hotels)".to_owned())
            }),
        Role::Buyer => Err(AppError::Forbidden(
            "webhooks are for sellers, hotels and admins".to_owned(),
        )),
    }
}

fn view(row: &EndpointRow) -> Endpoint {
    Endpoint {
        id: row.id,
        url: row.url.clone(),
        events: fanout::subscriptions(row),
        description: row.description.clone(),
        enabled: row.enabled,
        disabled_reason: row.disabled_reason.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn events_json(events: &[EventType]) -> serde_json::Value {
    serde_json::Value::Array(
        events
            .iter()
            .map(|e| serde_json::Value::String(e.as_str().to_owned()))
            .collect(),
    )
}

/// The caller's endpoint `id`, or 404 (also for anyone else's).
fn own(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<EndpointRow> {
    webhook_endpoints::find(conn, id)?
        .filter(|row| row.owner_user_id == caller.id)
        .ok_or(AppError::NotFound("webhook"))
}

/// `POST /v1/webhooks`.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    url: String,
    events: Vec<EventType>,
    description: Option<String>,
) -> AppResult<EndpointWithSecret> {
    write_tx(conn, |conn| {
        let owner = owner(conn, caller)?;
        if webhook_endpoints::count_of_owner(conn, caller.id)? >= MAX_ENDPOINTS {
            return Err(AppError::Conflict(format!(
                "an account may have at most {MAX_ENDPOINTS} webhook endpoints"
            )));
        }
        let (kind, party) = match owner {
            Owner::Seller(id) => ("seller", Some(DbId(id))),
            Owner::Hotel(id) => ("hotel", Some(DbId(id))),
            Owner::Admin => ("admin", None),
        };
        let at = now();
        let secret = signing::new_secret();
        let row = EndpointRow {
            id: new_id(),
            owner_user_id: caller.id,
            owner_kind: kind.to_owned(),
            party_id: party,
            url,
            events: events_json(&events),
            description,
            enabled: true,
            disabled_reason: None,
            secret: secret.clone(),
            previous_secret: None,
            previous_secret_until: None,
            failing_since: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        webhook_endpoints::insert(conn, row.clone())?;
        Ok(EndpointWithSecret {
            endpoint: view(&row),
            secret,
        })
    })
}

pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    before: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<Endpoint>> {
    owner(conn, caller)?;
    Ok(webhook_endpoints::of_owner(conn, caller.id, before, limit)?
        .iter()
        .map(view)
        .collect())
}

pub fn get(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<Endpoint> {
    Ok(view(&own(conn, caller, id)?))
}

/// `PATCH /v1/webhooks/{id}`: `if_match` is the `If-Match` header, checked against the
/// endpoint's version. Enabling a disabled endpoint forgets why it was disabled.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    if_match: Option<String>,
    input: EndpointInput,
    check_version: impl Fn(Option<&str>, i32) -> AppResult<()>,
) -> AppResult<Endpoint> {
    write_tx(conn, |conn| {
        let row = own(conn, caller, id)?;
        check_version(if_match.as_deref(), row.version)?;
        let reenabled = input.enabled == Some(true) && !row.enabled;
        let change = EndpointChange {
            url: input.url,
            events: input.events.as_deref().map(|e| DbJson(events_json(e))),
            description: input.description,
            enabled: input.enabled,
            disabled_reason: reenabled.then_some(None),
            failing_since: reenabled.then_some(None),
        };
        if !webhook_endpoints::update(conn, id, row.version, change, now())? {
            return Err(AppError::changed_by_another("endpoint"));
        }
        get(conn, caller, id)
    })
}

pub fn delete(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<()> {
    write_tx(conn, |conn| {
        own(conn, caller, id)?;
        log::remove_of_endpoint(conn, id)?;
        webhook_endpoints::delete(conn, id)?;
        Ok(())
    })
}

/// A new secret; the old one signs alongside it for 24 hours.
pub fn rotate(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<EndpointWithSecret> {
    write_tx(conn, |conn| {
        let row = own(conn, caller, id)?;
        let at = now();
        let secret = signing::new_secret();
        webhook_endpoints::rotate(conn, id, &secret, &row.secret, at + ROTATION_OVERLAP, at)?;
        Ok(EndpointWithSecret {
            endpoint: get(conn, caller, id)?,
            secret,
        })
    })
}

#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"event_id": "01934f6e-e200-7000-8000-000000000002"}))]
pub struct TestEvent {
    /// The event's id (its `webhook-id`).
    pub event_id: Uuid,
}

#[derive(Serialize)]
struct TestData {
    webhook_id: Uuid,
    message: &'static str,
}

/// Queues a `webhook.test` event for this endpoint only. The owner's manual sends to the
/// endpoint are limited (`sends`): once they are spent, a 429 and nothing queued.
pub fn test(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    sends: &WebhookSendLimiter,
) -> AppResult<TestEvent> {
    write_tx(conn, |conn| {
        own(conn, caller, id)?;
        sends.check(&id)?;
        let data = TestData {
            webhook_id: id,
            message: "a test event from Kriya",
        };
        let event_id = crate::webhooks::emit_test(conn, id, &data)?;
        Ok(TestEvent { event_id })
    })
}

fn delivery_view(row: DeliveryRow, event_type: String, attempts: Vec<AttemptRow>) -> Delivery {
    Delivery {
        id: row.id,
        event_id: row.event_id,
        event_type,
        status: row.status,
        next_attempt_at: row.next_attempt_at.map(|t| t.0),
        created_at: row.created_at,
        attempts: attempts
            .into_iter()
            .map(|a| DeliveryAttempt {
                number: a.number,
                at: a.at,
                status_code: a.status_code,
                error: a.error,
                duration_ms: a.duration_ms,
                response_excerpt: a.response_excerpt,
            })
            .collect(),
    }
}

/// A page of the endpoint's deliveries, newest first, each with its attempts.
pub fn deliveries(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<Delivery>> {
    own(conn, caller, id)?;
    let rows = log::of_endpoint(conn, id, before, limit)?;
    let ids: Vec<Uuid> = rows.iter().map(|(d, _)| d.id).collect();
    let mut attempts = log::attempts_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(d, kind)| {
            let (mine, rest) = attempts.drain(..).partition(|a| a.delivery_id == d.id);
            attempts = rest;
            delivery_view(d, kind, mine)
        })
        .collect())
}

/// Sends a delivery again, due now, whatever became of it before. Like a test event, it
/// counts against the endpoint's manual sends (`sends`): once they are spent, a 429.
pub fn redeliver(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    delivery_id: Uuid,
    sends: &WebhookSendLimiter,
) -> AppResult<Delivery> {
    write_tx(conn, |conn| {
        own(conn, caller, id)?;
        let row = log::find_delivery(conn, delivery_id)?
            .filter(|d| d.endpoint_id == id)
            .ok_or(AppError::NotFound("delivery"))?;
        sends.check(&id)?;
        log::redeliver(conn, delivery_id, now())?;
        let event = log::find_event(conn, row.event_id)?.ok_or(AppError::NotFound("delivery"))?;
        let row = log::find_delivery(conn, delivery_id)?.ok_or(AppError::NotFound("delivery"))?;
        let attempts = log::attempts_of(conn, &[delivery_id])?;
        Ok(delivery_view(row, event.kind, attempts))
    })
}
