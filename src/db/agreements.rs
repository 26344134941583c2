//! Consignment agreements between a seller and a hotel.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::consignment_agreements as agreements;
use super::schema::statements;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = agreements)]
#[diesel(treat_none_as_default_value = false)]
pub struct AgreementRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub hotel_id: Uuid,
    pub commission_bps: i32,
    pub term_days: i32,
    pub status: String,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DbTime>,
    pub ended_at: Option<DbTime>,
    pub ended_by: Option<DbId>,
}

pub fn insert(conn: &mut DbConn, row: AgreementRow) -> QueryResult<()> {
    diesel::insert_into(agreements::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<AgreementRow>> {
    agreements::table
        .find(DbId(id))
        .select(AgreementRow::as_select())
        .first(conn)
        .optional()
}

/// What a sale needs of an agreement: its rate, its seller and whether its statement for
/// `period` is closed.
pub struct Terms {
    pub commission_bps: i32,
    pub seller_id: Uuid,
    pub closed: bool,
}

/// [`Terms`] of agreement `id` for `period`, in one query.
pub fn terms_in(conn: &mut DbConn, id: Uuid, period: &str) -> QueryResult<Option<Terms>> {
    let closed = diesel::dsl::exists(
        statements::table
            .filter(statements::agreement_id.eq(DbId(id)))
            .filter(statements::period.eq(period)),
    );
    let row: Option<(i32, DbId, bool)> = agreements::table
        .find(DbId(id))
        .select((agreements::commission_bps, agreements::seller_id, closed))
        .first(conn)
        .optional()?;
    Ok(row.map(|(commission_bps, seller_id, closed)| Terms {
        commission_bps,
        seller_id: seller_id.0,
        closed,
    }))
}

/// Agreements of a seller or of a hotel (whichever is given), newest first.
pub fn list(
    conn: &mut DbConn,
    seller_id: Option<Uuid>,
    hotel_id: Option<Uuid>,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<AgreementRow>> {
    let mut query = agreements::table
        .select(AgreementRow::as_select())
        .order(agreements::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(s) = seller_id {
        query = query.filter(agreements::seller_id.eq(DbId(s)));
    }
    if let Some(h) = hotel_id {
        query = query.filter(agreements::hotel_id.eq(DbId(h)));
    }
    if let Some(before) = before {
        query = query.filter(agreements::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// Accepts a proposed agreement; false if it was not (or no longer) proposed.
pub fn accept(conn: &mut DbConn, id: Uuid, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        agreements::table
            .filter(agreements::id.eq(DbId(id)))
            .filter(agreements::status.eq("proposed")),
    )
    .set((
        agreements::status.eq("active"),
        agreements::accepted_at.eq(DbTime(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Ends an agreement that has not ended; false if it already had.
pub fn end(conn: &mut DbConn, id: Uuid, by: Uuid, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        agreements::table
            .filter(agreements::id.eq(DbId(id)))
            .filter(agreements::status.ne("ended")),
    )
    .set((
        agreements::status.eq("ended"),
        agreements::ended_at.eq(DbTime(now)),
        agreements::ended_by.eq(DbId(by)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Holds an active agreement for the caller's transaction: a no-op update that takes the
/// row's lock (PostgreSQL; SQLite's write transactions are serial anyway), so an `end`
/// racing a dispatch waits for it instead of ending the agreement under it. False when the
/// agreement is not active.
pub fn hold_active(conn: &mut DbConn, id: Uuid) -> QueryResult<bool> {
    diesel::update(
        agreements::table
            .filter(agreements::id.eq(DbId(id)))
            .filter(agreements::status.eq("active")),
    )
    .set(agreements::status.eq(agreements::status))
    .execute(conn)
    .map(|n| n == 1)
}
