//! Stored responses of POSTs sent with an `Idempotency-Key`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::idempotency_keys;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    pub key: String,
    pub request_hash: String,
    pub status_code: i32,
    pub response_body: String,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

pub fn find(conn: &mut DbConn, user_id: Uuid, key: &str) -> QueryResult<Option<KeyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(DbId(user_id)))
        .filter(idempotency_keys::key.eq(key))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a response; a unique violation means another request with the key got there first.
pub fn insert(conn: &mut DbConn, row: KeyRow) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Forgets keys older than `cutoff` (they are kept at least 24 hours).
pub fn purge_before(conn: &mut DbConn, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(DbTime(cutoff))))
        .execute(conn)
}

/// Fills in the response of a key claimed earlier in the same transaction.
pub fn complete(
    conn: &mut DbConn,
    user_id: Uuid,
    key: &str,
    status_code: i32,
    body: &str,
) -> QueryResult<()> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::user_id.eq(DbId(user_id)))
            .filter(idempotency_keys::key.eq(key)),
    )
    .set((
        idempotency_keys::status_code.eq(status_code),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)
    .map(|_| ())
}
