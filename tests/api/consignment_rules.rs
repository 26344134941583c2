//! Idempotent replays, closed months, and the rules around agreements, counts and returns.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, TestApp, problem};

/// A seller, an active hotel, an agreement and `on_shelf` units of one variant on the shelf.
pub struct Shelf {
    pub seller: Account,
    pub hotel: Account,
    pub hotel_id: String,
    pub agreement: String,
    pub product_id: String,
    pub variant_id: String,
}

pub async fn stocked_shelf(app: &TestApp, on_shelf: i64) -> Shelf {
    stocked_shelf_with(app, on_shelf, json!({})).await
}

/// The units are consigned at 50 000 rupiah each; 5 more stay in the seller's own stock.
/// `product` overrides fields of the product created.
pub async fn stocked_shelf_with(app: &TestApp, on_shelf: i64, product: Value) -> Shelf {
    let seller = app.active_seller().await;
    let (hotel, hotel_id) = app.active_hotel().await;
    let product = app.create_product(&seller, product).await;
    let product_id = product["id"].as_str().unwrap().to_owned();
    let variant_id = product["variants"][0]["id"].as_str().unwrap().to_owned();
    let agreement = app.agreement(&seller, &hotel, &hotel_id, 1000, 30).await;
    app.restock(&seller, &product_id, &variant_id, on_shelf + 5)
        .await;
    let c = app
        .dispatch(&seller, &agreement, &variant_id, on_shelf, 50_000)
        .await;
    let res = app
        .post(
            &format!("/v1/consignments/{}/receive", c["id"].as_str().unwrap()),
            Some(&hotel.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    Shelf {
        seller,
        hotel,
        hotel_id,
        agreement,
        product_id,
        variant_id,
    }
}

/// Units sold at hotels, from the sale lines.
pub fn sold(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use kriya::db::schema::hotel_sale_lines::dsl::*;
    app.db(|c| {
        hotel_sale_lines
            .select(diesel::dsl::sum(quantity))
            .first::<Option<i64>>(c)
    })
    .unwrap_or(0)
}

both_backends! {
    async fn a_sale_with_the_same_key_is_recorded_once(app) {
        let s = stocked_shelf(&app, 5).await;
        let url = app.url(&format!("/v1/hotels/{}/sales", s.hotel_id));
        let body = json!({"items": [{"variant_id": s.variant_id, "quantity": 2, "unit_price_idr": 60000}]});
        let send = |body: Value| app.client.post(&url).bearer_auth(&s.hotel.token).header("idempotency-key", "pos-7-0001").json(&body).send();
        let first = send(body.clone()).await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: Value = first.json().await.unwrap();
        let again = send(body.clone()).await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.json::<Value>().await.unwrap(), first, "the first result again");
        assert_eq!(sold(&app), 2, "sold once");
        let other = json!({"items": [{"variant_id": s.variant_id, "quantity": 1, "unit_price_idr": 60000}]});
        problem(send(other).await.unwrap(), 409).await;
        assert_eq!(sold(&app), 2);
        // The same key from another account is its own key.
        let res = app.client.post(&url).bearer_auth(&s.hotel.token).header("idempotency-key", "pos-7-0002").json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(sold(&app), 4);
        let res = app.client.post(&url).bearer_auth(&s.hotel.token).header("idempotency-key", "bad key with spaces").json(&body).send().await.unwrap();
        problem(res, 400).await;
        app.assert_ledger_consistent();
    }

    async fn racing_requests_with_one_key_sell_once(app) {
        let s = stocked_shelf(&app, 10).await;
        let url = app.url(&format!("/v1/hotels/{}/sales", s.hotel_id));
        let body = json!({"items": [{"variant_id": s.variant_id, "quantity": 3, "unit_price_idr": 60000}]});
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (client, url, token, body) = (app.client.clone(), url.clone(), s.hotel.token.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let res = client.post(url).bearer_auth(token).header("idempotency-key", "same-key").json(&body).send().await.unwrap();
                (res.status().as_u16(), res.headers().get("idempotent-replayed").is_some())
            }));
        }
        let mut fresh = 0;
        for t in tasks {
            let (status, replayed) = t.await.unwrap();
            assert_eq!(status, 201);
            fresh += usize::from(!replayed);
        }
        assert_eq!(fresh, 1, "one request did the work, the others replayed it");
        assert_eq!(sold(&app), 3);
        app.assert_ledger_consistent();
    }

    async fn a_closed_month_refuses_sales_dated_in_it(app) {
        let s = stocked_shelf(&app, 6).await;
        // The goods arrived two months ago (receipts are recorded as they happen, so the
        // test moves the lots' receipt back): last month's sales are then possible.
        app.db(|c| {
            use diesel::prelude::*;
            use kriya::db::schema::shelf_lots::dsl::*;
            let at = kriya::db::portable::DbTime(Utc::now() - Duration::days(65));
            diesel::update(shelf_lots).set(received_at.eq(at)).execute(c)
        });
        let sales = format!("/v1/hotels/{}/sales", s.hotel_id);
        let last_month = Utc::now() - Duration::days(40);
        let period = kriya::domain::consignment::Period::containing(last_month).to_string();
        let line = json!([{"variant_id": s.variant_id, "quantity": 1, "unit_price_idr": 70000}]);
        let res = app.post(&sales, Some(&s.hotel.token), json!({"items": line, "sold_at": last_month})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let statement = format!("/v1/consignment-agreements/{}/statements/{period}", s.agreement);
        problem(app.post(&format!("{statement}/paid"), Some(&s.seller.token), json!({})).await, 409).await;
        let res = app.post(&format!("{statement}/close"), Some(&s.seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let closed: Value = res.json().await.unwrap();
        assert_eq!((closed["status"].as_str(), closed["gross_idr"].as_i64()), (Some("closed"), Some(70_000)));
        assert_eq!(closed["commission_idr"], 7_000);
        problem(app.post(&format!("{statement}/close"), Some(&s.seller.token), json!({})).await, 409).await;

        let res = app.post(&sales, Some(&s.hotel.token), json!({"items": line, "sold_at": last_month + Duration::hours(1)})).await;
        problem(res, 409).await;
        assert_eq!(sold(&app), 1, "nothing written for the refused sale");
        let res = app.post(&sales, Some(&s.hotel.token), json!({"items": line})).await;
        assert_eq!(res.status(), StatusCode::CREATED, "this month is open");
        let frozen: Value = app.get(&statement, Some(&s.hotel.token)).await.json().await.unwrap();
        assert_eq!(frozen["gross_idr"], 70_000);

        problem(app.post(&format!("{statement}/paid"), Some(&s.hotel.token), json!({"reference": "BCA 8841"})).await, 403).await;
        let res = app.post(&format!("{statement}/paid"), Some(&s.seller.token), json!({"reference": "BCA 8841"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let paid: Value = res.json().await.unwrap();
        assert_eq!((paid["status"].as_str(), paid["payout_reference"].as_str()), (Some("paid"), Some("BCA 8841")));
        problem(app.post(&format!("{statement}/paid"), Some(&s.seller.token), json!({})).await, 409).await;
        let future = kriya::domain::consignment::Period::containing(Utc::now() + Duration::days(40)).to_string();
        problem(app.post(&format!("/v1/consignment-agreements/{}/statements/{future}/close", s.agreement), Some(&s.seller.token), json!({})).await, 409).await;
        let bad = problem(app.get(&format!("/v1/consignment-agreements/{}/statements/2026-13", s.agreement), Some(&s.seller.token)).await, 422).await;
        assert_eq!(crate::support::fields(&bad), vec!["period"]);
        problem(app.post(&sales, Some(&s.hotel.token), json!({"items": line, "sold_at": Utc::now() + Duration::days(2)})).await, 422).await;
    }

    async fn refusals_leave_the_books_untouched(app) {
        let s = stocked_shelf(&app, 3).await;
        // More than the shelf holds: 409, nothing sold.
        let res = app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token),
            json!({"items": [{"variant_id": s.variant_id, "quantity": 4, "unit_price_idr": 1000}]})).await;
        problem(res, 409).await;
        // A count above what the shelf should hold: 409, nothing moved.
        let res = app.post(&format!("/v1/hotels/{}/stock-counts", s.hotel_id), Some(&s.hotel.token),
            json!({"items": [{"variant_id": s.variant_id, "counted": 4}]})).await;
        problem(res, 409).await;
        // Dispatching more than the own stock (5 left): 409, no consignment.
        let res = app.post("/v1/consignments", Some(&s.seller.token), json!({"agreement_id": s.agreement,
            "items": [{"variant_id": s.variant_id, "quantity": 6, "unit_price_idr": 1000}]})).await;
        problem(res, 409).await;
        // Returning more than is on the shelf.
        let res = app.post(&format!("/v1/hotels/{}/returns", s.hotel_id), Some(&s.hotel.token),
            json!({"agreement_id": s.agreement, "items": [{"variant_id": s.variant_id, "quantity": 4}]})).await;
        problem(res, 409).await;
        // Correcting own stock below zero.
        let res = app.post(&format!("/v1/products/{}/stock/adjustments", s.product_id), Some(&s.seller.token),
            json!({"variant_id": s.variant_id, "delta": -6, "reason": "recount"})).await;
        problem(res, 409).await;
        let stock: Value = app.get(&format!("/v1/products/{}/stock", s.product_id), Some(&s.seller.token)).await.json().await.unwrap();
        let v = &stock["variants"][0];
        assert_eq!(v["locations"][0]["quantity"], 5);
        assert_eq!(v["locations"][2]["quantity"], 3);
        assert_eq!((v["sold"].as_i64(), v["missing"].as_i64()), (Some(0), Some(0)));
        use diesel::prelude::*;
        let consignments: i64 = app.db(|c| kriya::db::schema::consignments::table.count().get_result(c));
        assert_eq!(consignments, 1);
        app.assert_ledger_consistent();
        // Validation names every bad field.
        let res = app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token),
            json!({"items": [{"variant_id": s.variant_id, "quantity": 0, "unit_price_idr": -1}]})).await;
        assert_eq!(crate::support::fields(&problem(res, 422).await), vec!["items[0].quantity", "items[0].unit_price_idr"]);
    }

    async fn agreements_move_through_their_states(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let res = app.post("/v1/consignment-agreements", Some(&seller.token), json!({"hotel_id": hotel_id, "commission_bps": 10001, "term_days": 0})).await;
        assert_eq!(crate::support::fields(&problem(res, 422).await), vec!["commission_bps", "term_days"]);
        let res = app.post("/v1/consignment-agreements", Some(&seller.token), json!({"hotel_id": hotel_id, "commission_bps": 1500, "term_days": 60})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let a: Value = res.json().await.unwrap();
        assert_eq!(a["status"], "proposed");
        let id = a["id"].as_str().unwrap();
        problem(app.post("/v1/consignment-agreements", Some(&seller.token), json!({"hotel_id": hotel_id, "commission_bps": 1500, "term_days": 60})).await, 409).await;
        let product = app.create_product(&seller, json!({})).await;
        let (pid, vid) = (product["id"].as_str().unwrap(), product["variants"][0]["id"].as_str().unwrap());
        app.restock(&seller, pid, vid, 5).await;
        let dispatch = json!({"agreement_id": id, "items": [{"product_id": pid, "quantity": 1, "unit_price_idr": 1000}]});
        problem(app.post("/v1/consignments", Some(&seller.token), dispatch.clone()).await, 409).await;
        let res = app.post(&format!("/v1/consignment-agreements/{id}/accept"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "active");
        problem(app.post(&format!("/v1/consignment-agreements/{id}/accept"), Some(&hotel.token), json!({})).await, 409).await;
        assert_eq!(app.post("/v1/consignments", Some(&seller.token), dispatch.clone()).await.status(), StatusCode::CREATED, "a product with one variant may be named by product_id");
        let res = app.post(&format!("/v1/consignment-agreements/{id}/end"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.json::<Value>().await.unwrap()["status"], "ended");
        problem(app.post("/v1/consignments", Some(&seller.token), dispatch).await, 409).await;
        problem(app.post(&format!("/v1/consignment-agreements/{id}/end"), Some(&seller.token), json!({})).await, 409).await;
        let list: Value = app.get("/v1/consignment-agreements", Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }

    async fn the_shelf_shows_lot_age_and_flags_lots_past_term(app) {
        let s = stocked_shelf(&app, 4).await;
        // Age the lot by moving its receipt back 31 days (term is 30).
        let old = Utc::now() - Duration::days(31);
        app.db(|c| {
            use diesel::prelude::*;
            use kriya::db::schema::shelf_lots::dsl::*;
            diesel::update(shelf_lots).set(received_at.eq(kriya::db::portable::DbTime(old))).execute(c)
        });
        let shelf: Value = app.get(&format!("/v1/hotels/{}/shelf", s.hotel_id), Some(&s.hotel.token)).await.json().await.unwrap();
        let lot = &shelf["lots"][0];
        assert_eq!((lot["quantity"].as_i64(), lot["age_days"].as_i64(), lot["past_term"].as_bool()), (Some(4), Some(31), Some(true)));
        assert_eq!(lot["variant_id"], s.variant_id.as_str());
        let seen_by_seller: Value = app.get(&format!("/v1/hotels/{}/shelf", s.hotel_id), Some(&s.seller.token)).await.json().await.unwrap();
        assert_eq!(seen_by_seller["lots"].as_array().unwrap().len(), 1);
        // Returning the lot empties the shelf.
        let res = app.post(&format!("/v1/hotels/{}/returns", s.hotel_id), Some(&s.hotel.token),
            json!({"agreement_id": s.agreement, "items": [{"variant_id": s.variant_id, "quantity": 4}]})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let shelf: Value = app.get(&format!("/v1/hotels/{}/shelf", s.hotel_id), Some(&s.hotel.token)).await.json().await.unwrap();
        assert!(shelf["lots"].as_array().unwrap().is_empty());
        let product: Value = app.get(&format!("/v1/products/{}", s.product_id), Some(&s.seller.token)).await.json().await.unwrap();
        assert_eq!(product["available_at"], json!([]), "no longer on any shelf");
        app.assert_ledger_consistent();
    }

    async fn idempotency_keys_expire_after_their_lifetime(app) {
        let s = stocked_shelf(&app, 4).await;
        let url = app.url(&format!("/v1/hotels/{}/sales", s.hotel_id));
        let body = json!({"items": [{"variant_id": s.variant_id, "quantity": 1, "unit_price_idr": 60000}]});
        let send = || app.client.post(&url).bearer_auth(&s.hotel.token).header("idempotency-key", "k-1").json(&body).send();
        assert_eq!(send().await.unwrap().status(), StatusCode::CREATED);
        let purged = app.db(|c| kriya::db::idempotency::purge_before(c, Utc::now() - Duration::hours(48)));
        assert_eq!(purged, 0, "a fresh key is kept");
        app.db(|c| {
            use diesel::prelude::*;
            use kriya::db::schema::idempotency_keys::dsl::*;
            diesel::update(idempotency_keys).set(created_at.eq(kriya::db::portable::DbTime(Utc::now() - Duration::days(3)))).execute(c)
        });
        let purged = app.db(|c| kriya::db::idempotency::purge_before(c, Utc::now() - Duration::hours(48)));
        assert_eq!(purged, 1);
        let again = send().await.unwrap();
        assert!(again.headers().get("idempotent-replayed").is_none(), "an expired key starts afresh");
        assert_eq!(sold(&app), 2);
    }
}
