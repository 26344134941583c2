//! A part's way from checkout to completion, and every wrong turn refused.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Goods, goods, order, part_of, places, step, walk};
use crate::both_backends;
use crate::support::{Account, TestApp, problem};

async fn history(app: &TestApp, who: &Account, part: &str) -> Vec<String> {
    let res = app
        .get(&format!("/v1/order-parts/{part}"), Some(&who.token))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["status"].as_str().unwrap(),
                e["by"].as_str().unwrap()
            )
        })
        .collect()
}

async fn order_of(app: &TestApp, buyer: &Account, id: &str) -> Value {
    let res = app
        .get(&format!("/v1/orders/{id}"), Some(&buyer.token))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

both_backends! {
    async fn two_sellers_one_order_from_checkout_to_received(app) {
        let daun = goods(&app, 10).await;
        let batik = goods(&app, 6).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&daun, 2), (&batik, 3)]).await;
        let number = placed["number"].as_str().unwrap();
        assert!(number.starts_with("KRY-20") && number.len() == "KRY-2026-000001".len(), "{number}");
        assert_eq!(placed["status"], "open");
        assert_eq!(placed["parts"].as_array().unwrap().len(), 2, "one part per seller");
        let items = 2 * daun.price + 3 * batik.price;
        assert_eq!((placed["items_idr"].as_i64(), placed["shipping_idr"].as_i64(), placed["total_idr"].as_i64()),
            (Some(items), Some(0), Some(items)));
        assert_eq!(order_of(&app, &buyer, placed["id"].as_str().unwrap()).await, placed,
            "the checkout answers with the order as it was stored");
        let (pd, pb) = (part_of(&placed, &daun), part_of(&placed, &batik));
        assert_eq!(places(&app, &daun).await, (8, 2, 0), "reserved at checkout");
        assert_eq!(places(&app, &batik).await, (3, 3, 0));

        let confirmed = walk(&app, &daun, &buyer, &pd, &["confirm"]).await;
        assert_eq!(confirmed["status"], "awaiting_payment");
        assert_eq!(confirmed["total_idr"].as_i64(), Some(2 * daun.price + 18_000));
        let o = order_of(&app, &buyer, placed["id"].as_str().unwrap()).await;
        assert_eq!(o["shipping_idr"], 18_000, "the order's totals follow");
        assert_eq!(o["total_idr"].as_i64(), Some(items + 18_000));

        walk(&app, &daun, &buyer, &pd, &["mark-paid"]).await;
        assert_eq!(places(&app, &daun).await, (8, 2, 0), "paid units stay reserved");
        let shipped = walk(&app, &daun, &buyer, &pd, &["ship"]).await;
        assert_eq!((shipped["courier"].as_str(), shipped["tracking_number"].as_str()), (Some("JNE REG"), Some("CGK123")));
        let done = walk(&app, &daun, &buyer, &pd, &["received"]).await;
        assert_eq!(done["status"], "completed");
        assert_eq!(places(&app, &daun).await, (8, 0, 2), "sold online");
        assert_eq!(history(&app, &daun.seller, &pd).await, [
            "awaiting_confirmation:buyer", "awaiting_payment:seller", "paid:seller", "shipped:seller", "completed:buyer",
        ]);

        let res = step(&app, &batik.seller, &pb, "cancel", json!({"reason": "Kain habis"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(places(&app, &batik).await, (6, 0, 0), "cancelled units are back");
        let o = order_of(&app, &buyer, placed["id"].as_str().unwrap()).await;
        assert_eq!(o["status"], "partly_completed");
        assert_eq!(o["items_idr"].as_i64(), Some(2 * daun.price), "cancelled parts leave the totals");
        let movements: Value = app
            .get(&format!("/v1/products/{}/stock/movements", daun.product_id), Some(&daun.seller.token))
            .await.json().await.unwrap();
        let reasons: Vec<&str> = movements["items"].as_array().unwrap().iter().map(|m| m["reason"].as_str().unwrap()).collect();
        assert_eq!(reasons, ["sale_online", "reserve", "restock"], "newest first");
        app.assert_ledger_consistent();
    }

    async fn every_wrong_transition_is_409_and_changes_nothing(app) {
        let g = goods(&app, 4).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 1)]).await;
        let part = part_of(&placed, &g);
        let seller_steps = [
            ("mark-paid", json!({"reference": "BCA"})),
            ("ship", json!({"courier": "JNE", "tracking_number": "X1"})),
        ];
        // At each status, every seller move that does not start there is 409.
        let order_of_steps = ["confirm", "mark-paid", "ship"];
        for (i, next) in order_of_steps.iter().enumerate() {
            let before = (places(&app, &g).await, history(&app, &g.seller, &part).await);
            for (action, body) in seller_steps.iter().chain([("confirm", json!({"shipping_idr": 0}))].iter()) {
                if action == next {
                    continue;
                }
                let p = problem(step(&app, &g.seller, &part, action, body.clone()).await, 409).await;
                assert!(p["detail"].as_str().unwrap().starts_with("the part is "), "{p}");
            }
            problem(step(&app, &buyer, &part, "received", json!({})).await, 409).await;
            assert_eq!((places(&app, &g).await, history(&app, &g.seller, &part).await), before, "nothing changed");
            walk(&app, &g, &buyer, &part, &order_of_steps[i..=i]).await;
        }
        // The buyer may not make the seller's moves, nor the seller the buyer's.
        problem(step(&app, &buyer, &part, "confirm", json!({"shipping_idr": 0})).await, 403).await;
        problem(step(&app, &g.seller, &part, "received", json!({})).await, 403).await;
        walk(&app, &g, &buyer, &part, &["received"]).await;
        for (action, body) in seller_steps.iter().chain([("confirm", json!({"shipping_idr": 0})), ("cancel", json!({"reason": "x"}))].iter()) {
            problem(step(&app, &g.seller, &part, action, body.clone()).await, 409).await;
        }
        problem(step(&app, &buyer, &part, "received", json!({})).await, 409).await;
        problem(step(&app, &buyer, &part, "cancel", json!({"reason": "x"})).await, 409).await;
        assert_eq!(places(&app, &g).await, (3, 0, 1));
        // Bad bodies are 422 and move nothing.
        let placed = order(&app, &buyer, &[(&g, 1)]).await;
        let part = part_of(&placed, &g);
        for body in [json!({}), json!({"shipping_idr": -1}), json!({"shipping_idr": 10_000_001})] {
            problem(step(&app, &g.seller, &part, "confirm", body).await, 422).await;
        }
        problem(step(&app, &g.seller, &part, "cancel", json!({"reason": "  "})).await, 422).await;
        assert_eq!(history(&app, &g.seller, &part).await, ["awaiting_confirmation:buyer"]);
        app.assert_ledger_consistent();
    }

    async fn each_side_cancels_while_it_may(app) {
        let g = goods(&app, 20).await;
        let buyer = app.register("buyer").await;
        // (steps before cancelling, who cancels, allowed)
        let cases: [(&[&str], &str, bool); 8] = [
            (&[], "buyer", true),
            (&["confirm"], "buyer", true),
            (&["confirm", "mark-paid"], "buyer", false),
            (&["confirm", "mark-paid", "ship"], "buyer", false),
            (&[], "seller", true),
            (&["confirm"], "seller", true),
            (&["confirm", "mark-paid"], "seller", true),
            (&["confirm", "mark-paid", "ship"], "seller", false),
        ];
        for (steps, who, allowed) in cases {
            let placed = order(&app, &buyer, &[(&g, 2)]).await;
            let part = part_of(&placed, &g);
            walk(&app, &g, &buyer, &part, steps).await;
            let before = places(&app, &g).await;
            let account = if who == "buyer" { &buyer } else { &g.seller };
            let res = step(&app, account, &part, "cancel", json!({"reason": "Tidak jadi"})).await;
            if allowed {
                assert_eq!(res.status(), StatusCode::OK, "{who} after {steps:?}");
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["status"], "cancelled");
                assert_eq!(body["cancel_reason"], "Tidak jadi");
                assert_eq!(places(&app, &g).await, (before.0 + 2, before.1 - 2, before.2), "units back");
            } else {
                problem(res, 409).await;
                assert_eq!(places(&app, &g).await, before, "{who} after {steps:?}");
            }
        }
        app.assert_ledger_consistent();
    }
}

both_backends! {
    async fn a_part_not_confirmed_in_time_expires_and_its_units_return(app) with |raw| raw.set("order_hold_hours", "0.0005"); {
        let g: Goods = goods(&app, 6).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 3)]).await;
        let part = part_of(&placed, &g);
        assert_eq!(places(&app, &g).await, (3, 3, 0));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let res = app.get(&format!("/v1/order-parts/{part}"), Some(&buyer.token)).await;
            let body: Value = res.json().await.unwrap();
            if body["status"] == "expired" {
                assert_eq!(body["history"][1]["by"], "system");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not expired: {body}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(places(&app, &g).await, (6, 0, 0));
        problem(step(&app, &g.seller, &part, "confirm", json!({"shipping_idr": 0})).await, 409).await;
        let o: Value = app.get(&format!("/v1/orders/{}", placed["id"].as_str().unwrap()), Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(o["status"], "cancelled");
        app.assert_ledger_consistent();
    }
}
