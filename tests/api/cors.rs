//! CORS: browser frontends on the origins `KRIYA_CORS_ORIGINS` lists may call Kriya; other
//! origins get no CORS headers; without the variable no response carries any.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::both_backends;
use crate::support::{TestApp, problem};

const SHOP: &str = "https://shop.example";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// A comma-separated header's items, in lower case.
fn items(headers: &HeaderMap, name: &str) -> Vec<String> {
    header(headers, name)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

async fn preflight(app: &TestApp, origin: &str, method: &str, headers: &str) -> reqwest::Response {
    app.client
        .request(
            Method::OPTIONS,
            app.url("/v1/products/0193a5d2-0000-7000-8000-000000000001"),
        )
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

async fn get_from(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("origin", origin)
        .send()
        .await
        .unwrap()
}

both_backends! {
    async fn a_preflight_from_a_listed_origin_is_answered(app)
    with |raw| raw.set("cors_origins", "https://shop.example, http://127.0.0.1:5173");
    {
        let res = preflight(&app, SHOP, "PATCH", "authorization, content-type, if-match, idempotency-key").await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(header(h, "access-control-allow-origin"), Some(SHOP));
        for method in ["get", "post", "put", "patch", "delete"] {
            assert!(items(h, "access-control-allow-methods").contains(&method.to_owned()), "{method}");
        }
        for name in ["authorization", "content-type", "if-match", "idempotency-key"] {
            assert!(items(h, "access-control-allow-headers").contains(&name.to_owned()), "{name}");
        }
        assert_eq!(header(h, "access-control-max-age"), Some("3600"));
        assert_eq!(header(h, "access-control-allow-credentials"), None, "never credentials");
        assert!(items(h, "vary").contains(&"origin".to_owned()));

        let res = preflight(&app, "http://127.0.0.1:5173", "POST", "content-type").await;
        assert_eq!(header(res.headers(), "access-control-allow-origin"), Some("http://127.0.0.1:5173"));
    }

    async fn another_origin_gets_no_cors_headers(app)
    with |raw| raw.set("cors_origins", "https://shop.example");
    {
        let res = preflight(&app, "https://evil.example", "DELETE", "authorization").await;
        assert_eq!(header(res.headers(), "access-control-allow-origin"), None);
        // Refused, as a problem document rather than a server error.
        problem(res, 400).await;
        // A header outside the list is refused too, even from a listed origin.
        let res = preflight(&app, SHOP, "GET", "x-surprise").await;
        assert_eq!(header(res.headers(), "access-control-allow-origin"), None);
        problem(res, 400).await;
        // Requests without a preflight still work (browsers withhold the answer; curl does not).
        let res = get_from(&app, "/v1/categories", "https://evil.example").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(res.headers(), "access-control-allow-origin"), None);
    }

    async fn a_listed_origin_may_read_the_headers_a_frontend_needs(app)
    with |raw| raw.set("cors_origins", "https://shop.example");
    {
        let res = get_from(&app, "/v1/categories", SHOP).await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(header(h, "access-control-allow-origin"), Some(SHOP));
        let exposed = items(h, "access-control-expose-headers");
        for name in ["etag", "location", "idempotent-replayed", "x-request-id", "retry-after"] {
            assert!(exposed.contains(&name.to_owned()), "{name} not exposed: {exposed:?}");
        }
        // Errors are readable too: a frontend must see why it was refused.
        let res = get_from(&app, "/v1/me", SHOP).await;
        assert_eq!(header(res.headers(), "access-control-allow-origin"), Some(SHOP));
        problem(res, 401).await;
    }

    async fn a_wildcard_answers_any_origin(app)
    with |raw| raw.set("cors_origins", "*");
    {
        let res = get_from(&app, "/v1/categories", "https://anyone.example").await;
        assert_eq!(header(res.headers(), "access-control-allow-origin"), Some("*"));
        let res = preflight(&app, "https://anyone.example", "POST", "authorization, content-type").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(header(res.headers(), "access-control-allow-origin"), Some("*"));
        assert_eq!(header(res.headers(), "access-control-allow-credentials"), None);
    }
}

both_backends! {
    async fn without_origins_nothing_is_cors(app) {
        let res = get_from(&app, "/v1/categories", SHOP).await;
        assert_eq!(res.status(), StatusCode::OK);
        let cors: Vec<_> = res.headers().keys().filter(|k| k.as_str().starts_with("access-control-")).collect();
        assert!(cors.is_empty(), "{cors:?}");
        // An OPTIONS request is then an ordinary request for a method no route has.
        let res = preflight(&app, SHOP, "PATCH", "authorization").await;
        assert_eq!(header(res.headers(), "access-control-allow-origin"), None);
        problem(res, 405).await;
    }
}
