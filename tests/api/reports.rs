//! The figures reports are built from: sales per seller and month in Western Indonesia Time,
//! from hotel sale lines and completed order parts, on both databases.

use diesel::prelude::*;
use kriya::db::portable::{DbId, DbTime};
use kriya::domain::consignment::Period;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::orders::{goods, order, part_of, walk};

fn at(raw: &str) -> DbTime {
    DbTime(chrono::DateTime::parse_from_rfc3339(raw).unwrap().to_utc())
}

both_backends! {
    async fn sales_fall_in_the_month_of_western_indonesia_time(app) {
        let g = goods(&app, 10).await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let agreement = app.agreement(&g.seller, &hotel, &hotel_id, 2000, 90).await;
        let consignment = app.dispatch(&g.seller, &agreement, &g.variant_id, 3, 150_000).await;
        let cid = consignment["id"].as_str().unwrap();
        let res = app.post(&format!("/v1/consignments/{cid}/receive"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mut sales = Vec::new();
        for _ in 0..3 {
            let res = app.post(&format!("/v1/hotels/{hotel_id}/sales"), Some(&hotel.token),
                json!({"items": [{"variant_id": g.variant_id, "quantity": 1, "unit_price_idr": 185_555}]})).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            sales.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
        }
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 2)]).await;
        let part = part_of(&placed, &g);
        walk(&app, &g, &buyer, &part, &["confirm", "mark-paid", "ship", "received"]).await;
        // Dated as an import of older records would date them.
        {
            use kriya::db::schema::hotel_sale_lines::dsl as l;
            use kriya::db::schema::order_part_events::dsl as e;
            let part: uuid::Uuid = part.parse().unwrap();
            app.db(move |c| {
                for (sale, when) in sales.iter().zip([
                    "2026-11-30T16:30:00Z", // 23:30 WIB on 30 November: November
                    "2026-11-30T17:30:00Z", // 00:30 WIB on 1 December: December
                    "2026-12-15T03:00:00Z",
                ]) {
                    diesel::update(l::hotel_sale_lines.filter(l::sale_id.eq(DbId(*sale)))).set(l::sold_at.eq(at(when))).execute(c)?;
                }
                diesel::update(e::order_part_events.filter(e::part_id.eq(DbId(part))).filter(e::status.eq("completed")))
                    .set(e::at.eq(at("2026-12-10T03:00:00Z"))).execute(c)
            });
        }
        let (nov, dec) = (Period::parse("2026-11").unwrap(), Period::parse("2026-12").unwrap());
        let rows = app.db(|c| kriya::db::reports::monthly_sales(c, nov, dec));
        let seller: uuid::Uuid = g.seller.seller_id().parse().unwrap();
        let figures: Vec<(String, i64, i64, i64, i64)> = rows.iter().filter(|r| r.seller_id == seller)
            .map(|r| (r.month.clone(), r.online_count, r.online_idr, r.hotel_count, r.hotel_idr)).collect();
        assert_eq!(figures, [
            ("2026-11".to_owned(), 0, 0, 1, 185_555),
            ("2026-12".to_owned(), 1, 2 * g.price, 2, 2 * 185_555),
        ]);
        // A range of one month sees only that month.
        let rows = app.db(|c| kriya::db::reports::monthly_sales(c, nov, nov));
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].month.as_str(), rows[0].hotel_count), ("2026-11", 1));
    }
}
