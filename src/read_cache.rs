//! A cache of rendered public reads: a published product's page and the anonymous
//! catalogue's pages, kept as the bytes sent, so a hit runs no query and renders nothing.
//!
//! How long an entry may be served depends on whether this replica hears about changes:
//! - On PostgreSQL every server listens to the catalogue's change feed (`db::change_feed`):
//!   every write that changes what a product page or the catalogue shows announces its
//!   subjects from its own transaction (heard when it commits), and every replica drops the
//!   products named (and every catalogue page) when it hears. A change therefore leaves
//!   every replica's cache when it is committed, whatever the search engine does, and a
//!   product page may be kept up to `LIVE_TTL` while the feed is live: from `LISTEN` until
//!   its connection breaks. While it is not (before the first `LISTEN`, after the
//!   connection broke, until it listens again), the cache starts over and falls back to the
//!   age bound below, since announcements may have been missed.
//! - Otherwise (SQLite, or no feed) an entry is served only while what it was read from is
//!   younger than `ttl` (1 s by default, at most 1.5 s): a price change or a suspended seller
//!   shows everywhere within that, inside the 2 s search may lag. Catalogue pages always
//!   keep to this bound, since any change may reorder them.
//!
//! On the replica that takes a write a change shows at once: every write request (any method
//! but GET, HEAD and OPTIONS) empties the cache when it has been answered. A read that began
//! before an announcement or a write arrived never stores what it read: each carries a ticket
//! of the cache's epoch, which every drop moves on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use uuid::Uuid;

use crate::db::change_feed::Sink;
use crate::db::search_outbox::Subject;

/// Product pages kept at most (a rendered product is a few kilobytes).
const PRODUCTS: usize = 20_000;
/// Catalogue pages kept at most.
const PAGES: usize = 2_000;
/// A product page's longest life while the change feed is live: it is dropped when its
/// product changes, and this only bounds what a silently lost announcement could cost.
pub const LIVE_TTL: Duration = Duration::from_secs(60);

/// One rendered answer.
pub struct Entry {
    pub body: Bytes,
    pub etag: Option<String>,
    read_at: Instant,
}

/// Taken before reading what will be stored: when the read began and in which epoch.
#[derive(Clone, Copy)]
pub struct Ticket {
    read_at: Instant,
    epoch: u64,
}

pub struct ReadCache {
    products: quick_cache::sync::Cache<Uuid, Arc<Entry>>,
    pages: quick_cache::sync::Cache<String, Arc<Entry>>,
    ttl: Duration,
    /// The change feed is live: product pages may be kept up to `LIVE_TTL`.
    live: AtomicBool,
    /// Moves on with every drop; a read stores only if it has not moved since its ticket.
    epoch: AtomicU64,
}

impl ReadCache {
    /// A cache whose entries live `ttl` without a change feed; zero turns it off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            products: quick_cache::sync::Cache::new(PRODUCTS),
            pages: quick_cache::sync::Cache::new(PAGES),
            ttl,
            live: AtomicBool::new(false),
            epoch: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Whether this replica hears the change feed now.
    pub fn live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// A fresh rendered page of product `id`, if one is kept.
    pub fn product(&self, id: Uuid) -> Option<Arc<Entry>> {
        let bound = if self.live() { LIVE_TTL } else { self.ttl };
        self.fresh(self.products.get(&id)?, bound, "product")
    }

    /// A fresh rendered catalogue page for `query`, if one is kept.
    pub fn page(&self, query: &str) -> Option<Arc<Entry>> {
        self.fresh(self.pages.get(query)?, self.ttl, "page")
    }

    fn fresh(&self, entry: Arc<Entry>, bound: Duration, kind: &str) -> Option<Arc<Entry>> {
        if !self.enabled() || entry.read_at.elapsed() >= bound {
            return None;
        }
        crate::metrics::get()
            .read_cache_hits
            .with_label_values(&[kind])
            .inc();
        Some(entry)
    }

    /// Call before reading what `put_*` will store.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            read_at: Instant::now(),
            epoch: self.epoch.load(Ordering::Acquire),
        }
    }

    /// Stores product `id`'s page as read under `ticket`, unless something was dropped since.
    pub fn put_product(&self, id: Uuid, ticket: Ticket, body: Bytes, etag: String) {
        self.put(&self.products, id, ticket, body, Some(etag));
    }

    /// Stores a catalogue page as read under `ticket`, unless something was dropped since.
    pub fn put_page(&self, query: String, ticket: Ticket, body: Bytes) {
        self.put(&self.pages, query, ticket, body, None);
    }

    fn put<K: Eq + std::hash::Hash + Clone>(
        &self,
        map: &quick_cache::sync::Cache<K, Arc<Entry>>,
        key: K,
        ticket: Ticket,
        body: Bytes,
        etag: Option<String>,
    ) {
        if !self.enabled() || ticket.epoch != self.epoch.load(Ordering::Acquire) {
            return;
        }
        let entry = Arc::new(Entry {
            body,
            etag,
            read_at: ticket.read_at,
        });
        map.insert(key.clone(), entry.clone());
        // A drop that came in between the check and the insert may have missed this entry.
        if ticket.epoch != self.epoch.load(Ordering::Acquire) {
            map.remove_if(&key, |kept| Arc::ptr_eq(kept, &entry));
        }
    }

    /// Drops what `subjects` changed: a product's page, or everything when a seller, a hotel
    /// or the whole catalogue changed; catalogue pages always.
    pub fn drop_changed(&self, subjects: &[Subject]) {
        if subjects.is_empty() {
            return;
        }
        self.epoch.fetch_add(1, Ordering::AcqRel);
        for subject in subjects {
            match subject {
                Subject::Product(id) | Subject::Stock(id) => {
                    self.products.remove(id);
                }
                Subject::Seller(_) | Subject::Hotel(_) | Subject::All => {
                    self.products.clear();
                    break;
                }
            }
        }
        self.pages.clear();
    }

    /// Nothing stored so far is served again.
    pub fn forget_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.products.clear();
        self.pages.clear();
    }
}

impl Sink for ReadCache {
    fn changed(&self, subjects: &[Subject]) {
        self.drop_changed(subjects);
    }

    fn set_live(&self, live: bool) {
        // Either way announcements may have been missed: start over.
        self.live.store(live, Ordering::Release);
        self.forget_all();
    }
}
