//! Refresh tokens, kept as digests, in families that rotate on every use.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::portable::{DbId, DbTime};

use super::DbConn;
use super::schema::refresh_tokens;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub family_id: Uuid,
    pub token_hash: String,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DbTime>,
    pub revoked_at: Option<DbTime>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewRefreshToken<'a> {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub family_id: Uuid,
    pub token_hash: &'a str,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub expires_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, token: NewRefreshToken<'_>) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
        .map(|_| ())
}

pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a live token used; false when it was already used or revoked (someone else won).
pub fn consume(conn: &mut DbConn, id: Uuid, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(DbId(id)))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(DbTime(now)))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke_family(conn: &mut DbConn, family_id: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(DbId(family_id)))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(DbTime(now)))
    .execute(conn)
}

/// Forgets tokens that expired before `now`: they can no longer be used, and a reuse of one
/// is refused as unknown just the same.
pub fn purge_expired(conn: &mut DbConn, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(DbTime(now))))
        .execute(conn)
}
