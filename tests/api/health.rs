use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;

both_backends! {
    async fn healthz_and_readyz_answer(app) {
        let res = app.get("/healthz", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.get("/readyz", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ready");
    }

    async fn categories_are_seeded(app) {
        let res = app.get("/v1/categories", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let slugs: Vec<&str> = body["items"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
        for slug in ["electroforming-jewellery", "batik", "fashion", "home-decor", "other-crafts"] {
            assert!(slugs.contains(&slug), "{slug} in {slugs:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_scrape_and_request_ids_are_echoed() {
    let app = crate::support::TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    let res = app.get("/v1/search?sort=nope", None).await;
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["request_id"],
        id.as_str(),
        "the problem names the request"
    );
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "proxy-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["x-request-id"],
        "proxy-abc.123",
        "a sane caller id is kept"
    );
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "<script>");

    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    for needle in [
        "kriya_http_requests_total{method=\"GET\",route=\"/v1/search\",status=\"422\"}",
        "kriya_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\"",
        "kriya_search_outbox_backlog",
        "kriya_db_pool_connections{state=\"idle\"}",
        "kriya_db_pool_max_connections",
        "kriya_photo_upload_duration_seconds",
        "kriya_photo_rendition_duration_seconds",
    ] {
        assert!(text.contains(needle), "/metrics lacks {needle}");
    }
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "not a sample: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_is_served_without_anything_from_outside() {
    let app = crate::support::TestApp::spawn(crate::support::Backend::Sqlite)
        .await
        .unwrap();
    let res = app.get("/docs", None).await;
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/docs/");
    let res = app.get("/docs/", None).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let init = app
        .get("/docs/swagger-initializer.js", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/v1/openapi.json"), "{init}");
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"] {
        assert_eq!(app.get(asset, None).await.status(), 200, "{asset}");
    }
}
