//! HTTP semantics beyond the resources: every 405 says what is allowed (`Allow`, RFC 9110),
//! and a POST whose fields are all optional takes no body at all.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::problem;

const ID: &str = "0193a5d2-0000-7000-8000-000000000001";

async fn allow_of(res: reqwest::Response) -> String {
    let allow = res
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned());
    problem(res, 405).await;
    allow.expect("a 405 carries Allow")
}

both_backends! {
    async fn a_405_names_the_methods_the_path_answers(app) {
        let res = app.request(Method::DELETE, "/v1/categories", None, None).await;
        assert_eq!(allow_of(res).await, "GET");
        let res = app.request(Method::PUT, &format!("/v1/products/{ID}"), None, Some(json!({}))).await;
        assert_eq!(allow_of(res).await, "GET, PATCH, DELETE");
        let res = app.request(Method::GET, &format!("/v1/hotels/{ID}/sales"), None, None).await;
        assert_eq!(allow_of(res).await, "POST");
        let res = app.request(Method::DELETE, "/v1/sellers/me", None, None).await;
        assert_eq!(allow_of(res).await, "GET, PUT");
        // Routes outside the OpenAPI document too.
        let res = app.request(Method::POST, "/v1/openapi.json", None, Some(json!({}))).await;
        assert_eq!(allow_of(res).await, "GET");
    }

    async fn every_path_of_the_document_names_its_methods_in_a_405(app) {
        let doc: Value = app.get("/v1/openapi.json", None).await.json().await.unwrap();
        for (template, item) in doc["paths"].as_object().unwrap() {
            let path = template
                .split('/')
                .map(|s| if s.starts_with('{') { ID } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let documented: Vec<String> = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
            let method = ["PATCH", "PUT", "DELETE", "POST", "GET"]
                .into_iter()
                .find(|m| !documented.iter().any(|d| d == m))
                .unwrap();
            let res = app.request(Method::from_bytes(method.as_bytes()).unwrap(), &path, None, None).await;
            let allow = allow_of(res).await;
            let allowed: Vec<&str> = allow.split(", ").collect();
            for m in &documented {
                assert!(allowed.contains(&m.as_str()), "{method} {path}: Allow `{allow}` lacks {m}");
            }
            assert!(!allowed.contains(&method), "{method} {path}: Allow `{allow}`");
        }
    }

    async fn a_post_of_optional_fields_takes_no_body(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 1000, 30).await;

        // Receiving without a body: everything arrived.
        let product = app.create_product(&seller, json!({})).await;
        let (product_id, variant_id) = (product["id"].as_str().unwrap(), product["variants"][0]["id"].as_str().unwrap());
        app.restock(&seller, product_id, variant_id, 3).await;
        let consignment = app.dispatch(&seller, &agreement, variant_id, 3, 50_000).await;
        let res = app.client.post(app.url(&format!("/v1/consignments/{}/receive", consignment["id"].as_str().unwrap())))
            .bearer_auth(&hotel.token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "received");

        // A month that is over, closed by the seller, who then records the payout.
        let period = kriya::domain::consignment::Period::containing(Utc::now() - Duration::days(40));
        let statement = format!("/v1/consignment-agreements/{agreement}/statements/{period}");
        let res = app.post(&format!("{statement}/close"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK, "close");
        // A body that is not JSON is still refused.
        let res = app.client.post(app.url(&format!("{statement}/paid"))).bearer_auth(&seller.token)
            .header("content-type", "text/plain").body("paid").send().await.unwrap();
        problem(res, 415).await;
        // No body and no Content-Type at all.
        let res = app.client.post(app.url(&format!("{statement}/paid"))).bearer_auth(&seller.token)
            .send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let paid: Value = res.json().await.unwrap();
        assert_eq!((paid["status"].as_str(), paid["payout_reference"].as_str()), (Some("paid"), None));
    }

    async fn an_empty_json_body_is_no_body(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 1000, 30).await;
        let period = kriya::domain::consignment::Period::containing(Utc::now() - Duration::days(40));
        let statement = format!("/v1/consignment-agreements/{agreement}/statements/{period}");
        let res = app.post(&format!("{statement}/close"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK, "close");
        // `Content-Type: application/json` with `Content-Length: 0`.
        let res = app.client.post(app.url(&format!("{statement}/paid"))).bearer_auth(&seller.token)
            .header("content-type", "application/json").body("").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
