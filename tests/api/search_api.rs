//! `GET /v1/search` through the real server and its outbox worker, on both databases (and
//! on PostgreSQL with Meilisearch, as in production, when `KRIYA_TEST_MEILI_URL` is set):
//! changes become searchable within 2 seconds (polled with a deadline), drafts and
//! suspended sellers are never found, and bad parameters are 422s.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, fields, ids_of, problem};

fn has(res: &Value, id: &str) -> bool {
    ids_of(res).iter().any(|i| i == id)
}

async fn patch(app: &TestApp, seller: &crate::support::Account, id: &str, body: Value) {
    let etag = app
        .get(&format!("/v1/products/{id}"), Some(&seller.token))
        .await
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .patch(app.url(&format!("/v1/products/{id}")))
        .bearer_auth(&seller.token)
        .header("if-match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "patch");
}

/// Like `both_backends!`, plus `<name>::meilisearch`: PostgreSQL with Meilisearch, as in
/// production (skipped unless both are configured for tests).
macro_rules! every_engine {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                use crate::support::{Backend, meili_index};

                async fn run($app: TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(TestApp::spawn(Backend::Sqlite).await.unwrap()).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match TestApp::spawn(Backend::Postgres).await {
                        Some(app) => run(app).await,
                        None => eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set"),
                    }
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn meilisearch() {
                    let Some(index) = meili_index().await else {
                        eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set");
                        return;
                    };
                    match TestApp::spawn_full(Backend::Postgres, |_| {}, Some(index)).await {
                        Some(app) => run(app).await,
                        None => eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set"),
                    }
                }
            }
        )*
    };
}

every_engine! {
    async fn a_product_is_searchable_from_publish_to_archive(app) {
        let seller = app.active_seller().await;
        let draft = app.create_product(&seller, json!({"title": "Kalung Daun Waru"})).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        app.add_photo(&seller, &id).await;
        app.outbox_drained().await;
        assert!(app.search_ids("q=waru").await.is_empty(), "a draft is never found");

        let res = app.post(&format!("/v1/products/{id}/publish"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let found = app.search_until("q=waru", |r| has(r, &id)).await;
        let hit = &found["hits"][0];
        assert_eq!(hit["title"], "Kalung Daun Waru");
        assert_eq!(hit["highlight"], "Kalung Daun <mark>Waru</mark>");
        assert_eq!(hit["price_idr"], 185555);
        assert_eq!(hit["category"], "electroforming-jewellery");
        assert_eq!(hit["seller"]["id"], seller.seller_id());
        assert!(hit["thumbnail"]["blurhash"].as_str().is_some_and(|b| b.len() > 5));
        let thumb = app.get(hit["thumbnail"]["url"].as_str().unwrap(), None).await;
        assert_eq!(thumb.status(), StatusCode::OK, "the thumbnail is served");
        assert_eq!(thumb.headers()["content-type"], "image/webp");
        assert_eq!(found["total"], 1);
        assert_eq!(found["page"], 1);
        assert_eq!(found["per_page"], 20);
        assert_eq!(found["facets"]["category"]["electroforming-jewellery"], 1);
        assert!(found["took_ms"].is_u64());
        // Typo, prefix and synonym through HTTP too.
        for q in ["q=kalnug+waru", "q=daun+wa", "q=necklace+waru"] {
            assert_eq!(app.search_ids(q).await, vec![id.clone()], "{q}");
        }
        assert!(app.search_ids("q=daun+wa+").await.is_empty(), "a finished word is whole");

        patch(&app, &seller, &id, json!({"title": "Gelang Daun Waru", "title_en": "Waru leaf bracelet", "price_idr": 99000})).await;
        let found = app
            .search_until("q=waru", |r| r["hits"][0]["title"] == "Gelang Daun Waru")
            .await;
        assert_eq!(found["hits"][0]["price_idr"], 99000);
        assert!(app.search_ids("q=kalung").await.is_empty(), "the old title is gone");

        let res = app.post(&format!("/v1/products/{id}/unpublish"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        app.search_until("q=waru", |r| r["total"] == 0).await;

        let res = app.post(&format!("/v1/products/{id}/publish"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        app.search_until("q=waru", |r| has(r, &id)).await;
        let res = app.request(Method::DELETE, &format!("/v1/products/{id}"), Some(&seller.token), None).await;
        assert!(res.status().is_success(), "archive: {}", res.status());
        app.search_until("q=waru", |r| r["total"] == 0).await;
    }

    async fn a_suspended_seller_leaves_search_and_comes_back(app) {
        let seller = app.active_seller().await;
        let other = app.active_seller().await;
        let a = app.published_product(&seller).await["id"].as_str().unwrap().to_owned();
        let b = app.published_product(&seller).await["id"].as_str().unwrap().to_owned();
        let c = app.published_product(&other).await["id"].as_str().unwrap().to_owned();
        app.search_until("q=kalung", |r| r["total"] == 3).await;

        let admin = app.admin().await;
        let res = app.post(&format!("/v1/admin/sellers/{}/suspend", seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.search_until("q=kalung", |r| r["total"] == 1).await;
        assert_eq!(ids_of(&res), vec![c.clone()]);

        let res = app.post(&format!("/v1/admin/sellers/{}/approve", seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.search_until("q=kalung", |r| r["total"] == 3).await;
        let mut ids = ids_of(&res);
        ids.sort();
        let mut expected = vec![a, b, c];
        expected.sort();
        assert_eq!(ids, expected);
    }

    async fn the_seller_profile_and_photo_order_reach_the_hits(app) {
        let seller = app.active_seller().await;
        let p = app.published_product(&seller).await;
        let id = p["id"].as_str().unwrap().to_owned();
        let second = app.add_photo(&seller, &id).await;
        let second_id = second["id"].as_str().unwrap().to_owned();
        let res = app.request(Method::PUT, "/v1/sellers/me", Some(&seller.token), Some(json!({
            "business_name": "Griya Tembaga", "story": "Daun asli.", "kecamatan": "Sukun"
        }))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let found = app
            .search_until("q=kalung&kecamatan=Sukun", |r| r["total"] == 1)
            .await;
        assert_eq!(found["hits"][0]["seller"]["name"], "Griya Tembaga");
        assert_eq!(found["hits"][0]["seller"]["kecamatan"], "Sukun");
        assert_eq!(found["facets"]["kecamatan"]["Sukun"], 1);

        let first_id = p["images"][0]["id"].as_str().unwrap().to_owned();
        let res = app.request(Method::PUT, &format!("/v1/products/{id}/images/order"), Some(&seller.token),
            Some(json!({"image_ids": [second_id, first_id]}))).await;
        assert_eq!(res.status(), StatusCode::OK, "reorder");
        app.search_until("q=kalung", |r| {
            r["hits"][0]["thumbnail"]["url"].as_str().is_some_and(|u| u.contains(&second_id))
        })
        .await;
    }

    async fn the_hotel_filter_follows_the_shelf(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let p = app.published_product(&seller).await;
        let (pid, vid) = (p["id"].as_str().unwrap(), p["variants"][0]["id"].as_str().unwrap());
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 1500, 60).await;
        app.restock(&seller, pid, vid, 2).await;
        let shipment = app.dispatch(&seller, &agreement, vid, 2, 185_555).await;
        let by_hotel = format!("hotel_id={hotel_id}");
        app.outbox_drained().await;
        assert!(app.search_ids(&by_hotel).await.is_empty(), "in transit is not on the shelf");

        let res = app.post(&format!("/v1/consignments/{}/receive", shipment["id"].as_str().unwrap()), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK, "receive");
        app.search_until(&by_hotel, |r| has(r, pid)).await;

        let res = app.post(&format!("/v1/hotels/{hotel_id}/sales"), Some(&hotel.token),
            json!({"items": [{"variant_id": vid, "quantity": 2, "unit_price_idr": 185_555}]})).await;
        assert_eq!(res.status(), StatusCode::CREATED, "sale");
        app.search_until(&by_hotel, |r| r["total"] == 0).await;
        assert_eq!(app.search_ids("q=kalung").await, [pid.to_owned()], "still sold online");
    }
}

both_backends! {
    // Reading a query string is bounded: its length first, then its number of parameters
    // (a search has eleven), before any value is looked at; repeats are named once each.
    async fn a_query_string_is_bounded_in_length_and_parameters(app) {
        let many = vec!["a=1"; 2000].join("&");
        assert!(many.len() < kriya::api::search::MAX_QUERY_STRING_BYTES);
        let body = problem(app.get(&format!("/v1/search?{many}"), None).await, 422).await;
        assert_eq!(fields(&body), ["query"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("2000 parameters") && message.contains("at most 32"), "{message}");

        let long = vec!["a=1"; 10_000].join("&");
        let body = problem(app.get(&format!("/v1/search?{long}"), None).await, 422).await;
        assert_eq!(fields(&body), ["query"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("39999 bytes") && message.contains("at most 8192"), "{message}");

        let res = app.get("/v1/search?q=a&sort=newest&q=b&sort=newest&q=c&per_page=5", None).await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), ["q", "sort"], "each repeated parameter named once: {body}");

        let at_the_cap = vec!["q=kalung"; 32].join("&");
        let body = problem(app.get(&format!("/v1/search?{at_the_cap}"), None).await, 422).await;
        assert_eq!(fields(&body), ["q"], "32 parameters are read: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_are_422_naming_each() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    let res = app
        .get("/v1/search?sort=cheapest&per_page=101&page=0&min_price_idr=-1&category=nope&kecamatan=Bandung&hotel_id=x&colour=red", None)
        .await;
    let body = problem(res, 422).await;
    let mut named = fields(&body);
    named.sort();
    assert_eq!(
        named,
        [
            "category",
            "colour",
            "hotel_id",
            "kecamatan",
            "min_price_idr",
            "page",
            "per_page",
            "sort"
        ]
    );
    for query in [
        "per_page=0",
        "page=abc",
        "q=a&q=b",
        "min_price_idr=500&max_price_idr=100",
        "page=101&per_page=100",
        &format!("hotel_id={}", uuid::Uuid::now_v7()),
        &format!("q={}", "a".repeat(201)),
    ] {
        let res = app.get(&format!("/v1/search?{query}"), None).await;
        problem(res, 422).await;
    }
    for query in [
        "",
        "per_page=100",
        "sort=newest&page=3",
        "q=%3Cscript%3E",
        "category=batik&sort=price_desc",
    ] {
        let res = app.get(&format!("/v1/search?{query}"), None).await;
        assert_eq!(res.status(), StatusCode::OK, "{query}");
    }
}

/// A hotel's suspension takes it out of its products' documents (the API refuses to filter
/// by a hotel that is not approved, so this looks at the index itself), and approval puts
/// it back.
async fn a_suspended_hotel_leaves_the_documents(
    backend: crate::support::Backend,
    index: kriya::search::SharedIndex,
) {
    use kriya::search::{Filters, SearchQuery};
    let Some(app) = TestApp::spawn_full(backend, |_| {}, Some(index.clone())).await else {
        return;
    };
    let seller = app.active_seller().await;
    let (hotel, hotel_id) = app.active_hotel().await;
    let p = app.published_product(&seller).await;
    let (pid, vid) = (
        p["id"].as_str().unwrap(),
        p["variants"][0]["id"].as_str().unwrap(),
    );
    let agreement = app.agreement(&seller, &hotel, &hotel_id, 1500, 60).await;
    app.restock(&seller, pid, vid, 1).await;
    let shipment = app.dispatch(&seller, &agreement, vid, 1, 185_555).await;
    let res = app
        .post(
            &format!(
                "/v1/consignments/{}/receive",
                shipment["id"].as_str().unwrap()
            ),
            Some(&hotel.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let at_hotel = SearchQuery {
        filters: Filters {
            hotel_id: Some(hotel_id.parse().unwrap()),
            ..Filters::default()
        },
        ..SearchQuery::text("")
    };
    let admin = app.admin().await;
    for (action, expected) in [("suspend", 0), ("approve", 1), ("suspend", 0)] {
        let res = app
            .post(
                &format!("/v1/admin/hotels/{hotel_id}/{action}"),
                Some(&admin.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        let started = std::time::Instant::now();
        while index.search(&at_hotel).await.unwrap().total != expected {
            assert!(
                started.elapsed() < crate::support::SEARCH_DEADLINE,
                "after {action}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    assert_eq!(
        app.search_ids("q=kalung").await,
        vec![pid.to_owned()],
        "still sold online"
    );
}

mod a_suspended_hotel_leaves_the_documents {
    use crate::support::{Backend, meili_index};
    use kriya::search::SharedIndex;
    use kriya::search::embedded::EmbeddedIndex;

    fn embedded(dir: &tempfile::TempDir) -> SharedIndex {
        std::sync::Arc::new(EmbeddedIndex::open(dir.path()).unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let dir = tempfile::tempdir().unwrap();
        super::a_suspended_hotel_leaves_the_documents(Backend::Sqlite, embedded(&dir)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let dir = tempfile::tempdir().unwrap();
        super::a_suspended_hotel_leaves_the_documents(Backend::Postgres, embedded(&dir)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn meilisearch() {
        match meili_index().await {
            Some(index) => {
                super::a_suspended_hotel_leaves_the_documents(Backend::Postgres, index).await
            }
            None => eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set"),
        }
    }
}

/// With the search engine down, searching is a 503 problem and /readyz names search, but
/// writes go on: the changes wait in the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_search_down_writes_go_on_and_wait_in_the_outbox() {
    let down: kriya::search::SharedIndex = std::sync::Arc::new(kriya::search::Detached);
    let app = TestApp::spawn_full(crate::support::Backend::Sqlite, |_| {}, Some(down))
        .await
        .unwrap();
    // The engine's own message ("this process does not serve search") stays in the log.
    for path in ["/v1/search?q=kalung", "/readyz"] {
        let body = problem(app.get(path, None).await, 503).await;
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("search"), "{body}");
        assert!(!detail.contains("this process"), "{path}: {body}");
    }
    let seller = app.active_seller().await;
    app.published_product(&seller).await;
    let waiting = app.db(kriya::db::search_outbox::backlog);
    assert!(waiting > 0, "the publish is kept for the engine");
}
