//! Webhook events (written with the change they report), their deliveries (one per endpoint
//! that hears the event) and every attempt at a delivery.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::appends::Appends;
use super::portable::{DbId, DbTime};
use super::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints, webhook_events};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = webhook_events)]
#[diesel(treat_none_as_default_value = false)]
pub struct EventRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    pub kind: String,
    pub body: String,
    pub seller_id: Option<DbId>,
    pub hotel_id: Option<DbId>,
    pub admins: bool,
    pub endpoint_id: Option<DbId>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    pub fanned_out: bool,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = webhook_deliveries)]
#[diesel(treat_none_as_default_value = false)]
pub struct DeliveryRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub endpoint_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub event_id: Uuid,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DbTime>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = webhook_attempts)]
#[diesel(treat_none_as_default_value = false)]
pub struct AttemptRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub delivery_id: Uuid,
    pub number: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub response_excerpt: Option<String>,
}

pub const PENDING: &str = "pending";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

/// Gathers the event's row into `later`.
pub fn insert_event(conn: &mut DbConn, later: &mut Appends, row: EventRow) -> QueryResult<()> {
    later.add(conn, diesel::insert_into(webhook_events::table).values(row))
}

/// Events not yet fanned out, oldest first. On PostgreSQL they stay locked
/// (`FOR UPDATE SKIP LOCKED`) until the caller's transaction ends, so replicas fan out
/// different events.
pub fn claim_unfanned(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<EventRow>> {
    let query = webhook_events::table
        .filter(webhook_events::fanned_out.eq(false))
        .order(webhook_events::created_at)
        .limit(limit)
        .select(webhook_events::id);
    let ids: Vec<DbId> = match conn {
        DbConn::Pg(c) => query.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => query.load(c)?,
    };
    webhook_events::table
        .filter(webhook_events::id.eq_any(ids))
        .order(webhook_events::created_at)
        .select(EventRow::as_select())
        .load(conn)
}

pub fn mark_fanned(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<usize> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    diesel::update(webhook_events::table.filter(webhook_events::id.eq_any(ids)))
        .set(webhook_events::fanned_out.eq(true))
        .execute(conn)
}

pub fn insert_delivery(conn: &mut DbConn, row: DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(webhook_deliveries::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A delivery due now, with what sending it needs.
#[derive(Clone, Debug)]
pub struct Due {
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    /// The number of the attempt about to be made.
    pub attempt: i32,
}

type DueRaw = (DbId, DbId, DbId, i32);

/// Up to `limit` pending deliveries due at `now` to enabled endpoints, oldest due first,
/// skipping endpoints in `busy`. On PostgreSQL the rows are locked until the caller's
/// transaction ends, and rows another replica holds are skipped, not waited for.
pub fn due(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    busy: &[Uuid],
    limit: i64,
) -> QueryResult<Vec<Due>> {
    let enabled = webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select(webhook_endpoints::id);
    let busy: Vec<DbId> = busy.iter().copied().map(DbId).collect();
    let query = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(DbTime(now)))
        .filter(webhook_deliveries::endpoint_id.eq_any(enabled))
        .filter(webhook_deliveries::endpoint_id.ne_all(busy))
        .order(webhook_deliveries::next_attempt_at)
        .limit(limit)
        .select((
            webhook_deliveries::id,
            webhook_deliveries::endpoint_id,
            webhook_deliveries::event_id,
            webhook_deliveries::attempts,
        ));
    let rows: Vec<DueRaw> = match conn {
        DbConn::Pg(c) => query.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => query.load(c)?,
    };
    Ok(rows
        .into_iter()
        .map(|(id, endpoint, event, attempts)| Due {
            delivery_id: id.0,
            endpoint_id: endpoint.0,
            event_id: event.0,
            attempt: attempts + 1,
        })
        .collect())
}

/// Takes a delivery for one attempt: counts the attempt and keeps the row from being taken
/// again until `lease_until` (after that a replica that died mid-attempt is assumed gone and
/// the delivery is due again: at least once).
pub fn lease(conn: &mut DbConn, id: Uuid, lease_until: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(DbId(id)))
        .set((
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(Some(DbTime(lease_until))),
        ))
        .execute(conn)
        .map(drop)
}

/// After an attempt: done (`next` is `None`; `status` succeeded or failed) or pending again
/// at `next`.
pub fn settle(
    conn: &mut DbConn,
    id: Uuid,
    status: &str,
    next: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(DbId(id)))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::next_attempt_at.eq(next.map(DbTime)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn insert_attempt(conn: &mut DbConn, row: AttemptRow) -> QueryResult<()> {
    diesel::insert_into(webhook_attempts::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_event(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<EventRow>> {
    webhook_events::table
        .find(DbId(id))
        .select(EventRow::as_select())
        .first(conn)
        .optional()
}

pub fn events_by_ids(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<Vec<EventRow>> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    webhook_events::table
        .filter(webhook_events::id.eq_any(ids))
        .select(EventRow::as_select())
        .load(conn)
}

pub fn find_delivery(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .find(DbId(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// A page of an endpoint's deliveries with their events' types, newest first.
pub fn of_endpoint(
    conn: &mut DbConn,
    endpoint_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<(DeliveryRow, String)>> {
    let mut query = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::endpoint_id.eq(DbId(endpoint_id)))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((DeliveryRow::as_select(), webhook_events::kind))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(webhook_deliveries::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// The attempts of some deliveries, in order.
pub fn attempts_of(conn: &mut DbConn, delivery_ids: &[Uuid]) -> QueryResult<Vec<AttemptRow>> {
    let ids: Vec<DbId> = delivery_ids.iter().copied().map(DbId).collect();
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(ids))
        .order((webhook_attempts::delivery_id, webhook_attempts::number))
        .select(AttemptRow::as_select())
        .load(conn)
}

/// Puts a delivery back in the queue, due now, whatever became of it.
pub fn redeliver(conn: &mut DbConn, id: Uuid, at: DateTime<Utc>) -> QueryResult<()> {
    settle(conn, id, PENDING, Some(at))
}

/// Removes an endpoint's deliveries and their attempts (the endpoint is being deleted).
pub fn remove_of_endpoint(conn: &mut DbConn, endpoint_id: Uuid) -> QueryResult<()> {
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(DbId(endpoint_id)))
        .select(webhook_deliveries::id);
    diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
    )
    .execute(conn)?;
    diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(DbId(endpoint_id))),
    )
    .execute(conn)
    .map(drop)
}

/// Work waiting: pending deliveries plus events not yet fanned out, and when the oldest
/// pending delivery was created.
pub fn backlog(conn: &mut DbConn) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    let pending: i64 = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .count()
        .get_result(conn)?;
    let unfanned: i64 = webhook_events::table
        .filter(webhook_events::fanned_out.eq(false))
        .count()
        .get_result(conn)?;
    let oldest: Option<DbTime> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .order(webhook_deliveries::created_at)
        .select(webhook_deliveries::created_at)
        .first(conn)
        .optional()?;
    Ok((pending + unfanned, oldest.map(|t| t.0)))
}

/// Forgets the log of deliveries settled before `cutoff` (their attempts too) and events
/// fanned out before it that no delivery still needs; returns how many rows went.
pub fn purge_before(conn: &mut DbConn, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    let old = webhook_deliveries::table
        .filter(webhook_deliveries::status.ne(PENDING))
        .filter(webhook_deliveries::created_at.lt(DbTime(cutoff)))
        .select(webhook_deliveries::id);
    let attempts =
        diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(old)))
            .execute(conn)?;
    let deliveries = diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.ne(PENDING))
            .filter(webhook_deliveries::created_at.lt(DbTime(cutoff))),
    )
    .execute(conn)?;
    let needed = webhook_deliveries::table.select(webhook_deliveries::event_id);
    let events = diesel::delete(
        webhook_events::table
            .filter(webhook_events::fanned_out.eq(true))
            .filter(webhook_events::created_at.lt(DbTime(cutoff)))
            .filter(webhook_events::id.ne_all(needed)),
    )
    .execute(conn)?;
    Ok(attempts + deliveries + events)
}
