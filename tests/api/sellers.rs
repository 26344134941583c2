use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::support::{fields, problem, product_body};

both_backends! {
    async fn only_an_approved_seller_may_create_products(app) {
        let seller = app.register("seller").await;
        let res = app.post("/v1/products", Some(&seller.token), product_body()).await;
        problem(res, 403).await;
        let admin = app.admin().await;
        let res = app.post(&format!("/v1/admin/sellers/{}/approve", seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "active");
        let res = app.post("/v1/products", Some(&seller.token), product_body()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }

    async fn seller_profile_is_read_and_replaced(app) {
        let seller = app.register("seller").await;
        let res = app.request(Method::PUT, "/v1/sellers/me", Some(&seller.token), Some(json!({
            "business_name": "Daun Abadi", "story": "Daun asli.", "sector": "electroforming-jewellery",
            "kecamatan": "lowokwaru", "kelurahan": "Tlogomas", "whatsapp": "0812-3456-7890", "nib": "9120001234567"
        }))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.get("/v1/sellers/me", Some(&seller.token)).await;
        assert_eq!(res.headers().get("etag").unwrap(), "\"v2\"");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["business_name"], "Daun Abadi");
        let res = app.client.put(app.url("/v1/sellers/me")).bearer_auth(&seller.token).header("if-match", "\"v1\"")
            .json(&json!({"business_name": "Stale Edit"})).send().await.unwrap();
        problem(res, 412).await;
        assert_eq!(body["kecamatan"], "Lowokwaru");
        assert_eq!(body["whatsapp"], "+6281234567890");
        assert_eq!(body["status"], "pending");
    }

    async fn seller_profile_validation_names_every_field(app) {
        let seller = app.register("seller").await;
        let res = app.request(Method::PUT, "/v1/sellers/me", Some(&seller.token), Some(json!({
            "business_name": "X", "sector": "cars", "kecamatan": "Batu", "whatsapp": "12", "nib": "12"
        }))).await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), vec!["business_name", "sector", "kecamatan", "whatsapp", "nib"]);
        let stored: Value = app.get("/v1/sellers/me", Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(stored["kecamatan"], Value::Null, "nothing written");
    }

    async fn seller_me_needs_a_seller(app) {
        problem(app.get("/v1/sellers/me", None).await, 401).await;
        let buyer = app.register("buyer").await;
        problem(app.get("/v1/sellers/me", Some(&buyer.token)).await, 403).await;
        let hotel = app.register("hotel").await;
        problem(app.request(Method::PUT, "/v1/sellers/me", Some(&hotel.token), Some(json!({"business_name": "Hotel"}))).await, 403).await;
    }

    async fn a_pending_seller_is_visible_only_to_itself_and_admins(app) {
        let pending = app.register("seller").await;
        let path = format!("/v1/sellers/{}", pending.seller_id());
        problem(app.get(&path, None).await, 404).await;
        let other = app.active_seller().await;
        problem(app.get(&path, Some(&other.token)).await, 404).await;
        let buyer = app.register("buyer").await;
        problem(app.get(&path, Some(&buyer.token)).await, 404).await;
        assert_eq!(app.get(&path, Some(&pending.token)).await.status(), StatusCode::OK);
        let admin = app.admin().await;
        assert_eq!(app.get(&path, Some(&admin.token)).await.status(), StatusCode::OK);
        assert_eq!(app.get(&format!("/v1/sellers/{}", other.seller_id()), None).await.status(), StatusCode::OK);
        problem(app.get(&format!("/v1/sellers/{}", Uuid::now_v7()), None).await, 404).await;
    }

    async fn seller_list_pages_through_active_sellers(app) {
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(app.active_seller().await.seller_id().to_owned());
        }
        app.register("seller").await; // pending: not listed
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/v1/sellers?limit=2&cursor={c}"),
                None => "/v1/sellers?limit=2".to_owned(),
            };
            let page: Value = app.get(&path, None).await.json().await.unwrap();
            for item in page["items"].as_array().unwrap() {
                seen.push(item["id"].as_str().unwrap().to_owned());
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        ids.reverse();
        assert_eq!(seen, ids, "newest first, each once");
        problem(app.get("/v1/sellers?status=pending", None).await, 403).await;
        let admin = app.admin().await;
        let page: Value = app.get("/v1/sellers?status=pending", Some(&admin.token)).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
    }

    async fn only_admins_approve_or_suspend(app) {
        let seller = app.register("seller").await;
        let other = app.active_seller().await;
        let buyer = app.register("buyer").await;
        for action in ["approve", "suspend"] {
            let path = format!("/v1/admin/sellers/{}/{action}", seller.seller_id());
            problem(app.post(&path, None, json!({})).await, 401).await;
            problem(app.post(&path, Some(&buyer.token), json!({})).await, 403).await;
            problem(app.post(&path, Some(&other.token), json!({})).await, 403).await;
            problem(app.post(&path, Some(&seller.token), json!({})).await, 403).await;
        }
        let admin = app.admin().await;
        problem(app.post(&format!("/v1/admin/sellers/{}/approve", Uuid::now_v7()), Some(&admin.token), json!({})).await, 404).await;
        let me: Value = app.get("/v1/sellers/me", Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(me["status"], "pending", "unchanged by refused requests");
    }

    async fn suspension_hides_the_sellers_products(app) {
        let seller = app.active_seller().await;
        let product = app.published_product(&seller).await;
        let path = format!("/v1/products/{}", product["id"].as_str().unwrap());
        assert_eq!(app.get(&path, None).await.status(), StatusCode::OK);
        let admin = app.admin().await;
        let res = app.post(&format!("/v1/admin/sellers/{}/suspend", seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        problem(app.get(&path, None).await, 404).await;
        let list: Value = app.get("/v1/products", None).await.json().await.unwrap();
        assert!(list["items"].as_array().unwrap().is_empty());
        problem(app.get(&format!("/v1/sellers/{}", seller.seller_id()), None).await, 404).await;
        // The seller still sees its own product, but may not create new ones.
        assert_eq!(app.get(&path, Some(&seller.token)).await.status(), StatusCode::OK);
        problem(app.post("/v1/products", Some(&seller.token), product_body()).await, 403).await;
    }
}
