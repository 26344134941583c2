//! The whole consignment story over HTTP, with a race of concurrent sales.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::problem;

both_backends! {
    async fn restock_dispatch_receive_return_race_count_and_settle(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let product = app.create_product(&seller, json!({})).await;
        let pid = product["id"].as_str().unwrap().to_owned();
        let vid = product["variants"][0]["id"].as_str().unwrap().to_owned();
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 1750, 30).await;

        app.restock(&seller, &pid, &vid, 20).await;
        let first = app.dispatch(&seller, &agreement, &vid, 10, 185_555).await;
        let cid = first["id"].as_str().unwrap();
        let res = app.post(&format!("/v1/consignments/{cid}/receive"), Some(&hotel.token),
            json!({"items": [{"variant_id": vid, "quantity_received": 9}]})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let received: Value = res.json().await.unwrap();
        assert_eq!(received["status"], "received");
        assert_eq!(received["items"][0]["shortfall"], 1, "the discrepancy is visible");

        let res = app.post(&format!("/v1/hotels/{hotel_id}/returns"), Some(&hotel.token),
            json!({"agreement_id": agreement, "items": [{"variant_id": vid, "quantity": 2}]})).await;
        assert_eq!(res.status(), StatusCode::CREATED);

        // 20 single-unit sales race for the 7 units on the shelf.
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (client, url, token, vid) = (app.client.clone(), app.url(&format!("/v1/hotels/{hotel_id}/sales")), hotel.token.clone(), vid.clone());
            tasks.push(tokio::spawn(async move {
                client.post(url).bearer_auth(token)
                    .json(&json!({"items": [{"variant_id": vid, "quantity": 1, "unit_price_idr": 185_555}]}))
                    .send().await.unwrap().status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 7, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 13, "{statuses:?}");

        let second = app.dispatch(&seller, &agreement, &vid, 3, 185_555).await;
        let res = app.post(&format!("/v1/consignments/{}/receive", second["id"].as_str().unwrap()), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.post(&format!("/v1/hotels/{hotel_id}/stock-counts"), Some(&hotel.token),
            json!({"items": [{"variant_id": vid, "counted": 2}]})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let count: Value = res.json().await.unwrap();
        assert_eq!(count["items"][0]["missing"], 1);
        assert_eq!(count["items"][0]["charge_idr"], 185_555);

        let stock: Value = app.get(&format!("/v1/products/{pid}/stock"), Some(&seller.token)).await.json().await.unwrap();
        let v = &stock["variants"][0];
        assert_eq!(v["locations"][0], json!({"location": "own", "quantity": 9}));
        assert_eq!(v["locations"][1], json!({"location": "in_transit", "quantity": 0}));
        assert_eq!(v["locations"][2], json!({"location": "hotel", "hotel_id": hotel_id, "quantity": 2}));
        assert_eq!((v["sold"].as_i64(), v["missing"].as_i64(), v["total"].as_i64()), (Some(7), Some(2), Some(11)));

        let listed: Value = app.get(&format!("/v1/products/{pid}"), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(listed["available_at"], json!([{"hotel_id": hotel_id, "name": "Hotel Tugu Malang", "kecamatan": "Klojen", "quantity": 2}]));

        let period = kriya::domain::consignment::Period::containing(chrono::Utc::now()).to_string();
        let path = format!("/v1/consignment-agreements/{agreement}/statements/{period}");
        let statement: Value = app.get(&path, Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(statement["lines"].as_array().unwrap().len(), 7);
        assert_eq!(statement["gross_idr"], 1_298_885);
        assert_eq!(statement["commission_idr"], 227_305);
        assert_eq!(statement["missing_charges_idr"], 185_555);
        assert_eq!(statement["net_idr"], 1_257_135);
        assert_eq!((statement["opening_shelf_units"].as_i64(), statement["closing_shelf_units"].as_i64()), (Some(0), Some(2)));
        let from_hotel: Value = app.get(&path, Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!(from_hotel["net_idr"], 1_257_135);

        let csv = app.client.get(app.url(&path)).bearer_auth(&hotel.token).header("accept", "text/csv").send().await.unwrap();
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert!(csv.lines().any(|l| l == format!("net,{period},,,,,,1257135")), "{csv}");
        assert_eq!(csv.lines().filter(|l| l.starts_with("sale,")).count(), 7);

        let movements: Value = app.get(&format!("/v1/products/{pid}/stock/movements?limit=100"), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(movements["items"].as_array().unwrap().len(), 1 + 1 + 2 + 1 + 7 + 1 + 1 + 1);
        app.assert_ledger_consistent();
        // The ledger refuses edits and deletions at the database itself.
        let edited = app.conn().batch_execute("UPDATE stock_movements SET quantity = quantity + 1");
        assert!(edited.is_err(), "movements can be updated");
        let deleted = app.conn().batch_execute("DELETE FROM stock_movements");
        assert!(deleted.is_err(), "movements can be deleted");
        problem(app.get(&format!("/v1/hotels/{hotel_id}/sales"), Some(&hotel.token)).await, 405).await;
    }
}
