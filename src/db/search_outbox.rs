//! The search outbox: one row per change the search index has yet to see, written in the
//! transaction that makes the change. The worker (`search::worker`) drains it; a row leaves
//! the table only once the index has taken the rebuilt documents.
//!
//! Every write that changes what a product page or the catalogue shows writes a row here,
//! so this is also where the change is announced to every server's read cache: on
//! PostgreSQL the row's statement ends with `pg_notify` (`db::change_feed`), which is heard
//! when the transaction commits, and never if it rolls back. Rows gathered in one
//! [`Appends`] are announced together, in one `pg_notify`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::appends::{Append, Appends};
use super::portable::{DbId, DbTime};
use super::schema::search_outbox;
pub use super::subject::Subject;

#[derive(Clone, Debug)]
pub struct Pending {
    pub id: i64,
    pub subject: Subject,
    pub attempts: i32,
}

/// Appends a row for `subject`, due now, and announces the change (one statement). Call it
/// inside the transaction of the change.
pub fn enqueue(conn: &mut DbConn, subject: Subject) -> QueryResult<()> {
    let mut later = Appends::new();
    enqueue_later(conn, &mut later, subject)?;
    later.write(conn)
}

/// [`enqueue`], gathered into `later` (and announced with what it writes).
pub fn enqueue_later(conn: &mut DbConn, later: &mut Appends, subject: Subject) -> QueryResult<()> {
    later.add(conn, row(subject))?;
    later.announce(conn, subject);
    Ok(())
}

fn row(subject: Subject) -> impl Append {
    let (topic, id) = subject.parts();
    let now = DbTime(crate::domain::now());
    diesel::insert_into(search_outbox::table).values((
        search_outbox::topic.eq(topic),
        search_outbox::subject_id.eq(id.map(DbId)),
        search_outbox::enqueued_at.eq(now),
        search_outbox::available_at.eq(now),
    ))
}

type RawRow = (i64, String, Option<DbId>, i32);

/// Up to `limit` rows due at `now`, oldest first. On PostgreSQL the rows are locked
/// (`FOR UPDATE SKIP LOCKED`) until the caller's transaction ends, so several workers never
/// take the same row; rows another worker holds are skipped, not waited for.
pub fn claim_due(conn: &mut DbConn, now: DateTime<Utc>, limit: i64) -> QueryResult<Vec<Pending>> {
    let query = search_outbox::table
        .filter(search_outbox::available_at.le(DbTime(now)))
        .order(search_outbox::id)
        .limit(limit)
        .select((
            search_outbox::id,
            search_outbox::topic,
            search_outbox::subject_id,
            search_outbox::attempts,
        ));
    let rows: Vec<RawRow> = match conn {
        DbConn::Pg(c) => query.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => query.load(c)?,
    };
    Ok(rows
        .into_iter()
        .filter_map(|(id, topic, subject, attempts)| {
            Subject::from_parts(&topic, subject.map(|s| s.0)).map(|subject| Pending {
                id,
                subject,
                attempts,
            })
        })
        .collect())
}

/// Removes rows the index has taken.
pub fn remove(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(search_outbox::table.filter(search_outbox::id.eq_any(ids))).execute(conn)
}

/// Puts rows back for a later attempt, remembering why this one failed.
pub fn postpone(
    conn: &mut DbConn,
    ids: &[i64],
    until: DateTime<Utc>,
    error: &str,
) -> QueryResult<usize> {
    let error: String = error.chars().take(1000).collect();
    diesel::update(search_outbox::table.filter(search_outbox::id.eq_any(ids)))
        .set((
            search_outbox::available_at.eq(DbTime(until)),
            search_outbox::attempts.eq(search_outbox::attempts + 1),
            search_outbox::last_error.eq(error),
        ))
        .execute(conn)
}

/// Rows waiting, due or not.
pub fn backlog(conn: &mut DbConn) -> QueryResult<i64> {
    search_outbox::table.count().get_result(conn)
}
