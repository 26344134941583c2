//! The cache of rendered public reads answers exactly what the database would, and never
//! longer than search may lag: a change shows at once on the server that took it and within
//! 2 s on every other replica (on PostgreSQL when the change feed is heard, otherwise
//! within `KRIYA_READ_CACHE_MS`, 1 s by default).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use kriya::search::embedded::EmbeddedIndex;
use kriya::search::meili::MeiliIndex;
use kriya::search::worker::Worker;
use kriya::search::{
    ProductDocument, SearchError, SearchIndex, SearchQuery, SearchResults, SharedIndex,
};
use reqwest::Method;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::support::{Backend, Replica, SEARCH_DEADLINE, TestApp};

/// Status, ETag and body of an anonymous GET.
async fn read(
    app: &TestApp,
    url: String,
    if_none_match: Option<&str>,
) -> (u16, Option<String>, Vec<u8>) {
    let mut req = app.client.get(url);
    if let Some(tag) = if_none_match {
        req = req.header(IF_NONE_MATCH, tag);
    }
    let res = req.send().await.unwrap();
    let etag = res
        .headers()
        .get(ETAG)
        .map(|v| v.to_str().unwrap().to_owned());
    (
        res.status().as_u16(),
        etag,
        res.bytes().await.unwrap().to_vec(),
    )
}

/// Every page of an anonymous list, following `next_cursor`.
async fn pages(app: &TestApp, base: &str, query: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            None => format!("{base}/v1/products?{query}"),
            Some(c) => format!("{base}/v1/products?{query}&cursor={c}"),
        };
        let (status, _, body) = read(app, url, None).await;
        assert_eq!(status, 200);
        let page: Value = serde_json::from_slice(&body).unwrap();
        out.push(body);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

fn product_ids(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    use kriya::db::portable::DbId;
    use kriya::db::schema::products;
    app.db(|c| products::table.select(products::id).load::<DbId>(c))
        .into_iter()
        .map(|id| id.0.to_string())
        .collect()
}

async fn uncached(app: &TestApp) -> Replica {
    app.replica(|c| c.read_cache = Duration::ZERO).await
}

/// A catalogue of two sellers' products in every category: published ones with a photo and
/// some with a second variant, and drafts.
async fn catalogue(app: &TestApp) {
    let categories = [
        "electroforming-jewellery",
        "batik",
        "fashion",
        "home-decor",
        "other-crafts",
    ];
    let sellers = [app.active_seller().await, app.active_seller().await];
    for i in 0..14 {
        let seller = &sellers[i % 2];
        let mut fields = json!({"category": categories[i % 5], "price_idr": 50_000 + 1_000 * i});
        if i % 3 == 0 {
            let sku =
                |size: &str| format!("V{i}-{size}-{}", &Uuid::now_v7().simple().to_string()[20..]);
            fields["variants"] = json!([
                {"sku": sku("S"), "options": {"ukuran": "S"}},
                {"sku": sku("L"), "options": {"ukuran": "L"}, "price_idr": 90_000 + i},
            ]);
        }
        let product = app.create_product(seller, fields).await;
        let id = product["id"].as_str().unwrap();
        if i < 11 {
            app.add_photo(seller, id).await;
            let res = app
                .post(
                    &format!("/v1/products/{id}/publish"),
                    Some(&seller.token),
                    json!({}),
                )
                .await;
            assert_eq!(res.status(), 200, "publish");
        }
    }
}

both_backends! {
    async fn cached_reads_are_byte_for_byte_the_uncached_ones(app) {
        catalogue(&app).await;
        let slow = uncached(&app).await;
        let ids = product_ids(&app);
        assert_eq!(ids.len(), 14, "the catalogue");
        let mut public = 0;
        for id in &ids {
            let path = format!("/v1/products/{id}");
            let want = read(&app, slow.url(&path), None).await;
            // The first read fills the cache, the second is answered from it. (A problem's
            // body names its own request.)
            for _ in 0..2 {
                let got = read(&app, app.url(&path), None).await;
                if want.0 == 200 {
                    assert_eq!(got, want, "{path}");
                } else {
                    assert_eq!((got.0, &got.1), (want.0, &want.1), "{path}");
                }
            }
            if want.0 == 200 {
                public += 1;
                let tag = want.1.clone().unwrap();
                // The copy held is current: 304, no body, from either path.
                let (status, etag, body) = read(&app, app.url(&path), Some(&tag)).await;
                assert_eq!((status, etag.as_deref(), body.len()), (304, Some(tag.as_str()), 0));
                assert_eq!(read(&app, slow.url(&path), Some(&format!("W/{tag}, \"v0\""))).await.0, 304);
                assert_eq!(read(&app, app.url(&path), Some("\"v0\"")).await.0, 200);
            }
        }
        assert_eq!(public, 11, "public products");
        for query in ["limit=20", "limit=4", "category=batik&limit=2", "status=draft"] {
            let want = pages(&app, &slow.base, query).await;
            assert_eq!(pages(&app, &app.base, query).await, want, "{query}");
            assert_eq!(pages(&app, &app.base, query).await, want, "{query}, from the cache");
        }
        slow.stop().await;
    }

    async fn a_change_shows_here_at_once_and_on_other_replicas_within_the_bound(app) {
        let seller = app.active_seller().await;
        let admin = app.admin().await;
        let product = app.published_product(&seller).await;
        let id = product["id"].as_str().unwrap();
        let path = format!("/v1/products/{id}");
        let other = app.replica(|_| {}).await;
        let price = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["price_idr"].clone();
        let listed = |body: &[u8]| -> Vec<String> {
            let page: Value = serde_json::from_slice(body).unwrap();
            page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
        };
        // Both replicas hold the page and the catalogue's first page.
        for base in [&app.base, &other.base] {
            let (status, _, body) = read(&app, format!("{base}{path}"), None).await;
            assert_eq!((status, price(&body)), (200, product["price_idr"].clone()));
            let (_, _, body) = read(&app, format!("{base}/v1/products?limit=20"), None).await;
            assert!(listed(&body).contains(&id.to_owned()));
        }
        if app.database_url.starts_with("postgres") {
            // The other replica hears the change feed: while nothing changes it keeps the
            // page past the age bound that holds without the feed.
            assert!(kept_past_the_age_bound(&app, &other, &path).await);
        }

        // The price changes through the first replica: it shows there at once...
        let res = app.request(Method::PATCH, &path, Some(&seller.token), Some(json!({"price_idr": 199000}))).await;
        assert_eq!(res.status(), 200);
        let (_, _, body) = read(&app, app.url(&path), None).await;
        assert_eq!(price(&body), 199000);
        // ...and on the other within the time search may take.
        let took = until_changed(|| async { price(&read(&app, other.url(&path), None).await.2) == 199000 }).await;
        assert_eq!(read(&app, other.url(&path), None).await.1, read(&app, app.url(&path), None).await.1);
        eprintln!("a new price showed on the other replica after {took:?}");

        // The seller is suspended: gone at once here, and within the bound there.
        read(&app, other.url(&path), None).await;
        read(&app, other.url("/v1/products?limit=20"), None).await;
        let res = app.post(&format!("/v1/admin/sellers/{}/suspend", seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), 200);
        assert_eq!(read(&app, app.url(&path), None).await.0, 404);
        let (_, _, body) = read(&app, app.url("/v1/products?limit=20"), None).await;
        assert!(!listed(&body).contains(&id.to_owned()));
        until_changed(|| async { read(&app, other.url(&path), None).await.0 == 404 }).await;
        until_changed(|| async {
            let (_, _, body) = read(&app, other.url("/v1/products?limit=20"), None).await;
            !listed(&body).contains(&id.to_owned())
        }).await;
        // Its seller still sees it (never from the cache).
        let res = app.get(&path, Some(&seller.token)).await;
        assert_eq!(res.status(), 200);
        other.stop().await;
    }
}

both_backends! {
    // A sale that leaves units on the shelf changes the page's quantities, not what search
    // holds: every replica shows them within the bound, and the hotel stays in search until
    // its last unit is sold.
    async fn a_sale_shows_on_every_replica_and_search_follows_the_shelf(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let p = app.published_product(&seller).await;
        let (pid, vid) = (p["id"].as_str().unwrap(), p["variants"][0]["id"].as_str().unwrap());
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 1500, 60).await;
        app.restock(&seller, pid, vid, 3).await;
        let shipment = app.dispatch(&seller, &agreement, vid, 3, 185_555).await;
        let res = app.post(&format!("/v1/consignments/{}/receive", shipment["id"].as_str().unwrap()), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), 200, "receive");
        let by_hotel = format!("hotel_id={hotel_id}");
        app.search_until(&by_hotel, |r| r["total"] == 1).await;

        let path = format!("/v1/products/{pid}");
        let other = app.replica(|_| {}).await;
        let on_shelf = |body: &[u8]| -> Vec<i64> {
            let page: Value = serde_json::from_slice(body).unwrap();
            page["available_at"].as_array().unwrap().iter().map(|a| a["quantity"].as_i64().unwrap()).collect()
        };
        for base in [&app.base, &other.base] {
            assert_eq!(on_shelf(&read(&app, format!("{base}{path}"), None).await.2), [3]);
        }
        let sales = format!("/v1/hotels/{hotel_id}/sales");
        let sell = |n: i64| {
            let body = json!({"items": [{"variant_id": vid, "quantity": n, "unit_price_idr": 185_555}]});
            app.post(&sales, Some(&hotel.token), body)
        };
        assert_eq!(sell(1).await.status(), 201);
        assert_eq!(on_shelf(&read(&app, app.url(&path), None).await.2), [2]);
        until_changed(|| async { on_shelf(&read(&app, other.url(&path), None).await.2) == [2] }).await;
        app.outbox_drained().await;
        assert_eq!(app.search_ids(&by_hotel).await, [pid.to_owned()], "two units are still on the shelf");

        assert_eq!(sell(2).await.status(), 201);
        until_changed(|| async { on_shelf(&read(&app, other.url(&path), None).await.2).is_empty() }).await;
        app.search_until(&by_hotel, |r| r["total"] == 0).await;
        other.stop().await;
    }
}

/// Polls `changed` until it holds, which must be within `SEARCH_DEADLINE`; returns how long.
async fn until_changed<F, Fut>(mut changed: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !changed().await {
        assert!(
            start.elapsed() < SEARCH_DEADLINE,
            "the change did not show within {SEARCH_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

/// Product pages answered from the read cache so far (the servers of a test share a process).
/// Sets a product's title in the database behind every server's back: nothing announces it.
fn retitle_quietly(app: &TestApp, id: &str, title: &str) {
    use diesel::prelude::*;
    app.db(|c| {
        diesel::sql_query(format!("UPDATE products SET title = $1 WHERE id = '{id}'"))
            .bind::<diesel::sql_types::Text, _>(title)
            .execute(c)
    });
}

/// Whether `replica` answers `path` (a product on PostgreSQL) from its cache 1.3 s after
/// reading it: the product is changed quietly in between, so only a cached copy still shows
/// the old title. (The metrics' hit counter cannot tell: every server of the test process
/// adds to it.) The feed may go live just after the first read, and then the cache starts
/// over: a few tries.
async fn kept_past_the_age_bound(app: &TestApp, replica: &Replica, path: &str) -> bool {
    let id = path.rsplit('/').next().unwrap();
    let title = {
        let (_, _, body) = read(app, app.url(path), None).await;
        serde_json::from_slice::<Value>(&body).unwrap()["title"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for _ in 0..5 {
        let (_, _, want) = read(app, replica.url(path), None).await;
        retitle_quietly(app, id, "Diubah diam-diam");
        tokio::time::sleep(Duration::from_millis(1300)).await;
        let (_, _, body) = read(app, replica.url(path), None).await;
        retitle_quietly(app, id, &title);
        if body == want {
            return true;
        }
    }
    false
}

/// A replica whose feed connection dies cannot have heard what changed meanwhile: it starts
/// over and keeps to the age bound until it listens again, so a change made while it was
/// deaf still shows within the time search may take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_replica_that_lost_the_feed_serves_nothing_stale() {
    let Some(app) = TestApp::spawn(crate::support::Backend::Postgres).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let seller = app.active_seller().await;
    let product = app.published_product(&seller).await;
    let path = format!("/v1/products/{}", product["id"].as_str().unwrap());
    let other = app.replica(|_| {}).await;
    assert!(kept_past_the_age_bound(&app, &other, &path).await);
    let price = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["price_idr"].clone();

    for (round, new_price) in [(1, 201000), (2, 202000)] {
        // Every feed session of this test's database and schema (the server's and the
        // replica's) is killed; the price changes at once, before either can have noticed.
        let killed: Vec<bool> = app.db(|c| {
            use diesel::prelude::*;
            #[derive(QueryableByName)]
            struct Killed {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                killed: bool,
            }
            diesel::sql_query(
                "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
                 WHERE application_name = $1 || ':' || current_schema() \
                 AND datname = current_database()",
            )
            .bind::<diesel::sql_types::Text, _>(kriya::db::change_feed::APPLICATION)
            .load::<Killed>(c)
            .map(|rows| rows.into_iter().map(|r| r.killed).collect())
        });
        assert!(
            !killed.is_empty() && killed.iter().all(|k| *k),
            "round {round}: {killed:?}"
        );
        let res = app
            .request(
                Method::PATCH,
                &path,
                Some(&seller.token),
                Some(json!({"price_idr": new_price})),
            )
            .await;
        assert_eq!(res.status(), 200);
        let took = until_changed(|| async {
            price(&read(&app, other.url(&path), None).await.2) == new_price
        })
        .await;
        eprintln!("round {round}: the new price showed after {took:?} without the feed");
        // It listens again, and keeps pages past the age bound again.
        assert!(
            kept_past_the_age_bound(&app, &other, &path).await,
            "round {round}"
        );
    }
    other.stop().await;
}

/// A Meilisearch that accepts connections and never answers: its URL. (What it accepted is
/// held until the test's runtime ends.)
async fn silent_meilisearch() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    });
    url
}

/// Search as it is when Meilisearch stops answering after the servers started: the embedded
/// index until `hung` is set, then the Meilisearch adapter on a server that never answers.
struct Hangs {
    answering: SharedIndex,
    silent: SharedIndex,
    hung: AtomicBool,
}

impl Hangs {
    fn now(&self) -> &SharedIndex {
        if self.hung.load(Ordering::SeqCst) {
            &self.silent
        } else {
            &self.answering
        }
    }
}

#[async_trait]
impl SearchIndex for Hangs {
    fn name(&self) -> &'static str {
        "hangs"
    }
    async fn configure(&self) -> Result<(), SearchError> {
        self.now().configure().await
    }
    async fn upsert(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        self.now().upsert(docs).await
    }
    async fn delete(&self, ids: &[Uuid]) -> Result<(), SearchError> {
        self.now().delete(ids).await
    }
    async fn apply(
        &self,
        upserts: &[ProductDocument],
        removes: &[Uuid],
    ) -> Result<(), SearchError> {
        self.now().apply(upserts, removes).await
    }
    async fn replace_all(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        self.now().replace_all(docs).await
    }
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.now().search(query).await
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.now().count().await
    }
    async fn clear(&self) -> Result<(), SearchError> {
        self.now().clear().await
    }
    async fn check(&self) -> Result<(), SearchError> {
        self.now().check().await
    }
}

mod a_change_shows_on_another_replica_while_search_hangs {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::a_change_shows_on_another_replica_while_search_hangs(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::a_change_shows_on_another_replica_while_search_hangs(Backend::Postgres).await;
    }
}

/// Meilisearch stops answering: the outbox cannot drain, and a worker that took a row holds
/// it while it waits. A new price, and a seller's suspension, still show on another replica
/// within 2 s. On PostgreSQL a second worker (another replica's) drains the same outbox and
/// finds no row it may take (the held one is skipped), and the replica keeps product pages
/// past the age bound, since it hears the change feed. On SQLite one server owns the file
/// and its worker is the only one; the replica keeps to its age bound.
async fn a_change_shows_on_another_replica_while_search_hangs(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let silent = MeiliIndex::new(&silent_meilisearch().await, None, "kriya").unwrap();
    let search = Arc::new(Hangs {
        answering: Arc::new(EmbeddedIndex::open(dir.path()).unwrap()),
        silent: Arc::new(silent),
        hung: AtomicBool::new(false),
    });
    let Some(app) = TestApp::spawn_full(backend, |_| {}, Some(search.clone())).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let on_postgres = backend == Backend::Postgres;
    let _other_worker =
        on_postgres.then(|| Worker::spawn(app.pool.clone(), search.clone(), None).unwrap());
    let seller = app.active_seller().await;
    let admin = app.admin().await;
    let product = app.published_product(&seller).await;
    let path = format!("/v1/products/{}", product["id"].as_str().unwrap());
    app.outbox_drained().await;
    let replica = app.replica(|_| {}).await;
    search.hung.store(true, Ordering::SeqCst);
    let price = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["price_idr"].clone();
    let backlog = || app.db(kriya::db::search_outbox::backlog);

    // The replica holds the page (on PostgreSQL past the age bound: it hears the feed).
    if on_postgres {
        assert!(kept_past_the_age_bound(&app, &replica, &path).await);
    } else {
        assert_eq!(read(&app, replica.url(&path), None).await.0, 200);
    }
    let (_, etag, _) = read(&app, app.url(&path), None).await;
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&seller.token)
        .header("If-Match", etag.unwrap())
        .json(&json!({"price_idr": 211_000}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let took =
        until_changed(|| async { price(&read(&app, replica.url(&path), None).await.2) == 211_000 })
            .await;
    eprintln!("the new price showed on the replica after {took:?}");
    assert!(
        backlog() > 0,
        "the engine hangs: the change is still in the outbox"
    );

    // The seller is suspended: the page is gone from the replica too.
    assert_eq!(read(&app, replica.url(&path), None).await.0, 200);
    let res = app
        .post(
            &format!("/v1/admin/sellers/{}/suspend", seller.seller_id()),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let took =
        until_changed(|| async { read(&app, replica.url(&path), None).await.0 == 404 }).await;
    eprintln!("the suspension showed on the replica after {took:?}");
    assert!(
        backlog() >= 2,
        "the engine hangs: both changes are still in the outbox"
    );
    replica.stop().await;
}
