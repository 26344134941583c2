//! HTTP semantics beyond the resources: every 405 says what is allowed (`Allow`, RFC 9110).

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
}
