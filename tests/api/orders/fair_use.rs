//! Fair use: what one buyer may hold at once (units of a variant, parts awaiting
//! confirmation), how often an account may check out, a shorter hold before the seller
//! confirms than before payment, and a seller declining a part at once.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Goods, goods, order, part_of, place, places, shipping, step, walk};
use crate::both_backends;
use crate::support::{Account, TestApp, fields, problem};

/// `POST /v1/orders` with a raw body (the JSON need not be valid).
async fn place_raw(app: &TestApp, buyer: &Account, key: &str, body: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/orders"))
        .bearer_auth(&buyer.token)
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

fn line(g: &Goods, quantity: i64) -> Value {
    json!({"variant_id": g.variant_id, "quantity": quantity})
}

/// The `(field, message)` pairs of a problem.
fn errors(p: &Value) -> Vec<(String, String)> {
    p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn part_json(app: &TestApp, who: &Account, part: &str) -> Value {
    let res = app
        .get(&format!("/v1/order-parts/{part}"), Some(&who.token))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Webhook events of `kind` written about `part`.
fn events_about(app: &TestApp, kind: &str, part: &str) -> Vec<Value> {
    use diesel::prelude::*;
    use kriya::db::schema::webhook_events::dsl;
    let kind = kind.to_owned();
    let bodies: Vec<String> = app.db(move |c| {
        dsl::webhook_events
            .filter(dsl::kind.eq(kind))
            .select(dsl::body)
            .load(c)
    });
    bodies
        .into_iter()
        .map(|b| serde_json::from_str::<Value>(&b).unwrap())
        .filter(|b| b.to_string().contains(part))
        .collect()
}

both_backends! {
    async fn a_buyer_holds_at_most_twenty_units_of_a_variant_until_it_pays(app) {
        // The defaults: 20 units of one variant awaiting confirmation or payment.
        let g = goods(&app, 100).await;
        let other = goods(&app, 100).await;
        let buyer = app.register("buyer").await;
        let first = part_of(&order(&app, &buyer, &[(&g, 15)]).await, &g);
        let p = problem(place(&app, &buyer, json!([line(&other, 2), line(&g, 6)]), None).await, 409).await;
        assert_eq!(p["type"], "urn:kriya:problem:order-limit", "{p}");
        assert_eq!(errors(&p), [(
            "items[1].quantity".to_owned(),
            "at most 20 units of one variant may wait for confirmation or payment per buyer (you hold 15)".to_owned(),
        )]);
        assert_eq!(places(&app, &g).await, (85, 15, 0), "nothing reserved");
        assert_eq!(places(&app, &other).await, (100, 0, 0), "not even the line under the cap");
        // One line alone over the cap.
        let p = problem(place(&app, &buyer, json!([line(&other, 21)]), None).await, 409).await;
        assert_eq!(fields(&p), ["items[0].quantity"]);
        // Up to the cap, and another buyer is not affected.
        order(&app, &buyer, &[(&g, 5)]).await;
        order(&app, &app.register("buyer").await, &[(&g, 20)]).await;
        // Confirmed but unpaid still counts; paid does not.
        walk(&app, &g, &buyer, &first, &["confirm"]).await;
        problem(place(&app, &buyer, json!([line(&g, 1)]), None).await, 409).await;
        walk(&app, &g, &buyer, &first, &["mark-paid"]).await;
        order(&app, &buyer, &[(&g, 15)]).await;
        problem(place(&app, &buyer, json!([line(&g, 1)]), None).await, 409).await;
        app.assert_ledger_consistent();
    }

    async fn no_buyer_holds_most_of_a_variant_but_anyone_may_buy_the_last_piece(app) {
        // The default: at most half of a variant's units (own stock and reserved), at least one.
        let g = goods(&app, 10).await;
        let buyer = app.register("buyer").await;
        let p = problem(place(&app, &buyer, json!([line(&g, 6)]), None).await, 409).await;
        assert_eq!(p["type"], "urn:kriya:problem:order-limit", "{p}");
        assert_eq!(errors(&p), [(
            "items[0].quantity".to_owned(),
            "one buyer may hold at most 50% of a variant's units in orders awaiting confirmation or payment: 5 of 10 (you hold 0)".to_owned(),
        )]);
        assert_eq!(places(&app, &g).await, (10, 0, 0), "nothing reserved");
        order(&app, &buyer, &[(&g, 5)]).await;
        let p = problem(place(&app, &buyer, json!([line(&g, 1)]), None).await, 409).await;
        assert!(errors(&p)[0].1.ends_with("5 of 10 (you hold 5)"), "{p}");
        // Others buy the rest, down to the last unit: what is reserved still counts as stock.
        order(&app, &app.register("buyer").await, &[(&g, 4)]).await;
        order(&app, &app.register("buyer").await, &[(&g, 1)]).await;
        assert_eq!(places(&app, &g).await, (0, 10, 0));
        // A one-off: its one piece can be bought; of two, one.
        let one = goods(&app, 1).await;
        order(&app, &buyer, &[(&one, 1)]).await;
        let two = goods(&app, 2).await;
        problem(place(&app, &buyer, json!([line(&two, 2)]), None).await, 409).await;
        order(&app, &buyer, &[(&two, 1)]).await;
        app.assert_ledger_consistent();
    }

    async fn a_buyer_has_at_most_ten_parts_awaiting_confirmation(app) {
        let mut sellers = Vec::new();
        for _ in 0..11 {
            sellers.push(goods(&app, 5).await);
        }
        let buyer = app.register("buyer").await;
        // Nine parts from nine sellers, in three orders.
        let mut parts = Vec::new();
        for trio in sellers[..9].chunks(3) {
            let placed = order(&app, &buyer, &[(&trio[0], 1), (&trio[1], 1), (&trio[2], 1)]).await;
            parts.extend(trio.iter().map(|g| part_of(&placed, g)));
        }
        // Two more parts would be eleven.
        let p = problem(place(&app, &buyer, json!([line(&sellers[9], 1), line(&sellers[10], 1)]), None).await, 409).await;
        assert_eq!(p["type"], "urn:kriya:problem:order-limit", "{p}");
        assert_eq!(errors(&p), [(
            "items".to_owned(),
            "at most 10 parts may await their sellers' confirmation per buyer (you have 9; this order adds 2)".to_owned(),
        )]);
        assert_eq!(places(&app, &sellers[9]).await, (5, 0, 0));
        // One confirmed, one declined: room for two.
        walk(&app, &sellers[0], &buyer, &parts[0], &["confirm"]).await;
        let res = step(&app, &sellers[1].seller, &parts[1], "decline", json!({"reason": "Stok untuk pameran"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let placed = order(&app, &buyer, &[(&sellers[9], 1), (&sellers[10], 1)]).await;
        assert_eq!(placed["parts"].as_array().unwrap().len(), 2);
        order(&app, &buyer, &[(&sellers[1], 1)]).await;
        let p = problem(place(&app, &buyer, json!([line(&sellers[2], 1)]), None).await, 409).await;
        assert_eq!(fields(&p), ["items"], "ten are waiting");
        app.assert_ledger_consistent();
    }

    async fn a_seller_declines_a_part_at_once_and_its_units_return(app) {
        let g = goods(&app, 40).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 20)]).await;
        let part = part_of(&placed, &g);
        assert_eq!(places(&app, &g).await, (20, 20, 0));
        // Nobody else gets as far as the body: a body that is not even JSON.
        let other_seller = goods(&app, 1).await.seller;
        let raw = |who: Option<&Account>| {
            let mut req = app.client
                .post(app.url(&format!("/v1/order-parts/{part}/decline")))
                .header("Content-Type", "application/json")
                .body("{not json");
            if let Some(who) = who {
                req = req.bearer_auth(&who.token);
            }
            req.send()
        };
        problem(raw(None).await.unwrap(), 401).await;
        problem(raw(Some(&other_seller)).await.unwrap(), 404).await;
        problem(raw(Some(&app.register("buyer").await)).await.unwrap(), 404).await;
        problem(raw(Some(&buyer)).await.unwrap(), 403).await;
        let unknown = format!("/v1/order-parts/{}/decline", Uuid::now_v7());
        problem(app.post(&unknown, Some(&g.seller.token), json!({"reason": "x"})).await, 404).await;
        // The seller: a reason is required.
        let p = problem(step(&app, &g.seller, &part, "decline", json!({})).await, 422).await;
        assert_eq!(fields(&p), ["reason"]);
        problem(step(&app, &g.seller, &part, "decline", json!({"reason": " "})).await, 422).await;
        assert_eq!(places(&app, &g).await, (20, 20, 0), "nothing moved");

        let res = step(&app, &g.seller, &part, "decline", json!({"reason": "Stok untuk pameran"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "cancelled");
        assert_eq!(body["cancel_reason"], "Stok untuk pameran");
        let last = body["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((&last["status"], &last["by"], &last["declined"], &last["note"]),
            (&json!("cancelled"), &json!("seller"), &json!(true), &json!("Stok untuk pameran")));
        assert!(body["history"][0].get("declined").is_none(), "only a decline is marked: {body}");
        assert_eq!(places(&app, &g).await, (40, 0, 0), "units back at once");
        let events = events_about(&app, "order_part.cancelled", &part);
        assert_eq!(events.len(), 1, "one webhook event");
        assert_eq!(events[0]["data"]["history"].as_array().unwrap().last().unwrap()["declined"], true);
        let o: Value = app.get(&format!("/v1/orders/{}", placed["id"].as_str().unwrap()), Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(o["status"], "cancelled");

        // Only while it awaits confirmation: once confirmed, the seller cancels instead.
        let confirmed = part_of(&order(&app, &buyer, &[(&g, 1)]).await, &g);
        walk(&app, &g, &buyer, &confirmed, &["confirm"]).await;
        let p = problem(step(&app, &g.seller, &confirmed, "decline", json!({"reason": "x"})).await, 409).await;
        assert!(p["detail"].as_str().unwrap().starts_with("the part is awaiting_payment"), "{p}");
        problem(step(&app, &g.seller, &part, "decline", json!({"reason": "x"})).await, 409).await;
        assert_eq!(places(&app, &g).await, (39, 1, 0));
        app.assert_ledger_consistent();
    }
}

both_backends! {
    async fn one_buyer_racing_itself_never_passes_the_unit_cap(app) with |raw| {
        raw.set("checkout_rate_limit_per_minute", "1000");
        raw.set("order_max_units_per_variant", "20");
    }; {
        let g = goods(&app, 100).await;
        let buyer = app.register("buyer").await;
        let answers = futures_util::future::join_all(
            (0..8).map(|_| place(&app, &buyer, json!([line(&g, 5)]), None)),
        )
        .await;
        let mut won = 0;
        for res in answers {
            match res.status() {
                StatusCode::CREATED => won += 1,
                StatusCode::CONFLICT => {
                    let p: Value = res.json().await.unwrap();
                    assert_eq!(p["type"], "urn:kriya:problem:order-limit", "{p}");
                }
                other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
            }
        }
        assert_eq!(won, 4, "20 units in parts of 5");
        assert_eq!(places(&app, &g).await, (80, 20, 0));
        app.assert_ledger_consistent();
    }

    async fn checkouts_are_limited_per_account_before_the_body_is_read(app) with |raw| {
        raw.set("checkout_rate_limit_per_minute", "3");
    }; {
        let g = goods(&app, 50).await;
        let buyer = app.register("buyer").await;
        let first_key = Uuid::now_v7().to_string();
        let body = json!({"items": [line(&g, 1)], "shipping": shipping()}).to_string();
        assert_eq!(place_raw(&app, &buyer, &first_key, &body).await.status(), StatusCode::CREATED);
        // A checkout refused for its fields counts as well.
        let p = problem(place(&app, &buyer, json!([line(&g, 0)]), None).await, 422).await;
        assert_eq!(fields(&p), ["items[0].quantity"]);
        order(&app, &buyer, &[(&g, 1)]).await;
        let res = place(&app, &buyer, json!([line(&g, 1)]), None).await;
        let retry: u64 = res.headers().get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "Retry-After: {retry}");
        let p = problem(res, 429).await;
        assert_eq!(p["type"], "urn:kriya:problem:rate-limited");
        // Refused before the body is read: a body that is not JSON is still a 429.
        problem(place_raw(&app, &buyer, &Uuid::now_v7().to_string(), "{not json").await, 429).await;
        // A replay of a key already used is not refused: it answers what it answered.
        let replay = place_raw(&app, &buyer, &first_key, &body).await;
        assert_eq!(replay.status(), StatusCode::CREATED);
        assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
        // Per account: another buyer checks out; a seller is refused as a seller.
        order(&app, &app.register("buyer").await, &[(&g, 1)]).await;
        problem(place_raw(&app, &g.seller, &Uuid::now_v7().to_string(), "{not json").await, 403).await;
        assert_eq!(places(&app, &g).await, (47, 3, 0));
        app.assert_ledger_consistent();
    }

    async fn a_part_waits_less_for_its_seller_than_for_payment(app) with |raw| {
        raw.set("order_confirm_hold_hours", "0.0005");
        raw.set("order_payment_hold_hours", "48");
    }; {
        let g = goods(&app, 10).await;
        let buyer = app.register("buyer").await;
        let confirmed = part_of(&order(&app, &buyer, &[(&g, 2)]).await, &g);
        walk(&app, &g, &buyer, &confirmed, &["confirm"]).await;
        let waiting = part_of(&order(&app, &buyer, &[(&g, 3)]).await, &g);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let body = part_json(&app, &buyer, &waiting).await;
            if body["status"] == "expired" {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not expired: {body}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // The sweep that expired it also looked at the confirmed part, held for 48 hours.
        assert_eq!(part_json(&app, &buyer, &confirmed).await["status"], "awaiting_payment");
        assert_eq!(places(&app, &g).await, (8, 2, 0));
        app.assert_ledger_consistent();
    }
}
