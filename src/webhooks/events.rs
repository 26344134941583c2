//! Writing events: one row per change an event names, in the transaction of that change (if
//! the change rolls back, so does its event). The delivery worker fans them out afterwards.

use serde::Serialize;
use uuid::Uuid;

use crate::db::appends::Appends;
use crate::db::portable::DbId;
use crate::db::webhook_deliveries::{self, EventRow};
use crate::db::{DbConn, Tx};
use crate::domain::webhook::{Audience, EventType};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};

/// The body every delivery of an event carries, byte for byte.
#[derive(Serialize)]
struct Body<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    timestamp: chrono::DateTime<chrono::Utc>,
    data: &'a T,
}

fn write(
    conn: &mut DbConn,
    later: &mut Appends,
    kind: EventType,
    audience: Audience,
    endpoint_id: Option<Uuid>,
    data: &impl Serialize,
) -> AppResult<Uuid> {
    let at = now();
    let body = serde_json::to_string(&Body {
        kind: kind.as_str(),
        timestamp: at,
        data,
    })
    .map_err(AppError::internal)?;
    let id = new_id();
    webhook_deliveries::insert_event(
        conn,
        later,
        EventRow {
            id,
            kind: kind.as_str().to_owned(),
            body,
            seller_id: audience.seller_id.map(DbId),
            hotel_id: audience.hotel_id.map(DbId),
            admins: audience.admins,
            endpoint_id: endpoint_id.map(DbId),
            created_at: at,
            fanned_out: false,
        },
    )?;
    Ok(id)
}

/// Records that `kind` happened to `data` (the object as the API shows it to its owner), for
/// the endpoints of `audience`. Call it inside the transaction of the change.
pub fn emit(
    conn: &mut Tx<'_>,
    kind: EventType,
    audience: Audience,
    data: &impl Serialize,
) -> AppResult<()> {
    let mut later = Appends::new();
    emit_later(conn, &mut later, kind, audience, data)?;
    Ok(later.write(conn)?)
}

/// [`emit`], gathered into `later` (the unit of work writes it).
pub fn emit_later(
    conn: &mut Tx<'_>,
    later: &mut Appends,
    kind: EventType,
    audience: Audience,
    data: &impl Serialize,
) -> AppResult<()> {
    write(conn, later, kind, audience, None, data).map(drop)
}

/// A `webhook.test` event for one endpoint only.
pub fn emit_test(conn: &mut DbConn, endpoint_id: Uuid, data: &impl Serialize) -> AppResult<Uuid> {
    let nobody = Audience {
        seller_id: None,
        hotel_id: None,
        admins: false,
    };
    let mut later = Appends::new();
    let id = write(
        conn,
        &mut later,
        EventType::WebhookTest,
        nobody,
        Some(endpoint_id),
        data,
    )?;
    later.write(conn)?;
    Ok(id)
}
