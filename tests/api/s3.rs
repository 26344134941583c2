//! The S3 blob store against a real S3-compatible server (s3s-fs in CI, which checks SigV4
//! signatures and presigned-URL expiry). Runs when `KRIYA_TEST_S3_ENDPOINT` is set; the bucket
//! (`KRIYA_TEST_S3_BUCKET`, default `kriya-test`) must exist.

use std::time::Duration;

use kriya::blob::BlobStore;
use kriya::blob::s3::{S3Settings, S3Store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, fixture, problem};

fn settings() -> Option<S3Settings> {
    let Some(endpoint) = std::env::var("KRIYA_TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    else {
        if std::env::var("KRIYA_TEST_REQUIRE_S3").is_ok_and(|v| v == "1") {
            panic!("KRIYA_TEST_REQUIRE_S3=1 but KRIYA_TEST_S3_ENDPOINT is not set");
        }
        return None;
    };
    let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    Some(S3Settings {
        bucket: var("KRIYA_TEST_S3_BUCKET", "kriya-test"),
        endpoint: Some(endpoint),
        region: "us-east-1".to_owned(),
        access_key: var("KRIYA_TEST_S3_ACCESS_KEY", "K"),
        secret_key: kriya::config::Secret::new(var("KRIYA_TEST_S3_SECRET_KEY", "S")),
        path_style: true,
    })
}

async fn app_on_s3(backend: Backend, s: &S3Settings) -> Option<TestApp> {
    let s = s.clone();
    TestApp::spawn_with(backend, move |raw| {
        raw.set("s3_bucket", s.bucket);
        raw.set("s3_endpoint", s.endpoint.unwrap());
        raw.set("s3_access_key", s.access_key);
        raw.set("s3_secret_key", s.secret_key.expose());
    })
    .await
}

async fn photos_live_in_s3(backend: Backend) {
    let Some(s) = settings() else {
        eprintln!("skipped: KRIYA_TEST_S3_ENDPOINT is not set");
        return;
    };
    let Some(app) = app_on_s3(backend, &s).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let store = S3Store::new(&s).unwrap();
    assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
    let seller = app.active_seller().await;
    let product = app.create_product(&seller, json!({})).await;
    let pid = product["id"].as_str().unwrap();
    let res = app
        .upload(
            Some(&seller.token),
            pid,
            "landscape.jpg",
            fixture("landscape.jpg"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let image: Value = res.json().await.unwrap();
    let id = image["id"].as_str().unwrap();
    assert!(
        store
            .exists(&format!("images/{id}/original.jpg"))
            .await
            .unwrap(),
        "the original is kept in the bucket"
    );

    for r in image["renditions"].as_array().unwrap() {
        let res = app.get(r["url"].as_str().unwrap(), None).await;
        assert_eq!(
            res.status(),
            StatusCode::FOUND,
            "S3 renditions are redirects"
        );
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("X-Amz-Signature="), "{location}");
        let fetched = app.client.get(&location).send().await.unwrap();
        assert_eq!(fetched.status(), StatusCode::OK, "the presigned URL works");
        let bytes = fetched.bytes().await.unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!(
            image::GenericImageView::width(&decoded) as u64,
            r["width"].as_u64().unwrap()
        );
    }
    // The original is private: its URL is never handed out, and without a signature S3 refuses.
    let direct = format!(
        "{}/{}/images/{id}/original.jpg",
        s.endpoint.as_deref().unwrap(),
        s.bucket
    );
    assert_eq!(
        app.client.get(&direct).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let res = app
        .request(
            Method::DELETE,
            &format!("/v1/products/{pid}/images/{id}"),
            Some(&seller.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        !store
            .exists(&format!("images/{id}/original.jpg"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .exists(&format!("images/{id}/480.webp"))
            .await
            .unwrap()
    );
    problem(
        app.get(&format!("/v1/images/{id}/480.webp"), None).await,
        404,
    )
    .await;
}

mod photos_live_in_s3 {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        photos_live_in_s3(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        photos_live_in_s3(Backend::Postgres).await;
    }
}

#[tokio::test]
async fn an_expired_presigned_url_is_refused() {
    let Some(s) = settings() else {
        eprintln!("skipped: KRIYA_TEST_S3_ENDPOINT is not set");
        return;
    };
    let store = S3Store::new(&s).unwrap();
    let key = format!("tests/{}.txt", uuid::Uuid::now_v7().simple());
    store
        .put(&key, bytes::Bytes::from_static(b"kriya"), "text/plain")
        .await
        .unwrap();
    let url = store
        .presigned_get(&key, Duration::from_secs(1))
        .await
        .unwrap()
        .unwrap();
    let client = reqwest::Client::new();
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    // Expiry is the one thing that needs time to pass.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "expired"
    );
    store.delete(&key).await.unwrap();
    assert!(!store.exists(&key).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_blob_store_is_503_and_stores_nothing() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |raw| {
        raw.set("s3_bucket", "kriya-test");
        raw.set("s3_endpoint", "http://127.0.0.1:1");
        raw.set("s3_access_key", "K");
        raw.set("s3_secret_key", "S");
    })
    .await
    else {
        return;
    };
    let body = problem(app.get("/readyz", None).await, 503).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("blob store"), "{body}");
    assert!(
        !detail.contains("127.0.0.1") && !detail.contains("refused"),
        "the store's address and the client's error stay in the log: {body}"
    );
    // An upload while the store is down: 503, and no row.
    let seller = app.active_seller().await;
    let product = app.create_product(&seller, json!({})).await;
    let res = app
        .upload(
            Some(&seller.token),
            product["id"].as_str().unwrap(),
            "kain.webp",
            fixture("kain.webp"),
        )
        .await;
    problem(res, 503).await;
    use diesel::prelude::*;
    let rows: i64 = app.db(|c| {
        kriya::db::schema::product_images::table
            .count()
            .get_result(c)
    });
    assert_eq!(rows, 0);
}
