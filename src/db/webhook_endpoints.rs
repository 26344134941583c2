//! Webhook endpoints: where an owner wants events sent, with which secret.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbJson, DbTime};
use super::schema::webhook_endpoints;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = webhook_endpoints)]
#[diesel(treat_none_as_default_value = false)]
pub struct EndpointRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub owner_user_id: Uuid,
    pub owner_kind: String,
    pub party_id: Option<DbId>,
    pub url: String,
    #[diesel(serialize_as = DbJson, deserialize_as = DbJson)]
    pub events: serde_json::Value,
    pub description: Option<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DbTime>,
    pub failing_since: Option<DbTime>,
    pub version: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

/// What an owner may change.
#[derive(AsChangeset, Default)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub events: Option<DbJson>,
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub failing_since: Option<Option<DbTime>>,
}

pub fn insert(conn: &mut DbConn, row: EndpointRow) -> QueryResult<()> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(DbId(id))
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()
}

/// The owner's endpoints, newest first, before `before`.
pub fn of_owner(
    conn: &mut DbConn,
    owner_user_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<EndpointRow>> {
    let mut query = webhook_endpoints::table
        .filter(webhook_endpoints::owner_user_id.eq(DbId(owner_user_id)))
        .order(webhook_endpoints::id.desc())
        .limit(limit)
        .select(EndpointRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(webhook_endpoints::id.lt(DbId(before)));
    }
    query.load(conn)
}

pub fn count_of_owner(conn: &mut DbConn, owner_user_id: Uuid) -> QueryResult<i64> {
    webhook_endpoints::table
        .filter(webhook_endpoints::owner_user_id.eq(DbId(owner_user_id)))
        .count()
        .get_result(conn)
}

/// Every enabled endpoint (the fan-out matches events against them).
pub fn enabled(conn: &mut DbConn) -> QueryResult<Vec<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select(EndpointRow::as_select())
        .load(conn)
}

/// Applies `change` when the endpoint is still at `version`; false when it moved on.
pub fn update(
    conn: &mut DbConn,
    id: Uuid,
    version: i32,
    change: EndpointChange,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let target = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(DbId(id)))
        .filter(webhook_endpoints::version.eq(version));
    let n = diesel::update(target)
        .set((
            change,
            webhook_endpoints::version.eq(version + 1),
            webhook_endpoints::updated_at.eq(DbTime(at)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// A new secret; the old one keeps signing until `previous_until`.
pub fn rotate(
    conn: &mut DbConn,
    id: Uuid,
    secret: &str,
    previous: &str,
    previous_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.find(DbId(id)))
        .set((
            webhook_endpoints::secret.eq(secret),
            webhook_endpoints::previous_secret.eq(Some(previous)),
            webhook_endpoints::previous_secret_until.eq(Some(DbTime(previous_until))),
            webhook_endpoints::version.eq(webhook_endpoints::version + 1),
            webhook_endpoints::updated_at.eq(DbTime(at)),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, id: Uuid) -> QueryResult<usize> {
    diesel::delete(webhook_endpoints::table.find(DbId(id))).execute(conn)
}

/// After a successful delivery: the endpoint is no longer failing.
pub fn mark_healthy(conn: &mut DbConn, id: Uuid) -> QueryResult<()> {
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(DbId(id)))
            .filter(webhook_endpoints::failing_since.is_not_null()),
    )
    .set(webhook_endpoints::failing_since.eq(None::<DbTime>))
    .execute(conn)
    .map(drop)
}

/// After a failed attempt: remembers when the failing began; returns that time.
pub fn mark_failing(conn: &mut DbConn, id: Uuid, at: DateTime<Utc>) -> QueryResult<DateTime<Utc>> {
    diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(DbId(id)))
            .filter(webhook_endpoints::failing_since.is_null()),
    )
    .set(webhook_endpoints::failing_since.eq(Some(DbTime(at))))
    .execute(conn)?;
    let since: Option<DbTime> = webhook_endpoints::table
        .find(DbId(id))
        .select(webhook_endpoints::failing_since)
        .first(conn)?;
    Ok(since.map(|t| t.0).unwrap_or(at))
}

/// Stops deliveries to the endpoint, saying why; its owner can enable it again.
pub fn disable(conn: &mut DbConn, id: Uuid, reason: &str, at: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.find(DbId(id)))
        .set((
            webhook_endpoints::enabled.eq(false),
            webhook_endpoints::disabled_reason.eq(Some(reason)),
            webhook_endpoints::version.eq(webhook_endpoints::version + 1),
            webhook_endpoints::updated_at.eq(DbTime(at)),
        ))
        .execute(conn)
        .map(drop)
}
