//! The delivery worker, one per server: fans new events out, takes due deliveries and sends
//! them concurrently (at most `PER_ENDPOINT` at once to one endpoint and `OVERALL` in all,
//! so a slow or dead receiver holds only its own slots), and records every attempt.
//!
//! A delivery taken for an attempt is leased in the database (`LEASE`): replicas claim
//! with `FOR UPDATE SKIP LOCKED` and skip leased rows, so one attempt is never made twice at
//! once; a server that stops mid-attempt leaves the delivery due again when the lease ends
//! (delivery is at least once; receivers deduplicate on `webhook-id`).
//!
//! Attempts are recorded by one recorder in batches (one transaction for every attempt that
//! finished meanwhile), and each batch wakes the loop so freed slots are filled at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use uuid::Uuid;

use super::fanout;
use super::send::{self, Attempt, Job, Outcome};
use super::signing;
use crate::db::webhook_deliveries::{self as log, AttemptRow, FAILED, PENDING, SUCCEEDED};
use crate::db::{DbConn, Pool, webhook_endpoints, write_tx};
use crate::domain::webhook::{DISABLE_AFTER, next_delay};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};

/// Attempts in flight to one endpoint, per server.
pub const PER_ENDPOINT: usize = 16;
/// Attempts in flight in all, per server.
pub const OVERALL: usize = 256;
/// How long a taken delivery is kept from others: well past the 10 s timeout.
const LEASE: Duration = Duration::from_secs(60);
const IDLE_POLL: Duration = Duration::from_millis(50);
/// Attempts recorded per transaction at most.
const RECORD_BATCH: usize = 256;

#[derive(Clone)]
pub struct Settings {
    pub allow_private: bool,
    /// Seconds to wait after the 1st, 2nd, … failed attempt.
    pub schedule: Vec<u64>,
}

struct Worker {
    pool: Pool,
    settings: Settings,
    client: reqwest::Client,
    in_flight: Mutex<HashMap<Uuid, usize>>,
    slots: Arc<Semaphore>,
    /// Finished attempts, on their way to the recorder (with the slot they hold).
    finished: mpsc::UnboundedSender<(Job, Attempt, OwnedSemaphorePermit)>,
    /// Rung when attempts were recorded and slots freed.
    wake: Notify,
}

/// Asks a running worker to stop: it takes nothing more, lets the attempts under way finish
/// (each is bounded by the 10 s timeout), records them and returns.
#[derive(Default)]
pub struct Stop {
    requested: AtomicBool,
    notify: Notify,
}

impl Stop {
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// Runs until `stop` is requested and the attempts under way are recorded (or the task is
/// aborted: then their leases bring them back after a minute).
pub async fn run(pool: Pool, settings: Settings, stop: Arc<Stop>) {
    let (finished, mut results) = mpsc::unbounded_channel();
    let worker = Arc::new(Worker {
        client: super::guard::client(settings.allow_private, send::TIMEOUT),
        pool,
        settings,
        in_flight: Mutex::new(HashMap::new()),
        slots: Arc::new(Semaphore::new(OVERALL)),
        finished,
        wake: Notify::new(),
    });
    let recorder = {
        let worker = worker.clone();
        async move {
            while let Some(first) = results.recv().await {
                let mut batch = vec![first];
                while batch.len() < RECORD_BATCH {
                    match results.try_recv() {
                        Ok(more) => batch.push(more),
                        Err(_) => break,
                    }
                }
                worker.record_batch(batch).await;
            }
        }
    };
    let sender = async move {
        while !stop.requested() {
            match worker.clone().round().await {
                Ok(0) => {
                    tokio::select! {
                        _ = tokio::time::sleep(IDLE_POLL) => {}
                        _ = worker.wake.notified() => {}
                        _ = stop.notify.notified() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "webhook worker");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        // Every slot back means every attempt under way has been recorded.
        let _all = worker.slots.acquire_many(OVERALL as u32).await;
    };
    tokio::select! {
        _ = recorder => {}
        _ = sender => {}
    }
}

impl Worker {
    /// Fans out, then starts what is due; returns how much it did.
    async fn round(self: Arc<Self>) -> AppResult<usize> {
        let pool = self.pool.clone();
        let fanned = blocking(move || fanout::fan_out_once(&mut *pool.get()?)).await?;
        let free = self.slots.available_permits();
        if free == 0 {
            return Ok(fanned);
        }
        let room: HashMap<Uuid, usize> = self.in_flight.lock().expect("in-flight map").clone();
        let pool = self.pool.clone();
        let jobs = blocking(move || take(&mut *pool.get()?, &room, free)).await?;
        let started = jobs.len();
        for job in jobs {
            let permit = self
                .slots
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore stays open");
            *self
                .in_flight
                .lock()
                .expect("in-flight map")
                .entry(job.endpoint_id)
                .or_default() += 1;
            let worker = self.clone();
            tokio::spawn(async move {
                let attempt = send::send(&worker.client, worker.settings.allow_private, &job).await;
                // The recorder outlives every attempt it is sent; if it is gone, so is the
                // worker, and the lease brings the delivery back.
                let _ = worker.finished.send((job, attempt, permit));
            });
        }
        Ok(fanned + started)
    }

    /// Records finished attempts in one transaction (one by one if that fails), then frees
    /// their slots and wakes the loop.
    async fn record_batch(&self, batch: Vec<(Job, Attempt, OwnedSemaphorePermit)>) {
        let items: Vec<(Job, Attempt)> = batch
            .iter()
            .map(|(j, a, _)| (j.clone(), a.clone()))
            .collect();
        let pool = self.pool.clone();
        let schedule = self.settings.schedule.clone();
        let recorded = blocking(move || {
            let mut conn = pool.get()?;
            match write_tx(&mut conn, |c| record_all(c, &items, &schedule)) {
                Ok(outcomes) => Ok(outcomes),
                Err(e) if items.len() > 1 => {
                    tracing::warn!(error = %e, "recording a batch of webhook attempts; one by one");
                    let mut outcomes = Vec::new();
                    for item in &items {
                        let one = std::slice::from_ref(item);
                        match write_tx(&mut conn, |c| record_all(c, one, &schedule)) {
                            Ok(o) => outcomes.extend(o),
                            Err(e) => tracing::warn!(error = %e, delivery_id = %item.0.delivery_id, "recording a webhook attempt"),
                        }
                    }
                    Ok(outcomes)
                }
                Err(e) => Err(e),
            }
        })
        .await;
        match recorded {
            Ok(outcomes) => {
                for outcome in outcomes {
                    crate::metrics::get()
                        .webhook_deliveries
                        .with_label_values(&[outcome])
                        .inc();
                }
            }
            Err(e) => tracing::warn!(error = %e, "recording webhook attempts"),
        }
        {
            let mut map = self.in_flight.lock().expect("in-flight map");
            for (job, _, _) in &batch {
                if let Some(n) = map.get_mut(&job.endpoint_id) {
                    *n -= 1;
                    if *n == 0 {
                        map.remove(&job.endpoint_id);
                    }
                }
            }
        }
        drop(batch);
        self.wake.notify_one();
    }
}

/// Records attempts in the caller's transaction; what came of each.
fn record_all(
    conn: &mut DbConn,
    items: &[(Job, Attempt)],
    schedule: &[u64],
) -> AppResult<Vec<&'static str>> {
    items
        .iter()
        .map(|(job, attempt)| record(conn, job, attempt, schedule))
        .collect()
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)?
}

/// Takes up to `free` due deliveries, at most `PER_ENDPOINT` in flight per endpoint
/// (counting `in_flight`), leases them and returns what sending them needs.
fn take(conn: &mut DbConn, in_flight: &HashMap<Uuid, usize>, free: usize) -> AppResult<Vec<Job>> {
    write_tx(conn, |conn| {
        let at = now();
        let busy: Vec<Uuid> = in_flight
            .iter()
            .filter(|(_, n)| **n >= PER_ENDPOINT)
            .map(|(id, _)| *id)
            .collect();
        let due = log::due(conn, at, &busy, (free * 2) as i64)?;
        let event_ids: Vec<Uuid> = due.iter().map(|d| d.event_id).collect();
        let events: HashMap<Uuid, log::EventRow> = log::events_by_ids(conn, &event_ids)?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut room: HashMap<Uuid, usize> = HashMap::new();
        let mut jobs = Vec::new();
        let mut endpoints = HashMap::new();
        for d in due {
            if jobs.len() >= free {
                break;
            }
            let taken = room.entry(d.endpoint_id).or_insert_with(|| {
                PER_ENDPOINT.saturating_sub(in_flight.get(&d.endpoint_id).copied().unwrap_or(0))
            });
            if *taken == 0 {
                continue;
            }
            *taken -= 1;
            let endpoint = match endpoints.entry(d.endpoint_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(webhook_endpoints::find(conn, d.endpoint_id)?)
                }
            };
            let Some(endpoint) = endpoint.as_ref() else {
                continue;
            };
            // Several deliveries of one event (to several endpoints) share its row.
            let Some(event) = events.get(&d.event_id).cloned() else {
                continue;
            };
            let mut keys: Vec<Vec<u8>> = signing::key_of(&endpoint.secret).into_iter().collect();
            if let (Some(previous), Some(until)) =
                (&endpoint.previous_secret, endpoint.previous_secret_until)
                && until.0 > at
            {
                keys.extend(signing::key_of(previous));
            }
            log::lease(conn, d.delivery_id, at + LEASE)?;
            jobs.push(Job {
                delivery_id: d.delivery_id,
                endpoint_id: d.endpoint_id,
                attempt: d.attempt,
                url: endpoint.url.clone(),
                keys,
                event_id: event.id,
                body: event.body,
            });
        }
        Ok::<_, AppError>(jobs)
    })
}

/// Records an attempt in the caller's transaction and decides what follows: done, again
/// later, or never (and whether the endpoint is disabled). Returns the outcome's name.
fn record(
    conn: &mut DbConn,
    job: &Job,
    attempt: &Attempt,
    schedule: &[u64],
) -> AppResult<&'static str> {
    let at = now();
    let (status_code, error, excerpt) = match &attempt.outcome {
        Outcome::Answered {
            status, excerpt, ..
        } => (Some(*status as i32), None, Some(excerpt.clone())),
        Outcome::Failed(e) | Outcome::NotSent(e) => (None, Some(e.clone()), None),
    };
    if webhook_endpoints::find(conn, job.endpoint_id)?.is_none() {
        // Deleted meanwhile: its log went with it.
        return Ok("dropped");
    }
    log::insert_attempt(
        conn,
        AttemptRow {
            id: new_id(),
            delivery_id: job.delivery_id,
            number: job.attempt,
            at,
            status_code,
            error: error.clone(),
            duration_ms: attempt.duration.as_millis() as i64,
            response_excerpt: excerpt.clone(),
        },
    )?;
    match &attempt.outcome {
        Outcome::Answered { status, .. } if (200..300).contains(status) => {
            log::settle(conn, job.delivery_id, SUCCEEDED, None)?;
            webhook_endpoints::mark_healthy(conn, job.endpoint_id)?;
            Ok("succeeded")
        }
        Outcome::Answered { status: 410, .. } => {
            log::settle(conn, job.delivery_id, FAILED, None)?;
            webhook_endpoints::disable(
                conn,
                job.endpoint_id,
                "the receiver answered 410 Gone",
                at,
            )?;
            Ok("disabled")
        }
        Outcome::NotSent(_) => {
            log::settle(conn, job.delivery_id, FAILED, None)?;
            Ok("not_sent")
        }
        outcome => {
            let since = webhook_endpoints::mark_failing(conn, job.endpoint_id, at)?;
            if at - since >= DISABLE_AFTER {
                log::settle(conn, job.delivery_id, FAILED, None)?;
                webhook_endpoints::disable(
                    conn,
                    job.endpoint_id,
                    "every attempt failed for 5 days",
                    at,
                )?;
                return Ok("disabled");
            }
            let asked = match outcome {
                Outcome::Answered {
                    status: 429 | 503,
                    retry_after,
                    ..
                } => *retry_after,
                _ => None,
            };
            let jitter = rand::rng().random_range(-1.0..=1.0);
            match next_delay(schedule, job.attempt.max(0) as u32, jitter, asked) {
                Some(wait) => {
                    let next = at
                        + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(24));
                    log::settle(conn, job.delivery_id, PENDING, Some(next))?;
                    Ok("retrying")
                }
                None => {
                    log::settle(conn, job.delivery_id, FAILED, None)?;
                    Ok("failed")
                }
            }
        }
    }
}
