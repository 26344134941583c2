//! PostgreSQL's transaction-scoped advisory locks, for work several servers on one database
//! must take turns at. SQLite has none and needs none: its write transaction already lets
//! one writer at a time, and one server owns its file.

use std::collections::HashSet;

use diesel::sql_types::{Array, BigInt, Bool};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use super::DbConn;

/// Whether the connection's database has advisory locks (PostgreSQL).
pub fn available(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Pg(_))
}

/// Waits for `key`, exclusively, until the transaction ends; nothing to take on SQLite.
pub fn lock(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(key)
            .execute(c)?;
    }
    Ok(())
}

/// Waits for `key`, shared with other shared holders, until the transaction ends; nothing to
/// take on SQLite.
pub fn lock_shared(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock_shared($1)")
            .bind::<BigInt, _>(key)
            .execute(c)?;
    }
    Ok(())
}

/// Tries every key at once (one round trip) without waiting; returns those now held until
/// the transaction ends. On SQLite every key is, as no one else can hold it.
pub fn try_lock_all(conn: &mut DbConn, keys: &[i64]) -> QueryResult<HashSet<i64>> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = BigInt)]
        key: i64,
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let DbConn::Pg(c) = conn else {
        return Ok(keys.iter().copied().collect());
    };
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(diesel::sql_query(
        "SELECT k AS key, pg_try_advisory_xact_lock(k) AS locked \
         FROM unnest($1::bigint[]) AS k",
    )
    .bind::<Array<BigInt>, _>(keys)
    .load::<Locked>(c)?
    .into_iter()
    .filter(|l| l.locked)
    .map(|l| l.key)
    .collect())
}
