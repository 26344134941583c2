//! What a checkout accepts, refuses and replays, and what search shows of own stock.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{goods, order, part_of, place, places, shipping, step};
use crate::both_backends;
use crate::support::{TestApp, fields, problem};

fn reserved_total(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use kriya::db::schema::stock_balances::dsl::*;
    app.db(|c| {
        stock_balances
            .filter(kind.eq("reserved"))
            .select(quantity)
            .load::<i64>(c)
    })
    .iter()
    .sum()
}

both_backends! {
    async fn a_short_line_fails_the_whole_checkout_naming_each(app) {
        let a = goods(&app, 5).await;
        let b = goods(&app, 2).await;
        let c = goods(&app, 0).await;
        let buyer = app.register("buyer").await;
        let res = place(&app, &buyer, json!([
            {"variant_id": a.variant_id, "quantity": 5},
            {"variant_id": b.variant_id, "quantity": 3},
            {"variant_id": c.variant_id, "quantity": 1},
        ]), None).await;
        let p = problem(res, 409).await;
        let errors: Vec<(String, String)> = p["errors"].as_array().unwrap().iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["message"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(errors, [
            ("items[1].quantity".to_owned(), "only 2 available".to_owned()),
            ("items[2].quantity".to_owned(), "only 0 available".to_owned()),
        ]);
        assert_eq!(places(&app, &a).await, (5, 0, 0), "nothing reserved, not even the line that fit");
        assert_eq!(reserved_total(&app), 0);
        let listed: Value = app.get("/v1/orders", Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 0, "no order written");
        app.assert_ledger_consistent();
    }

    async fn bad_checkouts_are_named_and_write_nothing(app) {
        let g = goods(&app, 500).await;
        let buyer = app.register("buyer").await;
        let line = |q: i64| json!({"variant_id": g.variant_id, "quantity": q});
        let many: Vec<Value> = (0..51).map(|_| line(1)).collect();
        let p = problem(place(&app, &buyer, json!(many), None).await, 422).await;
        assert_eq!(fields(&p), ["items"]);
        let p = problem(place(&app, &buyer, json!([line(0)]), None).await, 422).await;
        assert_eq!(fields(&p), ["items[0].quantity"]);
        let p = problem(place(&app, &buyer, json!([line(101)]), None).await, 422).await;
        assert_eq!(fields(&p), ["items[0].quantity"]);
        let p = problem(place(&app, &buyer, json!([line(1), line(2)]), None).await, 422).await;
        assert_eq!(fields(&p), ["items[1].variant_id"], "a variant on one line only");
        let p = problem(place(&app, &buyer, json!([]), None).await, 422).await;
        assert_eq!(fields(&p), ["items"]);
        // Not on sale: a draft, a stranger's id, a suspended seller's product.
        let draft = app.create_product(&g.seller, json!({})).await;
        let draft_variant = draft["variants"][0]["id"].as_str().unwrap();
        let suspended = goods(&app, 5).await;
        let admin = app.admin().await;
        let res = app.post(&format!("/v1/admin/sellers/{}/suspend", suspended.seller.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let p = problem(place(&app, &buyer, json!([
            line(1),
            {"variant_id": draft_variant, "quantity": 1},
            {"variant_id": uuid::Uuid::now_v7(), "quantity": 1},
            {"variant_id": suspended.variant_id, "quantity": 1},
        ]), None).await, 422).await;
        assert_eq!(fields(&p), ["items[1].variant_id", "items[2].variant_id", "items[3].variant_id"]);
        // The address.
        let body = |shipping: Value| json!({"items": [line(1)], "shipping": shipping});
        let post = |b: Value| {
            let req = app.client.post(app.url("/v1/orders")).bearer_auth(&buyer.token)
                .header("Idempotency-Key", uuid::Uuid::now_v7().to_string()).json(&b);
            async move { req.send().await.unwrap() }
        };
        let mut bad = shipping();
        bad["phone"] = json!("12345");
        bad["postal_code"] = json!("651");
        bad["recipient"] = json!("");
        bad["kecamatan"] = json!("Menteng");
        let p = problem(post(body(bad)).await, 422).await;
        assert_eq!(fields(&p), ["shipping.recipient", "shipping.phone", "shipping.postal_code", "shipping.kecamatan"]);
        let p = problem(post(json!({"items": [line(1)]})).await, 422).await;
        assert_eq!(fields(&p), ["shipping"]);
        problem(post(json!({"items": [line(1)], "shipping": shipping(), "coupon": "GRATIS"})).await, 422).await;
        // Who may check out.
        problem(place(&app, &g.seller, json!([line(1)]), None).await, 403).await;
        let (hotel, _) = app.active_hotel().await;
        problem(place(&app, &hotel, json!([line(1)]), None).await, 403).await;
        let res = app.client.post(app.url("/v1/orders")).header("Idempotency-Key", "k1")
            .json(&body(shipping())).send().await.unwrap();
        problem(res, 401).await;
        assert_eq!(places(&app, &g).await, (500, 0, 0));
        assert_eq!(reserved_total(&app), 0);
    }

    async fn a_replayed_checkout_orders_once(app) {
        let g = goods(&app, 10).await;
        let buyer = app.register("buyer").await;
        let items = json!([{"variant_id": g.variant_id, "quantity": 2}]);
        let first = place(&app, &buyer, items.clone(), Some("checkout-1")).await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let first: Value = first.json().await.unwrap();
        let again = place(&app, &buyer, items.clone(), Some("checkout-1")).await;
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(again, first, "the same order, the same number");
        assert_eq!(places(&app, &g).await, (8, 2, 0), "reserved once");
        let other = json!([{"variant_id": g.variant_id, "quantity": 3}]);
        problem(place(&app, &buyer, other, Some("checkout-1")).await, 409).await;
        // Another buyer's same key is its own.
        let someone = app.register("buyer").await;
        let res = place(&app, &someone, items, Some("checkout-1")).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert!(res.headers().get("idempotent-replayed").is_none());
        // Without a key: refused, nothing reserved.
        let res = app.client.post(app.url("/v1/orders")).bearer_auth(&buyer.token)
            .json(&json!({"items": [{"variant_id": g.variant_id, "quantity": 1}], "shipping": shipping()}))
            .send().await.unwrap();
        let p = problem(res, 400).await;
        assert!(p["detail"].as_str().unwrap().contains("Idempotency-Key"));
        assert_eq!(places(&app, &g).await, (6, 4, 0));
        let listed: Value = app.get("/v1/orders", Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    }

    async fn order_numbers_count_up_per_year(app) {
        let g = goods(&app, 10).await;
        let buyer = app.register("buyer").await;
        let mut numbers = Vec::new();
        for _ in 0..3 {
            numbers.push(order(&app, &buyer, &[(&g, 1)]).await["number"].as_str().unwrap().to_owned());
        }
        let year = kriya::domain::order::number_year(chrono::Utc::now());
        assert_eq!(numbers, [1, 2, 3].map(|n| format!("KRY-{year}-{n:06}")));
        // A refused checkout takes no number.
        let short = json!([{"variant_id": g.variant_id, "quantity": 99}]);
        problem(place(&app, &buyer, short, None).await, 409).await;
        assert_eq!(order(&app, &buyer, &[(&g, 1)]).await["number"], format!("KRY-{year}-000004"));
        // Newest first, a page at a time.
        let page: Value = app.get("/v1/orders?limit=3", Some(&buyer.token)).await.json().await.unwrap();
        let listed: Vec<&str> = page["items"].as_array().unwrap().iter().map(|o| o["number"].as_str().unwrap()).collect();
        assert_eq!(listed, [4, 3, 2].map(|n| format!("KRY-{year}-{n:06}")));
        let cursor = page["next_cursor"].as_str().unwrap();
        let rest: Value = app.get(&format!("/v1/orders?limit=3&cursor={cursor}"), Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(rest["items"][0]["number"], format!("KRY-{year}-000001"));
        assert!(rest["next_cursor"].is_null());

        if let kriya::db::DbConn::Pg(c) = &mut *app.conn() {
            // Back to the counter table and forward to the year's sequence: numbering
            // carries on.
            use diesel_migrations::MigrationHarness;
            // Back through the later migrations to 000013's, then forward again.
            while !c.revert_last_migration(kriya::db::connection::PG_MIGRATIONS).unwrap().to_string().ends_with("000013") {}
            c.run_pending_migrations(kriya::db::connection::PG_MIGRATIONS).unwrap();
        }
        assert_eq!(order(&app, &buyer, &[(&g, 1)]).await["number"], format!("KRY-{year}-000005"));
    }

    async fn search_knows_what_can_be_ordered_now(app) {
        let g = goods(&app, 0).await;
        app.search_until("q=", |r| r["total"] == 1).await;
        assert_eq!(app.search("q=&in_stock=true").await["total"], 0, "no own stock");
        app.restock(&g.seller, &g.product_id, &g.variant_id, 1).await;
        app.search_until("q=&in_stock=true", |r| r["total"] == 1).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 1)]).await;
        app.search_until("q=&in_stock=true", |r| r["total"] == 0).await;
        let hit = app.search_until("q=&in_stock=false", |r| r["total"] == 1).await;
        assert_eq!(hit["hits"][0]["in_stock"], false);
        let part = part_of(&placed, &g);
        let res = step(&app, &buyer, &part, "cancel", json!({"reason": "salah ukuran"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        app.search_until("q=&in_stock=true", |r| r["total"] == 1).await;
        problem(app.get("/v1/search?in_stock=yes", None).await, 422).await;
    }
}
