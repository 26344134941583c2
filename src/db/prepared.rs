//! Hot write statements written out by hand, so that PostgreSQL parses and plans them once
//! per connection instead of once per request.
//!
//! Diesel keeps a statement prepared only when it can tell its SQL never changes. It never
//! tells that of an `UPDATE`, nor of an `ON CONFLICT … DO UPDATE`, so the stock ledger's
//! guarded takes and balance fills, which every sale, restock and checkout runs, would be
//! planned again every time. The statements here are fixed SQL with bind parameters, the
//! same text on both databases (diesel writes `$n` or `?` for each parameter); a test checks
//! that PostgreSQL holds every statement of a sale and of a checkout prepared.
//!
//! Inserts of row structs stay diesel's, but every `Insertable` row struct declares
//! `treat_none_as_default_value = false`. Without it diesel wraps every field, optional or
//! not, in "this value or `DEFAULT`", whose SQL may vary with the values, so it never keeps
//! such an insert prepared. No column takes a default for a missing optional value here, so
//! a `None` is bound as NULL.

use diesel::pg::Pg;
use diesel::query_builder::{QueryFragment, QueryId};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::sqlite::Sqlite;
use diesel::{PgConnection, QueryResult, SqliteConnection};

use super::DbConn;

/// Runs a hand-written statement on the connection's own backend; returns the rows it
/// touched.
pub fn execute<Q>(conn: &mut DbConn, stmt: Q) -> QueryResult<usize>
where
    Q: QueryFragment<Pg> + QueryFragment<Sqlite> + QueryId,
{
    match conn {
        DbConn::Pg(c) => ExecuteDsl::<PgConnection, Pg>::execute(stmt, c),
        DbConn::Sqlite(c) => ExecuteDsl::<SqliteConnection, Sqlite>::execute(stmt, c),
    }
}

/// Declares a hand-written statement's `QueryId`: one type, one SQL text, so diesel keys
/// its statement cache by the type.
macro_rules! fixed_query_id {
    ($name:ident) => {
        impl diesel::query_builder::QueryId for $name {
            type QueryId = $name;
            const HAS_STATIC_QUERY_ID: bool = true;
        }
        impl<Conn> diesel::RunQueryDsl<Conn> for $name {}
    };
}
pub(crate) use fixed_query_id;
