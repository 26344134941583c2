//! Every failure, including the framework's own, is an RFC 9457 problem.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::support::{fields, problem};

both_backends! {
    async fn malformed_json_is_400(app) {
        let res = app.client.post(app.url("/v1/auth/register"))
            .header("content-type", "application/json").body("{\"email\": ").send().await.unwrap();
        problem(res, 400).await;
    }

    async fn body_over_one_mebibyte_is_413(app) {
        let big = format!("{{\"email\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
        let res = app.client.post(app.url("/v1/auth/register"))
            .header("content-type", "application/json").body(big).send().await.unwrap();
        problem(res, 413).await;
    }

    async fn unknown_route_is_404(app) {
        problem(app.get("/v1/no-such-thing", None).await, 404).await;
        problem(app.get("/etc/passwd", None).await, 404).await;
    }

    async fn wrong_method_is_405(app) {
        problem(app.request(Method::DELETE, "/v1/categories", None, None).await, 405).await;
        problem(app.request(Method::PUT, "/v1/auth/login", None, Some(json!({}))).await, 405).await;
    }

    async fn wrong_content_type_is_415(app) {
        let res = app.client.post(app.url("/v1/auth/login"))
            .header("content-type", "text/plain").body("{}").send().await.unwrap();
        problem(res, 415).await;
        let res = app.client.post(app.url("/v1/auth/login")).body("{}").send().await.unwrap();
        problem(res, 415).await;
    }

    async fn an_id_that_is_not_an_id_is_404(app) {
        problem(app.get("/v1/products/not-a-uuid", None).await, 404).await;
        problem(app.get("/v1/sellers/1%27%20OR%201=1", None).await, 404).await;
    }

    async fn wrong_json_types_name_the_field(app) {
        let res = app.post("/v1/auth/register", None, json!({"email": 5})).await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), vec!["email"]);
        let res = app.post("/v1/auth/register", None, json!({"email": "a@b.co", "surprise": true})).await;
        problem(res, 422).await;
    }

    async fn invalid_query_parameters_are_422(app) {
        let body = problem(app.get("/v1/products?limit=1000", None).await, 422).await;
        assert_eq!(fields(&body), vec!["limit"]);
        let body = problem(app.get("/v1/products?limit=abc", None).await, 422).await;
        assert_eq!(fields(&body), vec!["query"]);
        let body = problem(app.get("/v1/products?cursor=garbage&status=sold", None).await, 422).await;
        assert_eq!(fields(&body), vec!["cursor", "status"]);
    }

    async fn problems_never_leak_sql_or_paths(app) {
        let res = app.get("/v1/products/00000000-0000-0000-0000-000000000000", None).await;
        let body = problem(res, 404).await.to_string().to_lowercase();
        for word in ["select", "sqlite", "postgres", "/work", "/tmp", "diesel"] {
            assert!(!body.contains(word), "{word} in {body}");
        }
        assert_eq!(StatusCode::NOT_FOUND.as_u16(), 404);
    }
}
