//! Seller profiles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::portable::{DbId, DbTime};

use super::DbConn;
use super::schema::sellers;
use super::search_outbox::{self, Subject};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sellers)]
pub struct SellerRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    pub business_name: String,
    pub story: String,
    pub sector: Option<String>,
    pub kecamatan: Option<String>,
    pub kelurahan: Option<String>,
    pub whatsapp: Option<String>,
    pub nib: Option<String>,
    pub status: String,
    pub version: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
    /// The seller who taught this one, once named.
    pub mentor_seller_id: Option<DbId>,
}

#[derive(Insertable)]
#[diesel(table_name = sellers)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewSeller<'a> {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    pub business_name: &'a str,
    pub status: &'a str,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

/// The editable part of a profile (a full replacement).
#[derive(AsChangeset)]
#[diesel(table_name = sellers, treat_none_as_null = true)]
pub struct ProfileChanges {
    pub business_name: String,
    pub story: String,
    pub sector: Option<String>,
    pub kecamatan: Option<String>,
    pub kelurahan: Option<String>,
    pub whatsapp: Option<String>,
    pub nib: Option<String>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, seller: NewSeller<'_>) -> QueryResult<()> {
    diesel::insert_into(sellers::table)
        .values(seller)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<SellerRow>> {
    sellers::table
        .find(DbId(id))
        .select(SellerRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_user(conn: &mut DbConn, user_id: Uuid) -> QueryResult<Option<SellerRow>> {
    sellers::table
        .filter(sellers::user_id.eq(DbId(user_id)))
        .select(SellerRow::as_select())
        .first(conn)
        .optional()
}

/// A page of sellers in a status, newest first, strictly after `before` when given.
pub fn list(
    conn: &mut DbConn,
    status: &str,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<SellerRow>> {
    let mut query = sellers::table
        .filter(sellers::status.eq(status))
        .select(SellerRow::as_select())
        .order(sellers::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(sellers::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// Replaces the profile if it is still at `expected_version`; false if it changed meanwhile.
pub fn update_profile(
    conn: &mut DbConn,
    id: Uuid,
    expected_version: i32,
    changes: ProfileChanges,
) -> QueryResult<bool> {
    let n = diesel::update(
        sellers::table
            .filter(sellers::id.eq(DbId(id)))
            .filter(sellers::version.eq(expected_version)),
    )
    .set((changes, sellers::version.eq(expected_version + 1)))
    .execute(conn)?;
    if n == 1 {
        search_outbox::enqueue(conn, Subject::Seller(id))?;
    }
    Ok(n == 1)
}

pub fn set_status(
    conn: &mut DbConn,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let n = diesel::update(sellers::table.find(DbId(id)))
        .set((
            sellers::status.eq(status),
            sellers::version.eq(sellers::version + 1),
            sellers::updated_at.eq(DbTime(now)),
        ))
        .execute(conn)?;
    if n == 1 {
        search_outbox::enqueue(conn, Subject::Seller(id))?;
    }
    Ok(n)
}

/// These sellers (those that exist), in no particular order.
pub fn by_ids(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<Vec<SellerRow>> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    sellers::table
        .filter(sellers::id.eq_any(ids))
        .select(SellerRow::as_select())
        .load(conn)
}

/// Makes mentor changes take turns until the transaction ends, so two sellers naming each
/// other at once cannot both pass the circle check: an advisory lock on PostgreSQL; SQLite's
/// write transaction already lets one writer at a time.
pub fn lock_mentor_changes(conn: &mut DbConn) -> QueryResult<()> {
    super::advisory::lock(conn, MENTOR_LOCK)
}

/// The advisory-lock key mentor changes take turns on.
const MENTOR_LOCK: i64 = 7_270_014;

/// Names the seller's mentor (only while it has none: the mentor is set once); false when
/// one was named meanwhile.
pub fn set_mentor(conn: &mut DbConn, id: Uuid, mentor: Uuid) -> QueryResult<bool> {
    let n = diesel::update(
        sellers::table
            .filter(sellers::id.eq(DbId(id)))
            .filter(sellers::mentor_seller_id.is_null()),
    )
    .set(sellers::mentor_seller_id.eq(Some(DbId(mentor))))
    .execute(conn)?;
    Ok(n == 1)
}

/// Who taught the seller, if anyone.
pub fn mentor_of(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<Uuid>> {
    let found: Option<Option<DbId>> = sellers::table
        .find(DbId(id))
        .select(sellers::mentor_seller_id)
        .first(conn)
        .optional()?;
    Ok(found.flatten().map(|m| m.0))
}
