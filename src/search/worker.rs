//! The outbox worker: drains `search_outbox` into the search index. Each batch rebuilds the
//! affected documents from the database (so a replay is harmless) and removes its rows only
//! once the index has taken them; while the engine is down rows wait, with backoff, and
//! nothing is lost.
//!
//! On PostgreSQL a batch runs in one transaction that holds its rows
//! (`FOR UPDATE SKIP LOCKED`) and an advisory lock per affected product while it indexes:
//! several replicas drain in parallel, never the same row, and never two versions of one
//! product at once (so an older document cannot overwrite a newer one). On SQLite one server
//! owns the data dir, and the worker is its only drainer.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use diesel::connection::Connection;
use uuid::Uuid;

use super::document::{self, Change};
use super::{SearchError, SharedIndex};
use crate::db::advisory;
use crate::db::change_feed::{self, Sink};
use crate::db::search_outbox::{self, Pending, Subject};
use crate::db::{DbConn, Pool};

/// Rows taken per batch.
pub const BATCH: i64 = 256;
/// Products per rebuild page.
const REBUILD_PAGE: i64 = 1000;
const IDLE_POLL: Duration = Duration::from_millis(100);
/// How soon a call under way notices that the worker is to stop.
const STOP_POLL: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum DrainError {
    #[error("database: {0}")]
    Db(String),
    #[error(transparent)]
    Index(#[from] SearchError),
}

impl From<diesel::result::Error> for DrainError {
    fn from(e: diesel::result::Error) -> Self {
        DrainError::Db(e.to_string())
    }
}

impl From<r2d2::Error> for DrainError {
    fn from(e: r2d2::Error) -> Self {
        DrainError::Db(e.to_string())
    }
}

/// How long a row waits after its `attempts`-th failure: 0.25 s doubling up to a minute.
pub fn backoff(attempts: i32) -> Duration {
    let factor = 1u32 << attempts.clamp(0, 16) as u32;
    (Duration::from_millis(250) * factor).min(MAX_BACKOFF)
}

/// Runs index calls from the worker's (synchronous) thread.
pub trait Driver {
    fn run<T>(&self, call: impl Future<Output = Result<T, SearchError>>) -> Result<T, SearchError>;
}

/// To completion (a command that runs and exits).
impl Driver for tokio::runtime::Runtime {
    fn run<T>(&self, call: impl Future<Output = Result<T, SearchError>>) -> Result<T, SearchError> {
        self.block_on(call)
    }
}

/// A server's worker: a call still under way when the server stops is given up (as a
/// failed one: its rows stay for the next attempt), so a server whose engine hangs still
/// stops at once.
struct UntilStopped<'a> {
    rt: &'a tokio::runtime::Runtime,
    stop: &'a AtomicBool,
}

impl Driver for UntilStopped<'_> {
    fn run<T>(&self, call: impl Future<Output = Result<T, SearchError>>) -> Result<T, SearchError> {
        self.rt.block_on(async {
            tokio::select! {
                answer = call => answer,
                () = stopped(self.stop) => Err(SearchError::Unavailable(
                    "the server stopped while the search engine had not answered".to_owned(),
                )),
            }
        })
    }
}

async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(STOP_POLL).await;
    }
}

/// Drains one batch; returns how many rows it took off the outbox. Whatever the outcome,
/// the rows it took are then told to `sink` (this server's read cache) and, on PostgreSQL,
/// announced on the change feed. The read caches do not wait for this: the write that
/// enqueued a row announced it when it committed (`db::search_outbox`). This is a late
/// second announcement, for a row whose writer did not announce it (a server of an older
/// version during a rolling deploy), and on SQLite, which has no feed, how the server hears
/// of a write made by another process on its file (`kriya demo`).
pub fn drain_once(
    pool: &Pool,
    index: &SharedIndex,
    rt: &impl Driver,
    sink: Option<&dyn Sink>,
) -> Result<usize, DrainError> {
    let mut conn = pool.get()?;
    let now = crate::domain::now();
    let mut claimed: Vec<Pending> = Vec::new();
    let on_postgres = advisory::available(&conn);
    let result = if on_postgres {
        conn.transaction(|c| {
            claimed = search_outbox::claim_due(c, now, BATCH)?;
            let (ready, work) = lock_products(c, &claimed)?;
            claimed.retain(|p| ready.contains(&p.id));
            apply(c, work, index, rt)?;
            // Heard by every server when the rows leave, not before and never lost.
            change_feed::announce(c, &subjects_of(&claimed))?;
            let ids: Vec<i64> = claimed.iter().map(|p| p.id).collect();
            search_outbox::remove(c, &ids)?;
            Ok::<_, DrainError>(ids.len())
        })
    } else {
        claimed = search_outbox::claim_due(&mut conn, now, BATCH)?;
        plan(&mut conn, &claimed)
            .and_then(|work| apply(&mut conn, work, index, rt))
            .and_then(|()| {
                let ids: Vec<i64> = claimed.iter().map(|p| p.id).collect();
                crate::db::write_tx(&mut conn, |c| {
                    Ok::<_, DrainError>(search_outbox::remove(c, &ids)?)
                })
            })
    };
    if let Err(DrainError::Index(e)) = &result {
        // The rows stay; each waits longer the more often it failed.
        let attempts = claimed.iter().map(|p| p.attempts).max().unwrap_or(0);
        let until = Utc::now() + backoff(attempts + 1);
        let ids: Vec<i64> = claimed.iter().map(|p| p.id).collect();
        search_outbox::postpone(&mut conn, &ids, until, &e.to_string())?;
    }
    if result.is_err() {
        // The rows stay and are announced again when next taken; this is only sooner.
        let _ = change_feed::announce(&mut conn, &subjects_of(&claimed));
    }
    if let Some(sink) = sink {
        sink.changed(&subjects_of(&claimed));
    }
    result
}

/// What `rows` changed, each once.
fn subjects_of(rows: &[Pending]) -> Vec<Subject> {
    let mut subjects: Vec<Subject> = rows.iter().map(|p| p.subject).collect();
    subjects.sort_by_key(|s| s.parts());
    subjects.dedup();
    subjects
}

/// Products one batch locks one by one at most. PostgreSQL's lock table is shared and
/// small (64 × max_connections by default): a seller with thousands of products, suspended,
/// would otherwise need more than it has, and its row would fail for ever.
pub const LOCK_BUDGET: usize = 1_000;

/// On PostgreSQL, takes the transaction-scoped advisory locks that keep batches from
/// overlapping: a rebuild waits for the rebuild key exclusively (batches under way finish
/// first, later ones queue behind it, so it cannot be starved); any other batch shares that
/// key, then tries a key per distinct product its rows touch, all in one statement, up to
/// `LOCK_BUDGET` products (the rows past it wait for a later batch). A row that alone touches
/// more than the budget (a seller's whole catalogue) is done as a rebuild is: under the
/// rebuild key, exclusively. Returns the rows whose products are all locked (the others stay
/// for a later batch) and the work they ask for.
fn lock_products(conn: &mut DbConn, rows: &[Pending]) -> Result<(Vec<i64>, Work), DrainError> {
    if rows.iter().any(|r| r.subject == Subject::All) {
        advisory::lock(conn, REBUILD_KEY)?;
        // The rebuild covers every row of the batch.
        return Ok((rows.iter().map(|r| r.id).collect(), Work::Rebuild));
    }
    let mut touched = Vec::with_capacity(rows.len());
    for row in rows {
        touched.push(document::expand(conn, &[row.subject])?);
    }
    if touched.iter().any(|t| t.len() > LOCK_BUDGET) {
        // Too many products to lock one by one: hold every other batch off instead.
        advisory::lock(conn, REBUILD_KEY)?;
        let mut products: Vec<Uuid> = touched.into_iter().flatten().collect();
        products.sort();
        products.dedup();
        return Ok((
            rows.iter().map(|r| r.id).collect(),
            Work::Products(products),
        ));
    }
    advisory::lock_shared(conn, REBUILD_KEY)?;
    // The rows that fit the budget, and each product they touch, once.
    let mut keys: Vec<i64> = Vec::new();
    let mut seen = HashSet::new();
    let mut fitting = 0;
    for products in &touched {
        let new = products.iter().filter(|p| !seen.contains(*p)).count();
        if seen.len() + new > LOCK_BUDGET {
            break;
        }
        for p in products {
            if seen.insert(*p) {
                keys.push(advisory_key(*p));
            }
        }
        fitting += 1;
    }
    // One round trip tries every key.
    let locked = advisory::try_lock_all(conn, &keys)?;
    let mut ready = Vec::new();
    let mut products = Vec::new();
    for (row, touched) in rows.iter().zip(touched).take(fitting) {
        if touched.iter().all(|p| locked.contains(&advisory_key(*p))) {
            ready.push(row.id);
            products.extend(touched);
        }
    }
    products.sort();
    products.dedup();
    Ok((ready, Work::Products(products)))
}

/// What a batch of outbox rows asks of the index.
enum Work {
    Rebuild,
    /// Rebuild these products' documents (each once).
    Products(Vec<Uuid>),
}

/// The work of `rows` (SQLite: no locks to take).
fn plan(conn: &mut DbConn, rows: &[Pending]) -> Result<Work, DrainError> {
    if rows.iter().any(|r| r.subject == Subject::All) {
        return Ok(Work::Rebuild);
    }
    let subjects: Vec<Subject> = rows.iter().map(|r| r.subject).collect();
    Ok(Work::Products(document::expand(conn, &subjects)?))
}

/// The advisory-lock key of a rebuild.
const REBUILD_KEY: i64 = 0;

/// A product's advisory-lock key (never `REBUILD_KEY`).
fn advisory_key(id: Uuid) -> i64 {
    let (hi, lo) = id.as_u64_pair();
    ((hi ^ lo) as i64) | 1
}

/// Rebuilds the documents the work names and hands them to the index.
fn apply(
    conn: &mut DbConn,
    work: Work,
    index: &SharedIndex,
    rt: &impl Driver,
) -> Result<(), DrainError> {
    match work {
        Work::Rebuild => rebuild(conn, index, rt, |_, _| {}),
        Work::Products(ids) => {
            for chunk in ids.chunks(REBUILD_PAGE as usize) {
                let (upserts, removes) = split(document::build(conn, chunk)?);
                rt.run(index.apply(&upserts, &removes))?;
            }
            Ok(())
        }
    }
}

fn split(changes: Vec<Change>) -> (Vec<super::ProductDocument>, Vec<Uuid>) {
    let mut upserts = Vec::new();
    let mut removes = Vec::new();
    for change in changes {
        match change {
            Change::Upsert(doc) => upserts.push(*doc),
            Change::Remove(id) => removes.push(id),
        }
    }
    (upserts, removes)
}

/// Replaces the index with every searchable product, reporting `(done, total)` per page.
pub fn rebuild(
    conn: &mut DbConn,
    index: &SharedIndex,
    rt: &impl Driver,
    mut progress: impl FnMut(u64, u64),
) -> Result<(), DrainError> {
    let total = document::searchable_count(conn)? as u64;
    let mut docs = Vec::with_capacity(total as usize);
    let mut after = None;
    loop {
        let ids = document::searchable_ids(conn, after, REBUILD_PAGE)?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        after = Some(last);
        let (upserts, _) = split(document::build(conn, &ids)?);
        docs.extend(upserts);
        progress(docs.len() as u64, total);
    }
    rt.run(index.replace_all(&docs))?;
    Ok(())
}

/// The worker thread of a server: drains until `stop` is set.
pub struct Worker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    /// Drains into `index`, telling `sink` (this server's read cache) what it took.
    pub fn spawn(
        pool: Pool,
        index: SharedIndex,
        sink: Option<Arc<dyn Sink>>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kriya-search-io")
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("kriya-search-outbox".into())
            .spawn(move || run(&pool, &index, &rt, sink.as_deref(), &flag))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    pool: &Pool,
    index: &SharedIndex,
    rt: &tokio::runtime::Runtime,
    sink: Option<&dyn Sink>,
    stop: &AtomicBool,
) {
    let rt = UntilStopped { rt, stop };
    let mut failures = 0;
    // Settings first: an engine that is down at start is waited for, not fatal.
    while !stop.load(Ordering::Relaxed) {
        match rt.run(index.configure()) {
            Ok(()) => break,
            Err(e) => {
                failures += 1;
                let wait = backoff(failures);
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "configuring the search index failed; will retry");
                sleep_unless_stopped(wait, stop);
            }
        }
    }
    failures = 0;
    while !stop.load(Ordering::Relaxed) {
        match drain_once(pool, index, &rt, sink) {
            Ok(0) => {
                failures = 0;
                std::thread::sleep(IDLE_POLL);
            }
            Ok(n) => {
                failures = 0;
                tracing::debug!(rows = n, "search outbox drained");
            }
            Err(e) => {
                failures += 1;
                let wait = backoff(failures);
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "search indexing failed; will retry");
                sleep_unless_stopped(wait, stop);
            }
        }
    }
}

fn sleep_unless_stopped(total: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < total && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_secs(2));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }

    #[test]
    fn advisory_keys_are_never_the_rebuild_key() {
        assert_ne!(advisory_key(Uuid::nil()), 0);
        assert_ne!(advisory_key(Uuid::max()), 0);
    }
}
