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
