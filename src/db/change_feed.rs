//! The catalogue's change feed on PostgreSQL. Every write that changes what a product page or
//! the catalogue shows writes a search outbox row in its transaction, and announces with it
//! what changed (`NOTIFY kriya_catalogue_{schema}`, in the same statement: see
//! `db::search_outbox`). PostgreSQL delivers an announcement when its transaction commits, and
//! never if it rolls back. Every server listens, so whatever a replica keeps of a product (its
//! read cache) is dropped as soon as the change is committed, whichever replica took it, and
//! whatever the search engine does meanwhile. The search worker announces the rows it takes
//! once more, a late second chance for a write that was not announced (a server of an older
//! version, during a rolling deploy). SQLite has no feed: one server owns the file and its
//! worker tells its own cache directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryResult, RunQueryDsl};
use uuid::Uuid;

use super::DbConn;
use super::subject::Subject;

pub const CHANNEL: &str = "kriya_catalogue";
/// The listening session's `application_name` (followed by `:{schema}`).
pub const APPLICATION: &str = "kriya-change-feed";
/// PostgreSQL takes payloads shorter than 8 000 bytes.
const PAYLOAD_MAX: usize = 7_000;
/// How often the listener looks for announcements, and checks its connection.
const POLL: Duration = Duration::from_millis(20);
const PING: Duration = Duration::from_secs(1);
const RECONNECT: Duration = Duration::from_secs(1);
/// What search workers of earlier versions announced when they found no row to take; it
/// names no change, and is ignored.
const EARLIER_CAUGHT_UP: &str = "caught-up";

/// What hears the feed.
pub trait Sink: Send + Sync {
    /// These changed (a subject may be announced more than once).
    fn changed(&self, subjects: &[Subject]);
    /// The feed is now heard (`true`) or not (`false`); announcements may have been missed
    /// in between either way.
    fn set_live(&self, live: bool);
}

/// `product:{id}`, `stock:{id}`, `seller:{id}`, `hotel:{id}` or `all`.
fn encode(subject: Subject) -> String {
    match subject.parts() {
        (topic, Some(id)) => format!("{topic}:{id}"),
        (topic, None) => topic.to_owned(),
    }
}

/// The subjects of a payload; what it cannot read means "everything may have changed".
pub fn decode(payload: &str) -> Vec<Subject> {
    payload
        .split(',')
        .map(|part| {
            let (topic, id) = match part.split_once(':') {
                Some((topic, id)) => (topic, Uuid::parse_str(id).ok()),
                None => (part, None),
            };
            Subject::from_parts(topic, id).unwrap_or(Subject::All)
        })
        .collect()
}

/// `subjects` as payloads of at most `PAYLOAD_MAX` bytes (usually one).
fn payloads(subjects: &[Subject]) -> Vec<String> {
    let mut out = Vec::new();
    let mut payload = String::new();
    for subject in subjects {
        let part = encode(*subject);
        if !payload.is_empty() && payload.len() + part.len() + 1 > PAYLOAD_MAX {
            out.push(std::mem::take(&mut payload));
        }
        if !payload.is_empty() {
            payload.push(',');
        }
        payload.push_str(&part);
    }
    if !payload.is_empty() {
        out.push(payload);
    }
    out
}

/// Announces `subjects` to every listening server (PostgreSQL; nothing on SQLite). Inside a
/// transaction it is heard when that commits, and not at all if it rolls back.
pub fn announce(conn: &mut DbConn, subjects: &[Subject]) -> QueryResult<()> {
    let DbConn::Pg(conn) = conn else {
        return Ok(());
    };
    match Announcement::of(subjects) {
        Some(announcement) => announcement.execute(conn).map(drop),
        None => Ok(()),
    }
}

/// `SELECT pg_notify(…)`, once per payload: the announcement of some subjects as a statement,
/// for `db::appends` to send as the last part of what a unit of work adds.
pub struct Announcement {
    payloads: Vec<String>,
}

impl Announcement {
    /// The announcement of `subjects`, each once; none when there are none.
    pub fn of(subjects: &[Subject]) -> Option<Self> {
        let mut subjects = subjects.to_vec();
        subjects.sort_by_key(|s| s.parts());
        subjects.dedup();
        let payloads = payloads(&subjects);
        (!payloads.is_empty()).then_some(Self { payloads })
    }
}

impl diesel::query_builder::QueryId for Announcement {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Pg> for Announcement {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Channels are per database, and two catalogues may share one in different schemas.
        out.push_sql("SELECT ");
        for (i, payload) in self.payloads.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql(&format!("pg_notify('{CHANNEL}_' || current_schema(), "));
            out.push_bind_param::<Text, _>(payload)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for Announcement {}

/// `LISTEN` for the feed of the schema the connection works in: channels are per database,
/// and two catalogues may share one in different schemas.
fn listen_to_schema(conn: &mut PgConnection) -> QueryResult<()> {
    #[derive(diesel::QueryableByName)]
    struct Schema {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let schema: Schema = diesel::sql_query("SELECT current_schema() AS name").get_result(conn)?;
    // Named, so an operator sees what the session is for.
    diesel::sql_query("SELECT set_config('application_name', $1, false)")
        .bind::<Text, _>(format!("{APPLICATION}:{}", schema.name))
        .execute(conn)?;
    let channel = format!("{CHANNEL}_{}", schema.name).replace('"', "\"\"");
    conn.batch_execute(&format!("LISTEN \"{channel}\""))
}

/// A thread that listens on its own connection and tells `sink`; it reconnects when the
/// connection breaks, telling `sink` the feed is not live meanwhile.
pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Listener {
    pub fn spawn(url: String, sink: Arc<dyn Sink>) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kriya-change-feed".into())
            .spawn(move || listen(&url, &*sink, &flag))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The feed is live from `LISTEN` until the connection breaks: every change committed
/// meanwhile is announced by its own transaction, so nothing else needs to vouch for it.
fn listen(url: &str, sink: &dyn Sink, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match PgConnection::establish(url) {
            Ok(mut conn) => match listen_to_schema(&mut conn) {
                Ok(()) => {
                    sink.set_live(true);
                    let error = hear(&mut conn, sink, stop);
                    sink.set_live(false);
                    if let Err(e) = error {
                        tracing::warn!(error = %e, "the catalogue's change feed broke; the read cache keeps to its age bound until it reconnects");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN failed; will retry"),
            },
            Err(e) => tracing::warn!(error = %e, "the change feed cannot connect; will retry"),
        }
        let mut slept = Duration::ZERO;
        while slept < RECONNECT && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(POLL);
            slept += POLL;
        }
    }
}

/// Tells `sink` what is announced until `stop` or an error.
fn hear(conn: &mut PgConnection, sink: &dyn Sink, stop: &AtomicBool) -> QueryResult<()> {
    let mut pinged = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let mut heard = Vec::new();
        for notification in conn.notifications_iter() {
            let notification = notification?;
            if notification.payload != EARLIER_CAUGHT_UP {
                heard.extend(decode(&notification.payload));
            }
        }
        sink.changed(&heard);
        if pinged.elapsed() >= PING {
            // A connection that died quietly shows only when it is used.
            conn.batch_execute("SELECT 1")?;
            pinged = Instant::now();
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip_through_a_payload() {
        let subjects = vec![
            Subject::Product(Uuid::new_v4()),
            Subject::Stock(Uuid::new_v4()),
            Subject::Seller(Uuid::new_v4()),
            Subject::Hotel(Uuid::new_v4()),
            Subject::All,
        ];
        let payload: Vec<String> = subjects.iter().map(|s| encode(*s)).collect();
        assert_eq!(decode(&payload.join(",")), subjects);
        assert_eq!(decode("product:nonsense"), vec![Subject::All]);
        assert_eq!(decode("what"), vec![Subject::All]);
    }

    #[test]
    fn an_announcement_names_each_subject_once_within_the_payload_limit() {
        let a = Subject::Product(Uuid::new_v4());
        let once = Announcement::of(&[a, a, Subject::Stock(Uuid::nil()), a]).unwrap();
        assert_eq!(once.payloads.len(), 1);
        assert_eq!(decode(&once.payloads[0]).len(), 2);
        assert!(Announcement::of(&[]).is_none());

        let many: Vec<Subject> = (0..500).map(|_| Subject::Product(Uuid::new_v4())).collect();
        let split = Announcement::of(&many).unwrap();
        assert!(split.payloads.len() > 1);
        assert!(split.payloads.iter().all(|p| p.len() <= PAYLOAD_MAX));
        let heard: Vec<Subject> = split.payloads.iter().flat_map(|p| decode(p)).collect();
        assert_eq!(heard.len(), many.len());
    }
}
