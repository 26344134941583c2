//! A short-lived cache of rendered public reads: a published product's page and the
//! anonymous catalogue's pages, kept as the bytes sent, so a hit runs no query and renders
//! nothing.
//!
//! Why a time bound and not the search outbox: outbox rows are taken by whichever replica
//! drains them first, so the other replicas never see them. What every replica can promise
//! without talking to the others is an age: an entry is served only while what it was read
//! from is younger than `ttl` (1 s by default, at most 1.5 s), so a price change or a
//! suspended seller shows everywhere within that, inside the 2 s search may lag. On the
//! replica that takes a write, it shows at once: every write request (any method but GET,
//! HEAD and OPTIONS) moves the cache to a new generation when it has been answered, and
//! entries of an older generation are never served. A read that began before such a write
//! finished cannot store what it read (its generation is stale by the time it stores).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use bytes::Bytes;

use crate::state::AppState;

/// Entries kept at most (rendered products are a few kilobytes each).
const CAPACITY: usize = 20_000;

/// One rendered answer.
pub struct Entry {
    pub body: Bytes,
    pub etag: Option<String>,
    read_at: Instant,
    generation: u64,
}

/// Taken before reading what will be stored: when the read began and in which generation.
#[derive(Clone, Copy)]
pub struct Ticket {
    read_at: Instant,
    generation: u64,
}

pub struct ReadCache {
    entries: quick_cache::sync::Cache<String, Arc<Entry>>,
    ttl: Duration,
    generation: AtomicU64,
}

impl ReadCache {
    /// A cache whose entries live `ttl`; zero turns it off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: quick_cache::sync::Cache::new(CAPACITY),
            ttl,
            generation: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// A fresh entry for `key`, if one is kept.
    pub fn get(&self, key: &str) -> Option<Arc<Entry>> {
        if !self.enabled() {
            return None;
        }
        let entry = self.entries.get(key)?;
        let fresh = entry.generation == self.generation.load(Ordering::Acquire)
            && entry.read_at.elapsed() < self.ttl;
        fresh.then_some(entry)
    }

    /// Call before reading what `put` will store.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            read_at: Instant::now(),
            generation: self.generation.load(Ordering::Acquire),
        }
    }

    /// Stores what was read under `ticket`, unless a write has been answered since.
    pub fn put(&self, key: String, ticket: Ticket, body: Bytes, etag: Option<String>) {
        if !self.enabled() || ticket.generation != self.generation.load(Ordering::Acquire) {
            return;
        }
        self.entries.insert(
            key,
            Arc::new(Entry {
                body,
                etag,
                read_at: ticket.read_at,
                generation: ticket.generation,
            }),
        );
    }

    /// Nothing stored so far is served again.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }
}

/// Middleware: once a write request has been answered, this replica's cache starts over.
pub async fn forget_on_write(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = writes
        .then(|| req.app_data::<web::Data<AppState>>().cloned())
        .flatten();
    let res = next.call(req).await;
    if let Some(state) = state {
        state.read_cache.forget_all();
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_live_for_their_time_and_their_generation() {
        let cache = ReadCache::new(Duration::from_millis(200));
        let t = cache.ticket();
        cache.put("a".into(), t, Bytes::from_static(b"1"), None);
        assert_eq!(cache.get("a").unwrap().body, "1");
        std::thread::sleep(Duration::from_millis(210));
        assert!(cache.get("a").is_none(), "older than the bound");

        cache.put("b".into(), cache.ticket(), Bytes::from_static(b"2"), None);
        cache.forget_all();
        assert!(cache.get("b").is_none(), "a write was answered");
    }

    #[test]
    fn a_read_that_overlapped_a_write_is_not_stored() {
        let cache = ReadCache::new(Duration::from_secs(1));
        let before = cache.ticket();
        cache.forget_all();
        cache.put("a".into(), before, Bytes::from_static(b"old"), None);
        assert!(cache.get("a").is_none());
    }

    #[test]
    fn off_stores_nothing() {
        let cache = ReadCache::new(Duration::ZERO);
        cache.put("a".into(), cache.ticket(), Bytes::from_static(b"1"), None);
        assert!(cache.get("a").is_none());
    }
}
