//! One connection type over PostgreSQL and SQLite, a pool that picks the backend from the
//! URL scheme, and the per-connection setup SQLite needs.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<DbManager>;
pub type PooledConn = r2d2::PooledConnection<DbManager>;

/// Which database a URL names.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    /// A file path (or `:memory:`), without the `sqlite://` prefix.
    Sqlite(String),
}

/// Shows the URL without its password.
impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbUrl::Postgres(url) => f
                .debug_tuple("Postgres")
                .field(&redact_password(url))
                .finish(),
            DbUrl::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:[redacted]@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:[redacted]@{host}"),
        None => url.to_owned(),
    }
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| "expected a postgres://, postgresql:// or sqlite:// URL".to_owned())?;
        if path.is_empty() {
            return Err("the sqlite:// URL names no file".to_owned());
        }
        Ok(DbUrl::Sqlite(path.to_owned()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, DbUrl::Postgres(_))
    }
}

/// r2d2 manager that establishes the backend the URL names and reports that backend's own
/// connection error (the derived `establish` tries each backend and loses it).
#[derive(Clone, Debug)]
pub struct DbManager {
    url: DbUrl,
}

impl DbManager {
    pub fn new(url: DbUrl) -> Self {
        Self { url }
    }
}

// The busy timeout comes first: switching to WAL needs a lock another writer may hold.
const SQLITE_SETUP: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

impl ManageConnection for DbManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DbUrl::Postgres(url) => PgConnection::establish(url)
                .map(DbConn::Pg)
                .map_err(r2d2::Error::ConnectionError),
            DbUrl::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_SETUP)
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// Checked on every checkout, so it must not cost a round trip: on PostgreSQL it reads
    /// what the server sent while the connection sat idle (no query), which is where a
    /// closed or killed session shows; a SQLite file needs no check.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        let DbConn::Pg(c) = conn else {
            return Ok(());
        };
        // A session ended by the server sends why, then closes: the first read takes the
        // message, the second meets the closed socket.
        for _ in 0..2 {
            if let Some(e) = c.notifications_iter().find_map(Result::err) {
                return Err(r2d2::Error::QueryError(e));
            }
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// Builds the pool and checks one connection, so a wrong URL fails at start with the
/// database's own message.
pub fn build_pool(url: &DbUrl, max_size: u32) -> Result<Pool, String> {
    // Connections open as load needs them, not all at start.
    build_pool_keeping(url, max_size, max_size.min(2))
}

/// A pool for a command that runs and exits: it never opens connections in the background.
/// (A pool keeping idle connections refills them on r2d2's own thread; a process that exits
/// while that thread is in a TLS handshake with PostgreSQL can crash in libpq/OpenSSL
/// teardown.)
pub fn build_tool_pool(url: &DbUrl, max_size: u32) -> Result<Pool, String> {
    build_pool_keeping(url, max_size, 0)
}

fn build_pool_keeping(url: &DbUrl, max_size: u32, min_idle: u32) -> Result<Pool, String> {
    let manager = DbManager::new(url.clone());
    if let Err(e) = manager.connect() {
        return Err(e.to_string());
    }
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(min_idle))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| e.to_string())
}

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> Result<usize, String> {
    let applied = match conn {
        DbConn::Pg(c) => {
            // Replicas starting together take turns: the first migrates, the rest find
            // nothing pending. (A session lock: it outlives each migration's transaction.)
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .map_err(|e| e.to_string())?;
            let applied = c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len());
            let _ = c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
            applied
        }
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| e.to_string())
}

/// The advisory-lock key migrations hold on PostgreSQL (`kriya` in ASCII).
const MIGRATION_LOCK: i64 = 0x006b_7269_7961;

/// A connection inside a write transaction. Only [`write_tx`] makes one, so a function that
/// must run as part of a larger unit of work takes `&mut Tx` and cannot be called outside a
/// transaction. It derefs to the connection, so every `db::` function takes it as it is.
pub struct Tx<'c> {
    conn: &'c mut DbConn,
}

impl std::ops::Deref for Tx<'_> {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        self.conn
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConn {
        self.conn
    }
}

impl Tx<'_> {
    /// The connection, for a diesel query written in place (`query.execute(tx.conn())`).
    pub fn conn(&mut self) -> &mut DbConn {
        self.conn
    }
}

/// Runs `f` in a transaction that takes the write lock up front on SQLite (`BEGIN
/// IMMEDIATE`), so a read-then-write never fails with "database is locked" half way. Called
/// inside another write transaction it runs in a savepoint of that one (on both backends).
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Tx<'_>) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let run = |conn: &mut DbConn| f(&mut Tx { conn });
    type Manager = <DbConn as Connection>::TransactionManager;
    let nested = Manager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some();
    match conn {
        DbConn::Sqlite(_) if !nested => tx_begun_by(conn, "BEGIN IMMEDIATE", run),
        _ => conn.transaction(run),
    }
}

/// Runs the reads of `f` on one snapshot of the database, so figures read by several
/// queries agree with each other (PostgreSQL: repeatable read, read only).
pub fn read_snapshot<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let begin = match conn {
        DbConn::Sqlite(_) => "BEGIN DEFERRED",
        DbConn::Pg(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    tx_begun_by(conn, begin, f)
}

fn tx_begun_by<T, E, F>(conn: &mut DbConn, begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Manager = <DbConn as Connection>::TransactionManager;
    match conn {
        DbConn::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, begin)?,
        DbConn::Pg(inner) => AnsiTransactionManager::begin_transaction_sql(inner, begin)?,
    }
    match f(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Manager::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            Manager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}
