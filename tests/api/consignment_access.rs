//! Every consignment endpoint with the other seller, the other hotel, a buyer and anonymous:
//! 401/403/404, never data, and nothing changes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::problem;

fn movement_count(app: &crate::support::TestApp) -> i64 {
    use diesel::prelude::*;
    app.db(|c| {
        kriya::db::schema::stock_movements::table
            .count()
            .get_result(c)
    })
}

both_backends! {
    async fn strangers_get_nothing_and_change_nothing(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let product = app.published_product(&seller).await;
        let pid = product["id"].as_str().unwrap().to_owned();
        let vid = product["variants"][0]["id"].as_str().unwrap().to_owned();
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 2000, 30).await;
        app.restock(&seller, &pid, &vid, 10).await;
        let shipped = app.dispatch(&seller, &agreement, &vid, 4, 100_000).await;
        let cid = shipped["id"].as_str().unwrap().to_owned();
        let code = shipped["items"][0]["label_code"].as_str().unwrap().to_owned();
        let received = app.dispatch(&seller, &agreement, &vid, 2, 100_000).await;
        let rid = received["id"].as_str().unwrap().to_owned();
        assert_eq!(app.post(&format!("/v1/consignments/{rid}/receive"), Some(&hotel.token), json!({})).await.status(), 200);

        let other_seller = app.active_seller().await;
        let (other_hotel, _) = app.active_hotel().await;
        let buyer = app.register("buyer").await;
        let admin = app.admin().await;
        let before = movement_count(&app);
        let period = kriya::domain::consignment::Period::containing(chrono::Utc::now()).to_string();
        let statement = format!("/v1/consignment-agreements/{agreement}/statements/{period}");
        let sale = json!({"items": [{"variant_id": vid, "quantity": 1, "unit_price_idr": 100000}]});
        let ret = json!({"agreement_id": agreement, "items": [{"variant_id": vid, "quantity": 1}]});
        let count = json!({"items": [{"variant_id": vid, "counted": 0}]});
        let dispatch = json!({"agreement_id": agreement, "items": [{"variant_id": vid, "quantity": 1, "unit_price_idr": 1}]});
        let adjust = json!({"variant_id": vid, "delta": -10, "reason": "theft"});

        // (method, path, body, other seller, other hotel, buyer)
        let cases: Vec<(Method, String, Option<Value>, u16, u16, u16)> = vec![
            (Method::GET, format!("/v1/consignment-agreements/{agreement}"), None, 404, 404, 404),
            (Method::POST, format!("/v1/consignment-agreements/{agreement}/accept"), Some(json!({})), 404, 404, 404),
            (Method::POST, format!("/v1/consignment-agreements/{agreement}/end"), Some(json!({})), 404, 404, 404),
            (Method::POST, "/v1/consignments".to_owned(), Some(dispatch), 404, 403, 403),
            (Method::GET, format!("/v1/consignments/{cid}"), None, 404, 404, 404),
            (Method::GET, format!("/v1/consignments/{cid}/labels"), None, 404, 404, 404),
            (Method::GET, format!("/v1/consignments/{cid}/labels?format=svg&code={code}"), None, 404, 404, 404),
            (Method::GET, format!("/v1/labels/{code}"), None, 404, 404, 404),
            (Method::POST, format!("/v1/consignments/{cid}/receive"), Some(json!({})), 403, 404, 403),
            (Method::POST, format!("/v1/hotels/{hotel_id}/sales"), Some(sale), 403, 403, 403),
            (Method::POST, format!("/v1/hotels/{hotel_id}/returns"), Some(ret), 403, 403, 403),
            (Method::POST, format!("/v1/hotels/{hotel_id}/stock-counts"), Some(count), 403, 403, 403),
            (Method::GET, format!("/v1/hotels/{hotel_id}/shelf"), None, 200, 403, 403),
            (Method::GET, statement.clone(), None, 404, 404, 404),
            (Method::POST, format!("{statement}/close"), Some(json!({})), 404, 404, 404),
            (Method::POST, format!("{statement}/paid"), Some(json!({})), 404, 404, 404),
            (Method::GET, format!("/v1/products/{pid}/stock"), None, 403, 403, 403),
            (Method::GET, format!("/v1/products/{pid}/stock/movements"), None, 403, 403, 403),
            (Method::POST, format!("/v1/products/{pid}/stock/adjustments"), Some(adjust), 403, 403, 403),
        ];
        for (method, path, body, by_seller, by_hotel, by_buyer) in cases {
            for (who, token, want) in [
                ("other seller", Some(&other_seller.token), by_seller),
                ("other hotel", Some(&other_hotel.token), by_hotel),
                ("buyer", Some(&buyer.token), by_buyer),
                ("anonymous", None, 401),
            ] {
                let res = app.request(method.clone(), &path, token.map(|t| t.as_str()), body.clone()).await;
                let status = res.status().as_u16();
                assert_eq!(status, want, "{who}: {method} {path}");
                if want == 200 {
                    // The other seller may look at the shelf, but sees none of this seller's lots.
                    let shelf: Value = res.json().await.unwrap();
                    assert!(shelf["lots"].as_array().unwrap().is_empty(), "{who} sees {shelf}");
                } else {
                    problem(res, want).await;
                }
            }
        }
        // Parties in the wrong role: the seller cannot accept or receive, the hotel cannot
        // close the statement, an admin cannot end an agreement it is not party to.
        problem(app.post(&format!("/v1/consignment-agreements/{agreement}/accept"), Some(&seller.token), json!({})).await, 403).await;
        problem(app.post(&format!("/v1/consignments/{cid}/receive"), Some(&seller.token), json!({})).await, 403).await;
        problem(app.post(&format!("{statement}/close"), Some(&hotel.token), json!({})).await, 403).await;
        problem(app.post(&format!("/v1/consignment-agreements/{agreement}/end"), Some(&admin.token), json!({})).await, 403).await;
        problem(app.get(&format!("/v1/products/{pid}/stock"), Some(&hotel.token)).await, 403).await;

        let list: Value = app.get("/v1/consignment-agreements", Some(&other_seller.token)).await.json().await.unwrap();
        assert!(list["items"].as_array().unwrap().is_empty());
        problem(app.get("/v1/consignment-agreements", Some(&buyer.token)).await, 403).await;
        assert_eq!(app.get(&statement, Some(&admin.token)).await.status(), 200);

        assert_eq!(movement_count(&app), before, "refused requests moved nothing");
        let consignment: Value = app.get(&format!("/v1/consignments/{cid}"), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(consignment["status"], "dispatched");
        let a: Value = app.get(&format!("/v1/consignment-agreements/{agreement}"), Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!(a["status"], "active");
        app.assert_ledger_consistent();
    }

    async fn a_suspended_hotel_sells_nothing_off_its_shelf(app) {
        let s = crate::consignment_rules::stocked_shelf_with(&app, 2, json!({})).await;
        let admin = app.admin().await;
        let sale = json!({"items": [{"variant_id": s.variant_id, "quantity": 1, "unit_price_idr": 60_000}]});
        let sales = format!("/v1/hotels/{}/sales", s.hotel_id);
        let before = movement_count(&app);
        let res = app.post(&format!("/v1/admin/hotels/{}/suspend", s.hotel_id), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), 200);
        let refused = problem(app.post(&sales, Some(&s.hotel.token), sale.clone()).await, 403).await;
        assert!(refused["detail"].as_str().unwrap().contains("not active"), "{refused}");
        assert_eq!(movement_count(&app), before, "a refused sale moves nothing");
        let res = app.post(&format!("/v1/admin/hotels/{}/approve", s.hotel_id), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), 200);
        assert_eq!(app.post(&sales, Some(&s.hotel.token), sale).await.status(), 201);
        app.assert_ledger_consistent();
    }

    async fn hotel_registration_and_approval_are_guarded(app) {
        let seller = app.register("seller").await;
        let buyer = app.register("buyer").await;
        let body = json!({"name": "Hotel Kartika", "address": "Jl. Ijen 1", "kecamatan": "Klojen",
            "phri_number": "PHRI/MLG/7", "contact_name": "Rina", "contact_phone": "0341 555123"});
        problem(app.post("/v1/hotels", Some(&seller.token), body.clone()).await, 403).await;
        problem(app.post("/v1/hotels", Some(&buyer.token), body.clone()).await, 403).await;
        problem(app.post("/v1/hotels", None, body.clone()).await, 401).await;
        let hotel = app.register("hotel").await;
        let bad = problem(app.post("/v1/hotels", Some(&hotel.token), json!({"name": "H", "kecamatan": "Batu", "contact_phone": "1"})).await, 422).await;
        let fields = crate::support::fields(&bad);
        assert_eq!(fields, vec!["name", "address", "kecamatan", "phri_number", "contact_name", "contact_phone"]);
        let res = app.post("/v1/hotels", Some(&hotel.token), body.clone()).await;
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["status"], "pending");
        problem(app.post("/v1/hotels", Some(&hotel.token), body).await, 409).await;
        let id = created["id"].as_str().unwrap();
        problem(app.get(&format!("/v1/hotels/{id}"), None).await, 404).await;
        problem(app.get(&format!("/v1/hotels/{id}"), Some(&seller.token)).await, 404).await;
        assert_eq!(app.get(&format!("/v1/hotels/{id}"), Some(&hotel.token)).await.status(), 200);
        // A pending hotel cannot be proposed to, and cannot act.
        let active_seller = app.active_seller().await;
        let res = app.post("/v1/consignment-agreements", Some(&active_seller.token), json!({"hotel_id": id, "commission_bps": 1000, "term_days": 30})).await;
        assert_eq!(crate::support::fields(&problem(res, 422).await), vec!["hotel_id"]);
        for who in [&seller, &buyer, &hotel] {
            problem(app.post(&format!("/v1/admin/hotels/{id}/approve"), Some(&who.token), json!({})).await, 403).await;
        }
        problem(app.post(&format!("/v1/admin/hotels/{id}/approve"), None, json!({})).await, 401).await;
        let admin = app.admin().await;
        assert_eq!(app.post(&format!("/v1/admin/hotels/{id}/approve"), Some(&admin.token), json!({})).await.status(), 200);
        let list: Value = app.get("/v1/hotels", None).await.json().await.unwrap();
        assert_eq!(list["items"][0]["id"], id);
        let me: Value = app.get("/v1/hotels/me", Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!(me["status"], "active");
    }
}
