//! Endpoints: made, read, changed, deleted by their owner only; URLs on the public internet
//! only, unless the server allows private ones.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::receiver::{Answer, Receiver};
use super::{deliveries, endpoint, local, settled};
use crate::both_backends;
use crate::support::{TestApp, fields, problem};

async fn create(app: &TestApp, token: &str, url: &str) -> reqwest::Response {
    app.post(
        "/v1/webhooks",
        Some(token),
        json!({"url": url, "events": ["sale.recorded"]}),
    )
    .await
}

both_backends! {
    async fn the_owner_makes_reads_changes_rotates_and_deletes_an_endpoint(app) with local; {
        let seller = app.active_seller().await;
        let res = app
            .post("/v1/webhooks", Some(&seller.token), json!({
                "url": "http://127.0.0.1:9/hook", "events": ["order.created", "order_part.paid", "order.created"],
                "description": "Toko online"}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let made: Value = res.json().await.unwrap();
        let id = made["id"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/v1/webhooks/{id}"));
        let secret = made["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_") && secret.len() == "whsec_".len() + 44, "{secret}");
        assert_eq!(made["events"], json!(["order.created", "order_part.paid"]), "duplicates merged");
        assert_eq!(made["enabled"], true);

        let res = app.get(&format!("/v1/webhooks/{id}"), Some(&seller.token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let read: Value = res.json().await.unwrap();
        assert!(read.get("secret").is_none(), "the secret is shown only when made or rotated");
        let listed: Value = app.get("/v1/webhooks", Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert!(listed["items"][0].get("secret").is_none());

        let patch = |body: Value, if_match: Option<String>| {
            let mut req = app.client.patch(app.url(&format!("/v1/webhooks/{id}"))).bearer_auth(&seller.token).json(&body);
            if let Some(tag) = if_match {
                req = req.header("If-Match", tag);
            }
            req.send()
        };
        let res = patch(json!({"enabled": false, "description": null}), Some(etag.clone())).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let changed: Value = res.json().await.unwrap();
        assert_eq!((changed["enabled"].clone(), changed["description"].clone()), (json!(false), Value::Null));
        let res = patch(json!({"enabled": true}), Some(etag)).await.unwrap();
        problem(res, 412).await;
        let res = patch(json!({"events": []}), None).await.unwrap();
        assert_eq!(fields(&problem(res, 422).await), ["events"]);
        let res = patch(json!({"events": ["order.deleted"]}), None).await.unwrap();
        assert_eq!(fields(&problem(res, 422).await), ["events"]);
        let res = patch(json!({"events": ["webhook.test"]}), None).await.unwrap();
        assert_eq!(fields(&problem(res, 422).await), ["events"], "the test event is not subscribed to");
        let res = patch(json!({"secret": "mine"}), None).await.unwrap();
        problem(res, 422).await;

        let res = app.post(&format!("/v1/webhooks/{id}/rotate-secret"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let rotated: Value = res.json().await.unwrap();
        let new_secret = rotated["secret"].as_str().unwrap();
        assert!(new_secret.starts_with("whsec_") && new_secret != secret);

        let res = app.request(Method::DELETE, &format!("/v1/webhooks/{id}"), Some(&seller.token), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app.get(&format!("/v1/webhooks/{id}"), Some(&seller.token)).await;
        problem(res, 404).await;
    }

    async fn nobody_but_the_owner_sees_or_touches_an_endpoint(app) with local; {
        let owner = app.active_seller().await;
        let (id, _) = endpoint(&app, &owner, "http://127.0.0.1:9/hook", &["product.published"]).await;
        let other_seller = app.active_seller().await;
        let (hotel, _) = app.active_hotel().await;
        let buyer = app.register("buyer").await;
        let admin = app.admin().await;
        let delivery = "01934f6e-c000-7000-8000-000000000001";
        for who in [&other_seller, &hotel, &buyer, &admin] {
            for (method, path, body) in [
                (Method::GET, format!("/v1/webhooks/{id}"), None),
                (Method::PATCH, format!("/v1/webhooks/{id}"), Some(json!({"enabled": false}))),
                (Method::DELETE, format!("/v1/webhooks/{id}"), None),
                (Method::POST, format!("/v1/webhooks/{id}/rotate-secret"), Some(json!({}))),
                (Method::POST, format!("/v1/webhooks/{id}/test"), Some(json!({}))),
                (Method::GET, format!("/v1/webhooks/{id}/deliveries"), None),
                (Method::POST, format!("/v1/webhooks/{id}/deliveries/{delivery}/redeliver"), Some(json!({}))),
            ] {
                let res = app.request(method.clone(), &path, Some(&who.token), body.clone()).await;
                assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path} by {}", who.email);
                let res = app.request(method.clone(), &path, None, body).await;
                assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path} anonymous");
            }
        }
        let listed: Value = app.get("/v1/webhooks", Some(&other_seller.token)).await.json().await.unwrap();
        assert_eq!(listed["items"], json!([]));
        // Still there, still enabled, the same secret's endpoint.
        let res = app.get(&format!("/v1/webhooks/{id}"), Some(&owner.token)).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["enabled"], true);
        // Buyers have no webhooks; anonymous callers nothing at all.
        problem(create(&app, &buyer.token, "http://127.0.0.1:9/hook").await, 403).await;
        problem(app.get("/v1/webhooks", Some(&buyer.token)).await, 403).await;
        problem(app.post("/v1/webhooks", None, json!({"url": "http://127.0.0.1:9/", "events": ["sale.recorded"]})).await, 401).await;
        // A hotel and an admin have endpoints of their own.
        assert_eq!(create(&app, &hotel.token, "http://127.0.0.1:9/hook").await.status(), StatusCode::CREATED);
        assert_eq!(create(&app, &admin.token, "http://127.0.0.1:9/hook").await.status(), StatusCode::CREATED);
    }

    async fn without_the_flag_only_https_to_public_addresses_is_accepted(app) with |_| {}; {
        let seller = app.active_seller().await;
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://[::1]:9000/hook",
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1/hook",
            "https://[::1]/hook",
            "https://10.0.0.1/hook",
            "https://192.168.1.20/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:127.0.0.1]/hook",
            "https://2130706433/hook",
            // A name that resolves to 127.0.0.1.
            "https://localhost/hook",
            "ftp://files.example.com/",
            "not a url",
        ] {
            let res = create(&app, &seller.token, url).await;
            let p = problem(res, 422).await;
            assert_eq!(fields(&p), ["url"], "{url}: {p}");
        }
        let listed: Value = app.get("/v1/webhooks", Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(listed["items"], json!([]), "nothing stored");
        let res = app.post("/v1/webhooks", Some(&seller.token), json!({"events": ["sale.recorded"]})).await;
        assert_eq!(fields(&problem(res, 422).await), ["url"]);
    }

    async fn an_account_keeps_at_most_twenty_endpoints(app) with local; {
        let hotel = app.active_hotel().await.0;
        for _ in 0..20 {
            assert_eq!(create(&app, &hotel.token, "http://127.0.0.1:9/hook").await.status(), StatusCode::CREATED);
        }
        problem(create(&app, &hotel.token, "http://127.0.0.1:9/hook").await, 409).await;
        let page: Value = app.get("/v1/webhooks?limit=15", Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 15);
        let cursor = page["next_cursor"].as_str().unwrap();
        let rest: Value = app.get(&format!("/v1/webhooks?limit=15&cursor={cursor}"), Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!(rest["items"].as_array().unwrap().len(), 5);
        assert_eq!(rest["next_cursor"], Value::Null);
    }
}

/// Three manual sends a minute per endpoint.
fn three_a_minute(config: &mut kriya::config::RawConfig) {
    local(config);
    config.set("webhook_send_rate_limit_per_minute", "3");
}

/// Test events addressed to the endpoint, and its deliveries, counted in the database.
fn queued(app: &TestApp, id: &str) -> (i64, i64) {
    use diesel::prelude::*;
    use kriya::db::portable::DbId;
    use kriya::db::schema::{webhook_deliveries as d, webhook_events as e};
    let id = DbId(id.parse().unwrap());
    app.db(move |c| {
        let events = e::table
            .filter(e::endpoint_id.eq(id))
            .count()
            .get_result::<i64>(c)?;
        let deliveries = d::table
            .filter(d::endpoint_id.eq(id))
            .count()
            .get_result::<i64>(c)?;
        Ok((events, deliveries))
    })
}

both_backends! {
    async fn test_events_and_redeliveries_are_rate_limited_per_endpoint(app) with three_a_minute; {
        let owner = app.active_seller().await;
        let r = Receiver::start(Answer::Status(200)).await;
        let (id, _) = endpoint(&app, &owner, &r.url, &["product.published"]).await;
        let (other_id, _) = endpoint(&app, &owner, &r.url, &["product.published"]).await;
        let test = |id: String| {
            let (app, token) = (&app, owner.token.clone());
            async move { app.post(&format!("/v1/webhooks/{id}/test"), Some(&token), json!({})).await }
        };
        for _ in 0..3 {
            assert_eq!(test(id.clone()).await.status(), StatusCode::ACCEPTED);
        }
        let log = settled(&app, &owner, &id, 3).await;
        assert_eq!(queued(&app, &id), (3, 3));

        // The fourth within the minute is refused, with when to come back; nothing is queued.
        let res = test(id.clone()).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "Retry-After: {wait}");
        problem(res, 429).await;
        // A redelivery sends to the same endpoint: refused too, the delivery left as it was.
        let did = log[0]["id"].as_str().unwrap();
        let res = app.post(&format!("/v1/webhooks/{id}/deliveries/{did}/redeliver"), Some(&owner.token), json!({})).await;
        assert!(res.headers().contains_key("retry-after"));
        problem(res, 429).await;
        assert_eq!(queued(&app, &id), (3, 3));
        let after = deliveries(&app, &owner, &id).await;
        assert_eq!(after, log, "no attempt added, nothing due");
        assert_eq!(r.received().len(), 3);

        // Someone else's endpoint is still not found, a delivery that is not there neither;
        // the owner's other endpoint has its own allowance.
        let stranger = app.active_seller().await;
        let res = app.post(&format!("/v1/webhooks/{id}/test"), Some(&stranger.token), json!({})).await;
        problem(res, 404).await;
        let res = app.post(&format!("/v1/webhooks/{id}/deliveries/{}/redeliver", uuid::Uuid::now_v7()), Some(&owner.token), json!({})).await;
        problem(res, 404).await;
        assert_eq!(test(other_id.clone()).await.status(), StatusCode::ACCEPTED);
        assert_eq!(queued(&app, &id), (3, 3));
    }
}
