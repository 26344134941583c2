//! The read cache (`crate::read_cache`) as the HTTP layer uses it: every write request
//! answered on this replica empties it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};

pub use crate::read_cache::ReadCache;
use crate::state::AppState;

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
    use std::time::Duration;

    use bytes::Bytes;
    use uuid::Uuid;

    use super::*;
    use crate::db::change_feed::Sink;
    use crate::db::search_outbox::Subject;

    fn bytes(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn without_the_feed_entries_live_for_their_time() {
        let cache = ReadCache::new(Duration::from_millis(200));
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        cache.put_product(a, cache.ticket(), bytes("1"), "\"v1\"".into());
        cache.put_page("limit=20".into(), cache.ticket(), bytes("p"));
        assert_eq!(cache.product(a).unwrap().body, "1");
        assert_eq!(cache.page("limit=20").unwrap().body, "p");
        std::thread::sleep(Duration::from_millis(210));
        assert!(cache.product(a).is_none(), "older than the bound");
        assert!(cache.page("limit=20").is_none());

        cache.put_product(b, cache.ticket(), bytes("2"), "\"v1\"".into());
        cache.forget_all();
        assert!(cache.product(b).is_none(), "a write was answered");
    }

    #[test]
    fn with_the_feed_a_product_lives_until_it_changes() {
        let cache = ReadCache::new(Duration::from_millis(100));
        cache.set_live(true);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        cache.put_product(a, cache.ticket(), bytes("a"), "\"v1\"".into());
        cache.put_product(b, cache.ticket(), bytes("b"), "\"v1\"".into());
        cache.put_page("limit=20".into(), cache.ticket(), bytes("p"));
        std::thread::sleep(Duration::from_millis(120));
        assert!(cache.product(a).is_some(), "kept past the short bound");
        assert!(
            cache.page("limit=20").is_none(),
            "pages keep the short bound"
        );

        cache.changed(&[Subject::Product(a)]);
        assert!(cache.product(a).is_none(), "changed");
        assert!(cache.product(b).is_some(), "untouched");
        cache.changed(&[Subject::Seller(Uuid::new_v4())]);
        assert!(
            cache.product(b).is_none(),
            "a seller's change drops every product"
        );

        cache.put_product(a, cache.ticket(), bytes("a"), "\"v2\"".into());
        cache.set_live(false);
        assert!(cache.product(a).is_none(), "the feed broke: start over");
    }

    #[test]
    fn a_read_that_overlapped_a_change_is_not_stored() {
        let cache = ReadCache::new(Duration::from_secs(1));
        let a = Uuid::new_v4();
        let before = cache.ticket();
        cache.changed(&[Subject::Product(Uuid::new_v4())]);
        cache.put_product(a, before, bytes("old"), "\"v1\"".into());
        assert!(cache.product(a).is_none());
        let before = cache.ticket();
        cache.forget_all();
        cache.put_page("q".into(), before, bytes("old"));
        assert!(cache.page("q").is_none());
    }

    #[test]
    fn off_stores_nothing() {
        let cache = ReadCache::new(Duration::ZERO);
        let a = Uuid::new_v4();
        cache.put_product(a, cache.ticket(), bytes("1"), "\"v1\"".into());
        assert!(cache.product(a).is_none());
    }
}
