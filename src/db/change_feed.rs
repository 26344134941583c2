//! The catalogue's change feed on PostgreSQL: the search worker announces every outbox row it
//! takes (`NOTIFY kriya_catalogue_{schema}`), and every server listens, so whatever a replica keeps of
//! a product (its read cache) is dropped when search sees the change, whichever replica took
//! the write and whichever drained the row. SQLite has no feed: one server owns the file and
//! its worker tells its own cache directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryResult, RunQueryDsl};
use uuid::Uuid;

use super::DbConn;
use super::search_outbox::Subject;

pub const CHANNEL: &str = "kriya_catalogue";
/// The listening session's `application_name` (followed by `:{schema}`).
pub const APPLICATION: &str = "kriya-change-feed";
/// PostgreSQL takes payloads shorter than 8 000 bytes.
const PAYLOAD_MAX: usize = 7_000;
/// How often the listener looks for announcements, and checks its connection.
const POLL: Duration = Duration::from_millis(20);
const PING: Duration = Duration::from_secs(1);
const RECONNECT: Duration = Duration::from_secs(1);
/// What a worker announces when it has found nothing more to take.
const CAUGHT_UP: &str = "caught-up";
/// How often a caught-up worker says so.
pub const CAUGHT_UP_EVERY: Duration = Duration::from_millis(400);
/// How long one such announcement keeps the feed live. A change is announced only when a
/// worker takes its row: a worker that stops taking rows (the engine is down, it fell behind,
/// none runs) stops saying it is caught up, and within this the caches fall back to their
/// age bound, forgetting what they kept.
const GRACE: Duration = Duration::from_millis(1_500);

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

/// Announces `subjects` to every listening server (PostgreSQL; nothing on SQLite). Inside a
/// transaction it is heard when that commits, and not at all if it rolls back.
pub fn announce(conn: &mut DbConn, subjects: &[Subject]) -> QueryResult<()> {
    let DbConn::Pg(conn) = conn else {
        return Ok(());
    };
    let mut payload = String::new();
    for subject in subjects {
        let part = encode(*subject);
        if !payload.is_empty() && payload.len() + part.len() + 1 > PAYLOAD_MAX {
            notify(conn, &payload)?;
            payload.clear();
        }
        if !payload.is_empty() {
            payload.push(',');
        }
        payload.push_str(&part);
    }
    if !payload.is_empty() {
        notify(conn, &payload)?;
    }
    Ok(())
}

/// Says that a worker has taken every row that was due (PostgreSQL; nothing on SQLite).
pub fn caught_up(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(conn) => notify(conn, CAUGHT_UP),
        DbConn::Sqlite(_) => Ok(()),
    }
}

fn notify(conn: &mut PgConnection, payload: &str) -> QueryResult<()> {
    diesel::sql_query(format!(
        "SELECT pg_notify('{CHANNEL}_' || current_schema(), $1)"
    ))
    .bind::<Text, _>(payload)
    .execute(conn)
    .map(|_| ())
}

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

fn listen(url: &str, sink: &dyn Sink, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match PgConnection::establish(url) {
            Ok(mut conn) => match listen_to_schema(&mut conn) {
                Ok(()) => {
                    let error = hear(&mut conn, sink, stop);
                    sink.set_live(false);
                    if let Err(e) = error {
                        tracing::warn!(error = %e, "the catalogue's change feed broke; reconnecting");
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

/// Tells `sink` what is announced until `stop` or an error. The feed is live while a worker
/// has said within `GRACE` that it is caught up.
fn hear(conn: &mut PgConnection, sink: &dyn Sink, stop: &AtomicBool) -> QueryResult<()> {
    let mut pinged = Instant::now();
    let mut caught_up_at: Option<Instant> = None;
    let mut live = false;
    while !stop.load(Ordering::Relaxed) {
        let mut heard = Vec::new();
        for notification in conn.notifications_iter() {
            let notification = notification?;
            if notification.payload == CAUGHT_UP {
                caught_up_at = Some(Instant::now());
            } else {
                heard.extend(decode(&notification.payload));
            }
        }
        sink.changed(&heard);
        let now_live = caught_up_at.is_some_and(|at| at.elapsed() < GRACE);
        if now_live != live {
            if !now_live {
                tracing::warn!(
                    "no search worker has caught up lately; the read cache keeps to its age bound"
                );
            }
            sink.set_live(now_live);
            live = now_live;
        }
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
}
