//! Rows a unit of work only adds (ledger rows, outbox rows, a sale and its lines, events),
//! gathered while it runs and written at its end. On PostgreSQL they go as one statement,
//! `WITH w0 AS (INSERT …), w1 AS (INSERT …) INSERT …`: one round trip instead of one a row;
//! what the unit of work announces on the catalogue's change feed (`db::change_feed`) is
//! the last part, `… SELECT pg_notify(…)`, once for all it gathered. On SQLite, which runs
//! in the process, each row is written when it is added, and nothing is announced.
//!
//! Gather only statements that read nothing another one writes and never touch the same row
//! twice: PostgreSQL runs a WITH's parts on one snapshot, in no set order. Foreign keys
//! between them hold, since their checks run at the end of the whole statement.

use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, RunQueryDsl};

use super::DbConn;
use super::change_feed::Announcement;
use super::subject::Subject;

/// A statement [`Appends`] can hold: written to PostgreSQL as part of a WITH, or run on
/// SQLite as it is.
pub trait Append: QueryFragment<Pg> + ExecuteDsl<SqliteConnection> + Send + 'static {}
impl<T> Append for T where T: QueryFragment<Pg> + ExecuteDsl<SqliteConnection> + Send + 'static {}

#[derive(Default)]
pub struct Appends {
    pending: Vec<Box<dyn QueryFragment<Pg> + Send>>,
    /// What changed, announced on the change feed with what is written (PostgreSQL).
    announced: Vec<Subject>,
}

impl Appends {
    pub fn new() -> Self {
        Self::default()
    }

    /// Gathers `stmt` (PostgreSQL) or runs it now (SQLite).
    pub fn add(&mut self, conn: &mut DbConn, stmt: impl Append) -> QueryResult<()> {
        match conn {
            DbConn::Pg(_) => {
                self.pending.push(Box::new(stmt));
                Ok(())
            }
            DbConn::Sqlite(c) => ExecuteDsl::execute(stmt, c).map(drop),
        }
    }

    /// Gathers a statement only PostgreSQL can run; call it on a PostgreSQL connection only.
    pub fn add_pg(&mut self, stmt: impl QueryFragment<Pg> + Send + 'static) {
        self.pending.push(Box::new(stmt));
    }

    /// Announces that `subject` changed, in the statement that writes what is gathered
    /// (PostgreSQL; SQLite has no change feed).
    pub fn announce(&mut self, conn: &DbConn, subject: Subject) {
        if matches!(conn, DbConn::Pg(_)) {
            self.announced.push(subject);
        }
    }

    /// Writes what was gathered, in one statement that ends with the announcement of what
    /// changed (heard when the transaction commits).
    pub fn write(mut self, conn: &mut DbConn) -> QueryResult<()> {
        let DbConn::Pg(c) = conn else {
            return Ok(());
        };
        if let Some(announcement) = Announcement::of(&self.announced) {
            self.pending.push(Box::new(announcement));
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        All(self.pending).execute(c as &mut PgConnection).map(drop)
    }
}

/// The gathered statements as one: every one but the last a named part of a WITH.
struct All(Vec<Box<dyn QueryFragment<Pg> + Send>>);

impl QueryId for All {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// The most parts a gathered statement may have and still be kept prepared. Its SQL text
/// differs with the parts, and a connection keeps every text it prepares, so only the
/// common shapes (a sale of a few lines, a restock) are kept.
const MOST_PARTS_KEPT: usize = 12;

impl QueryFragment<Pg> for All {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let Some((last, rest)) = self.0.split_last() else {
            return Ok(());
        };
        if self.0.len() > MOST_PARTS_KEPT {
            out.unsafe_to_cache_prepared();
        }
        for (i, stmt) in rest.iter().enumerate() {
            out.push_sql(if i == 0 { "WITH " } else { ", " });
            out.push_sql(&format!("w{i} AS ("));
            stmt.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        if !rest.is_empty() {
            out.push_sql(" ");
        }
        last.walk_ast(out.reborrow())
    }
}

impl RunQueryDsl<PgConnection> for All {}
