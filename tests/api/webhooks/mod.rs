//! Webhooks over HTTP, on both databases, delivered to real receivers on loopback: endpoints
//! and who may touch them, the URL guard, signatures checked by a verifier of the tests' own
//! (itself checked against the specification's example), retries, disabling, slow
//! receivers, restarts and rotation.

mod delivery;
mod endpoints;
mod faults;
mod receiver;

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use kriya::config::RawConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::support::{Account, TestApp};

/// Receivers on loopback over plain HTTP, and retries a second apart.
pub fn local(config: &mut RawConfig) {
    config.set("webhook_allow_private", "true");
    config.set("webhook_retry_schedule", "1,1,1");
}

/// `POST /v1/webhooks` (201 asserted): the endpoint's id and secret.
pub async fn endpoint(
    app: &TestApp,
    owner: &Account,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let res = app
        .post(
            "/v1/webhooks",
            Some(&owner.token),
            json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "create webhook");
    let body: Value = res.json().await.unwrap();
    (
        body["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

/// The endpoint's deliveries (200 asserted), newest first.
pub async fn deliveries(app: &TestApp, owner: &Account, id: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/v1/webhooks/{id}/deliveries"), Some(&owner.token))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// Waits until every delivery of the endpoint is settled (not pending) and there is at least
/// `n` of them; returns them.
pub async fn settled(app: &TestApp, owner: &Account, id: &str, n: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let items = deliveries(app, owner, id).await;
        if items.len() >= n && items.iter().all(|d| d["status"] != "pending") {
            return items;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "deliveries not settled: {items:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The tests' own Standard Webhooks verifier (not Kriya's code): any `v1` signature of the
/// header matches HMAC-SHA256 of `{id}.{timestamp}.{body}` under the secret's bytes.
pub fn verifies(secret: &str, id: &str, timestamp: &str, body: &str, header: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .expect("a base64 secret");
    header.split(' ').any(|sig| {
        let Some(encoded) = sig.strip_prefix("v1,") else {
            return false;
        };
        let Ok(tag) = STANDARD.decode(encoded) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        mac.verify_slice(&tag).is_ok()
    })
}

/// The verifier above reproduces the specification's own example.
#[test]
fn the_tests_verifier_accepts_the_specifications_example() {
    let vector: Value =
        serde_json::from_slice(&crate::support::fixture("standard-webhooks-vector.json")).unwrap();
    let s = |k: &str| vector[k].as_str().unwrap().to_owned();
    let ts = vector["timestamp"].as_i64().unwrap().to_string();
    assert!(verifies(
        &s("secret"),
        &s("msg_id"),
        &ts,
        &s("payload"),
        &s("signature")
    ));
    assert!(!verifies(
        &s("secret"),
        &s("msg_id"),
        &ts,
        "{\"test\": 1}",
        &s("signature")
    ));
    assert!(!verifies(
        &s("secret"),
        "msg_other",
        &ts,
        &s("payload"),
        &s("signature")
    ));
    // Kriya's signing gives the same bytes.
    let key = kriya::webhooks::signing::key_of(&s("secret")).unwrap();
    let ours = kriya::webhooks::signing::sign(
        &key,
        &s("msg_id"),
        vector["timestamp"].as_i64().unwrap(),
        s("payload").as_bytes(),
    );
    assert_eq!(ours, s("signature"));
}
