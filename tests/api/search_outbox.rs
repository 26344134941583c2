//! The outbox keeps search exact: replaying it changes nothing, an engine that fails loses
//! nothing, `kriya reindex` rebuilds the same index (directly, or queued for a running
//! server), and on PostgreSQL two drainers never take the same row.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kriya::db::search_outbox::{self, Subject};
use kriya::search::embedded::EmbeddedIndex;
use kriya::search::{
    ProductDocument, SearchError, SearchIndex, SearchQuery, SearchResults, SharedIndex,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::support::{Backend, TestApp, ids_of};

/// An adapter that fails its first `failures` writes, then behaves like the one it wraps:
/// the engine being down, as the worker sees it. (A stand-in only for the failure; the
/// index behind it is the real embedded one.)
struct Flaky {
    inner: SharedIndex,
    failures: usize,
    writes: AtomicUsize,
}

impl Flaky {
    fn new(inner: SharedIndex, failures: usize) -> Self {
        Self {
            inner,
            failures,
            writes: AtomicUsize::new(0),
        }
    }

    fn fail(&self) -> Result<(), SearchError> {
        if self.writes.fetch_add(1, Ordering::SeqCst) < self.failures {
            Err(SearchError::Unavailable("engine down (test)".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl SearchIndex for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }
    async fn configure(&self) -> Result<(), SearchError> {
        self.inner.configure().await
    }
    async fn upsert(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        self.fail()?;
        self.inner.upsert(docs).await
    }
    async fn delete(&self, ids: &[Uuid]) -> Result<(), SearchError> {
        self.fail()?;
        self.inner.delete(ids).await
    }
    async fn apply(
        &self,
        upserts: &[ProductDocument],
        removes: &[Uuid],
    ) -> Result<(), SearchError> {
        self.fail()?;
        self.inner.apply(upserts, removes).await
    }
    async fn replace_all(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        self.fail()?;
        self.inner.replace_all(docs).await
    }
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        self.inner.search(query).await
    }
    async fn count(&self) -> Result<u64, SearchError> {
        self.inner.count().await
    }
    async fn clear(&self) -> Result<(), SearchError> {
        self.inner.clear().await
    }
    async fn check(&self) -> Result<(), SearchError> {
        self.inner.check().await
    }
}

/// What a set of searches answers, without the timing.
async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    for q in [
        "q=",
        "q=kalung",
        "q=daun&sort=price_asc",
        "sort=newest&per_page=2&page=2",
    ] {
        let mut res = app.search(q).await;
        res.as_object_mut().unwrap().remove("took_ms");
        out.push(res);
    }
    out
}

async fn three_products(app: &TestApp) -> Vec<String> {
    let seller = app.active_seller().await;
    let mut ids = Vec::new();
    for (title, price) in [
        ("Kalung Daun Jati", 185_000),
        ("Gelang Daun Kopi", 95_000),
        ("Kalung Bunga", 250_000),
    ] {
        let p = app
            .create_product(&seller, json!({"title": title, "price_idr": price}))
            .await;
        let id = p["id"].as_str().unwrap().to_owned();
        app.add_photo(&seller, &id).await;
        let res = app
            .post(
                &format!("/v1/products/{id}/publish"),
                Some(&seller.token),
                json!({}),
            )
            .await;
        assert!(res.status().is_success());
        ids.push(id);
    }
    app.search_until("q=", |r| r["total"] == 3).await;
    app.outbox_drained().await;
    ids
}

both_backends! {
    async fn replaying_the_outbox_changes_nothing(app) {
        let ids = three_products(&app).await;
        let before = snapshot(&app).await;
        let seller: Uuid = app.db(|c| {
            kriya::db::products::find(c, ids[0].parse().unwrap()).map(|p| p.unwrap().seller_id)
        });
        app.db(|c| {
            for _ in 0..3 {
                for id in &ids {
                    search_outbox::enqueue(c, Subject::Product(id.parse().unwrap()))?;
                }
                search_outbox::enqueue(c, Subject::Seller(seller))?;
                search_outbox::enqueue(c, Subject::Product(Uuid::now_v7()))?; // gone: a no-op
            }
            search_outbox::enqueue(c, Subject::All)
        });
        app.outbox_drained().await;
        assert_eq!(snapshot(&app).await, before);
    }

    async fn kriya_reindex_with_a_server_running_queues_an_identical_rebuild(app) {
        three_products(&app).await;
        let before = snapshot(&app).await;
        let out = reindex(&app);
        assert!(out.contains("queued"), "{out}");
        app.outbox_drained().await;
        assert_eq!(snapshot(&app).await, before);
    }
}

fn reindex(app: &TestApp) -> String {
    app.command("reindex")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kriya_reindex_without_a_server_rebuilds_an_identical_index() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    three_products(&app).await;
    let queries = [
        SearchQuery::text(""),
        SearchQuery::text("kalung"),
        SearchQuery::text("daun"),
    ];
    app.stop().await;
    let index = EmbeddedIndex::open(&app.data_dir().join("search")).unwrap();
    let mut before = Vec::new();
    for q in &queries {
        before.push(index.search(q).await.unwrap());
    }
    assert_eq!(before[0].total, 3);
    drop(index);
    // Lose the index entirely, then rebuild it from the database.
    std::fs::remove_dir_all(app.data_dir().join("search")).unwrap();
    let out = reindex(&app);
    assert!(out.contains("rebuilt: 3 products"), "{out}");
    let rebuilt = EmbeddedIndex::open(&app.data_dir().join("search")).unwrap();
    assert!(!rebuilt.created);
    for (q, expected) in queries.iter().zip(before) {
        assert_eq!(rebuilt.search(q).await.unwrap(), expected, "{q:?}");
    }
}

/// On Meilisearch `kriya reindex` fills a new index and swaps it in: a server searching all
/// along always finds every product, and the served index keeps its configured name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kriya_reindex_on_meilisearch_swaps_in_a_whole_index_while_searches_go_on() {
    let Some((url, key)) = crate::support::meili_server() else {
        eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set");
        return;
    };
    let uid = format!("kriya_test_{}", Uuid::now_v7().simple());
    let mut env = vec![
        ("KRIYA_MEILI_URL", url.as_str()),
        ("KRIYA_MEILI_INDEX", uid.as_str()),
    ];
    if let Some(key) = &key {
        env.push(("KRIYA_MEILI_KEY", key.as_str()));
    }
    let Some(app) = TestApp::spawn_with(Backend::Postgres, |raw| {
        raw.set("meili_url", url.clone());
        raw.set("meili_index", uid.clone());
        if let Some(key) = &key {
            raw.set("meili_key", key.clone());
        }
    })
    .await
    else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    three_products(&app).await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let searching = {
        let (stop, url) = (stop.clone(), app.url("/v1/search?q="));
        let client = app.client.clone();
        tokio::spawn(async move {
            let mut totals = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let res: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
                totals.push(res["total"].as_u64().unwrap());
            }
            totals
        })
    };
    let out = {
        let env = env.clone();
        let app = &app;
        tokio::task::block_in_place(|| app.command_with("reindex", &env))
    };
    stop.store(true, Ordering::Relaxed);
    let totals = searching.await.unwrap();
    assert!(out.contains("rebuilt: 3 products"), "{out}");
    assert!(!totals.is_empty());
    assert!(
        totals.iter().all(|t| *t == 3),
        "searches during the rebuild saw {totals:?}"
    );

    let client = meilisearch_sdk::client::Client::new(&url, key.as_deref()).unwrap();
    let mut query = meilisearch_sdk::indexes::IndexesQuery::new(&client);
    query.with_limit(100_000);
    let names: Vec<String> = client
        .list_all_indexes_with(&query)
        .await
        .unwrap()
        .results
        .into_iter()
        .map(|i| i.uid)
        .filter(|u| u.starts_with(&uid))
        .collect();
    assert_eq!(
        names,
        [uid],
        "served under its name; the old content deleted"
    );
    assert_eq!(app.search("q=").await["total"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_engine_loses_nothing_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let real: SharedIndex = Arc::new(EmbeddedIndex::open(dir.path()).unwrap());
    let flaky = Arc::new(Flaky::new(real.clone(), 3));
    let app = TestApp::spawn_full(Backend::Sqlite, |_| {}, Some(flaky.clone()))
        .await
        .unwrap();
    let seller = app.active_seller().await;
    let p = app.published_product(&seller).await;
    let id = p["id"].as_str().unwrap().to_owned();
    // The first writes fail; the rows wait with backoff and are retried until taken.
    let started = Instant::now();
    loop {
        let found = ids_of(&app.search("q=kalung").await);
        if found == [id.clone()] {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never caught up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        flaky.writes.load(Ordering::SeqCst) > 3,
        "the failures happened"
    );
    app.outbox_drained().await;
    assert_eq!(real.count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_two_drainers_never_take_the_same_row() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    app.stop().await; // only this test drains now
    use diesel::Connection;
    let mut a = app.conn();
    let mut b = app.conn();
    a.transaction(|a| {
        for _ in 0..4 {
            search_outbox::enqueue(a, Subject::Product(Uuid::now_v7()))?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    let now = kriya::domain::now();
    a.transaction(|a| {
        let first = search_outbox::claim_due(a, now, 2)?;
        assert_eq!(first.len(), 2);
        b.transaction(|b| {
            let second = search_outbox::claim_due(b, now, 10)?;
            let taken: Vec<i64> = first.iter().map(|p| p.id).collect();
            assert!(
                second.iter().all(|p| !taken.contains(&p.id)),
                "a held row was taken twice"
            );
            assert!(second.len() >= 2, "free rows are taken, held ones skipped");
            Ok::<_, diesel::result::Error>(())
        })
    })
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_data_dir_is_refused_clearly() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut raw = kriya::config::RawConfig::from_vars(&Default::default()).unwrap();
    raw.set("bind", "127.0.0.1:0");
    raw.set("data_dir", app.data_dir().to_string_lossy());
    raw.set("database_url", &app.database_url);
    let config = raw.build().unwrap();
    let Err(e) = kriya::app::Application::build(&config) else {
        panic!("a second server started on a data dir in use");
    };
    assert!(
        e.to_string().contains("open in another Kriya process"),
        "{e}"
    );
    assert!(
        app.get("/readyz", None).await.status().is_success(),
        "the first one still serves"
    );
}

mod on_postgres_two_replicas_draining_together_end_with_the_database {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded() {
        let dir = tempfile::tempdir().unwrap();
        super::two_replicas_draining_together_end_with_the_database(Arc::new(
            EmbeddedIndex::open(dir.path()).unwrap(),
        ))
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn meilisearch() {
        match crate::support::meili_index().await {
            Some(index) => super::two_replicas_draining_together_end_with_the_database(index).await,
            None => eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set"),
        }
    }
}

async fn two_replicas_draining_together_end_with_the_database(index: SharedIndex) {
    let Some(app) = TestApp::spawn_full(Backend::Postgres, |_| {}, Some(index.clone())).await
    else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    // A second replica's worker on the same database and index.
    let _second =
        kriya::search::worker::Worker::spawn(app.pool.clone(), index.clone(), None).unwrap();
    let ids = three_products(&app).await;
    // Racing edits, each committed with its outbox row, drained by both workers.
    let mut tasks = Vec::new();
    for round in 0..8 {
        for id in &ids {
            let (pool, id) = (app.pool.clone(), id.parse::<Uuid>().unwrap());
            tasks.push(tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().unwrap();
                kriya::db::write_tx(&mut conn, |c| {
                    let p = kriya::db::products::find(c, id)?.unwrap();
                    let changes = kriya::db::products::ProductChanges {
                        price_idr: Some(10_000 + round * 1_000),
                        ..Default::default()
                    };
                    kriya::db::products::update_if_version(
                        c,
                        id,
                        p.version,
                        &changes,
                        kriya::domain::now(),
                    )
                })
                .unwrap()
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    app.outbox_drained().await;
    let keys: Vec<Uuid> = ids.iter().map(|i| i.parse().unwrap()).collect();
    let expected: Vec<kriya::search::Hit> = app
        .db(|c| kriya::search::document::build(c, &keys))
        .into_iter()
        .map(|change| match change {
            kriya::search::document::Change::Upsert(doc) => kriya::search::Hit::from(&*doc),
            other => panic!("{other:?}"),
        })
        .collect();
    let mut indexed = index
        .search(&SearchQuery {
            per_page: 10,
            ..SearchQuery::text("")
        })
        .await
        .unwrap()
        .hits;
    indexed.sort_by_key(|d| keys.iter().position(|k| *k == d.id));
    assert_eq!(
        indexed, expected,
        "the index holds the last version of every product"
    );
}

/// A seller's whole catalogue touched by one outbox row (its suspension, its return) is more
/// products than a batch may lock one by one on PostgreSQL (whose lock table is small and
/// shared): it drains all the same, holding the other batches off instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_seller_with_more_products_than_a_batch_locks_drains() {
    use diesel::RunQueryDsl;
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let seller = app.active_seller().await;
    let admin = app.admin().await;
    // Far more than PostgreSQL's default lock table holds (64 × 100 connections): before
    // the budget, this row failed with "out of shared memory" on every retry.
    let n = 20_000;
    app.db(|c| {
        diesel::sql_query(format!(
            "INSERT INTO products (id, seller_id, title, description, category, technique, materials, \
             price_idr, sku, weight_grams, status, version, created_at, updated_at, published_at) \
             SELECT gen_random_uuid(), '{}', 'Kalung Banyak ' || g, 'Satu dari banyak.', 'batik', 'tulis', \
             '[\"katun\"]', 100000 + g, 'MANY-' || g, 50, 'published', 1, now(), now(), now() \
             FROM generate_series(1, {n}) g",
            seller.seller_id()
        ))
        .execute(c)?;
        search_outbox::enqueue(c, Subject::Seller(seller.seller_id().parse().unwrap()))
    });
    app.outbox_drained().await;
    assert_eq!(app.search("q=banyak&per_page=1").await["total"], n);
    let res = app
        .post(
            &format!("/v1/admin/sellers/{}/suspend", seller.seller_id()),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    app.outbox_drained().await;
    assert_eq!(app.search("q=banyak&per_page=1").await["total"], 0);
}

/// The read cache relies on the search worker to announce changes. With the engine down the
/// worker takes rows and fails: a change must still leave every replica's cache within the
/// time search may take, and no replica may keep pages past its age bound meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_change_leaves_every_read_cache_while_the_engine_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let real: SharedIndex = Arc::new(EmbeddedIndex::open(dir.path()).unwrap());
    let down = Arc::new(Flaky::new(real, usize::MAX));
    let Some(app) = TestApp::spawn_full(Backend::Postgres, |_| {}, Some(down.clone())).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let seller = app.active_seller().await;
    let product = app.published_product(&seller).await;
    let path = format!("/v1/products/{}", product["id"].as_str().unwrap());
    let other = app.replica(|_| {}).await;
    let price = |app: &TestApp, url: String| {
        let client = app.client.clone();
        async move {
            let res = client.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()["price_idr"]
                .as_i64()
                .unwrap()
        }
    };
    let base = product["price_idr"].as_i64().unwrap();
    for round in 1..=3_i64 {
        assert_eq!(price(&app, other.url(&path)).await, base + round - 1);
        let res = app
            .request(
                reqwest::Method::PATCH,
                &path,
                Some(&seller.token),
                Some(json!({"price_idr": base + round})),
            )
            .await;
        assert_eq!(res.status(), 200);
        let started = Instant::now();
        while price(&app, other.url(&path)).await != base + round {
            assert!(
                started.elapsed() < crate::support::SEARCH_DEADLINE,
                "round {round}: the other replica kept the old price"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        eprintln!("round {round}: shown after {:?}", started.elapsed());
        // The engine stays down; the worker waits longer between attempts each time.
        tokio::time::sleep(Duration::from_millis(1_500 * round as u64)).await;
    }
    assert!(
        down.writes.load(Ordering::SeqCst) > 0,
        "the engine was asked and failed"
    );
    other.stop().await;
}
