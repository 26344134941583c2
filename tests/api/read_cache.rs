//! The cache of rendered public reads answers exactly what the database would, and never
//! longer than its bound: a change shows at once on the server that took it and within
//! `KRIYA_READ_CACHE_MS` (1 s by default) on every other replica.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Replica, TestApp};

/// Status, ETag and body of an anonymous GET.
async fn read(
    app: &TestApp,
    url: String,
    if_none_match: Option<&str>,
) -> (u16, Option<String>, Vec<u8>) {
    let mut req = app.client.get(url);
    if let Some(tag) = if_none_match {
        req = req.header(IF_NONE_MATCH, tag);
    }
    let res = req.send().await.unwrap();
    let etag = res
        .headers()
        .get(ETAG)
        .map(|v| v.to_str().unwrap().to_owned());
    (
        res.status().as_u16(),
        etag,
        res.bytes().await.unwrap().to_vec(),
    )
}

/// Every page of an anonymous list, following `next_cursor`.
async fn pages(app: &TestApp, base: &str, query: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            None => format!("{base}/v1/products?{query}"),
            Some(c) => format!("{base}/v1/products?{query}&cursor={c}"),
        };
        let (status, _, body) = read(app, url, None).await;
        assert_eq!(status, 200);
        let page: Value = serde_json::from_slice(&body).unwrap();
        out.push(body);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

fn product_ids(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    use kriya::db::portable::DbId;
    use kriya::db::schema::products;
    app.db(|c| products::table.select(products::id).load::<DbId>(c))
        .into_iter()
        .map(|id| id.0.to_string())
        .collect()
}

async fn uncached(app: &TestApp) -> Replica {
    app.replica(|c| c.read_cache = Duration::ZERO).await
}

both_backends! {
    async fn cached_reads_are_byte_for_byte_the_uncached_ones(app) {
        crate::demo::demo(&app);
        let slow = uncached(&app).await;
        let ids = product_ids(&app);
        assert!(ids.len() >= 49, "the demo catalogue");
        let mut public = 0;
        for id in &ids {
            let path = format!("/v1/products/{id}");
            let want = read(&app, slow.url(&path), None).await;
            // The first read fills the cache, the second is answered from it.
            for _ in 0..2 {
                assert_eq!(read(&app, app.url(&path), None).await, want, "{path}");
            }
            if want.0 == 200 {
                public += 1;
                let tag = want.1.clone().unwrap();
                // The copy held is current: 304, no body, from either path.
                let (status, etag, body) = read(&app, app.url(&path), Some(&tag)).await;
                assert_eq!((status, etag.as_deref(), body.len()), (304, Some(tag.as_str()), 0));
                assert_eq!(read(&app, slow.url(&path), Some(&format!("W/{tag}, \"v0\""))).await.0, 304);
                assert_eq!(read(&app, app.url(&path), Some("\"v0\"")).await.0, 200);
            }
        }
        assert!(public >= 40, "{public} public products");
        for query in ["limit=20", "limit=7", "category=batik&limit=5", "status=draft"] {
            let want = pages(&app, &slow.base, query).await;
            assert_eq!(pages(&app, &app.base, query).await, want, "{query}");
            assert_eq!(pages(&app, &app.base, query).await, want, "{query}, from the cache");
        }
        slow.stop().await;
    }

    async fn a_change_shows_here_at_once_and_on_other_replicas_within_the_bound(app) {
        let seller = app.active_seller().await;
        let admin = app.admin().await;
        let product = app.published_product(&seller).await;
        let id = product["id"].as_str().unwrap();
        let path = format!("/v1/products/{id}");
        let other = app.replica(|_| {}).await;
        let price = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["price_idr"].clone();
        let listed = |body: &[u8]| -> Vec<String> {
            let page: Value = serde_json::from_slice(body).unwrap();
            page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
        };
        // Both replicas hold the page and the catalogue's first page.
        for base in [&app.base, &other.base] {
            let (status, _, body) = read(&app, format!("{base}{path}"), None).await;
            assert_eq!((status, price(&body)), (200, product["price_idr"].clone()));
            let (_, _, body) = read(&app, format!("{base}/v1/products?limit=20"), None).await;
            assert!(listed(&body).contains(&id.to_owned()));
        }

        // The price changes through the first replica: it shows there at once...
        let res = app.request(Method::PATCH, &path, Some(&seller.token), Some(json!({"price_idr": 199000}))).await;
        assert_eq!(res.status(), 200);
        let (_, _, body) = read(&app, app.url(&path), None).await;
        assert_eq!(price(&body), 199000);
        // ...and on the other once its copy is older than the bound (1 s).
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (_, etag, body) = read(&app, other.url(&path), None).await;
        assert_eq!(price(&body), 199000);
        assert_eq!(etag, read(&app, app.url(&path), None).await.1);

        // The seller is suspended: gone at once here, and within the bound there.
        read(&app, other.url(&path), None).await;
        let res = app.post(&format!("/v1/admin/sellers/{}/suspend", seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), 200);
        assert_eq!(read(&app, app.url(&path), None).await.0, 404);
        let (_, _, body) = read(&app, app.url("/v1/products?limit=20"), None).await;
        assert!(!listed(&body).contains(&id.to_owned()));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(read(&app, other.url(&path), None).await.0, 404);
        let (_, _, body) = read(&app, other.url("/v1/products?limit=20"), None).await;
        assert!(!listed(&body).contains(&id.to_owned()));
        // Its seller still sees it (never from the cache).
        let res = app.get(&path, Some(&seller.token)).await;
        assert_eq!(res.status(), 200);
    }
}
