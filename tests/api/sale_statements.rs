//! The statements a hotel sale runs, counted on a real connection: the work a sale needs is
//! written down here, so a statement that need not be there shows up as a failing test.

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, InstrumentationEvent};
use diesel::r2d2::ManageConnection;
use kriya::auth::HotelUser;
use kriya::db::connection::{DbManager, DbUrl, write_tx};
use kriya::domain::money::PriceIdr;
use kriya::domain::seller::SellerStatus;
use kriya::services::shelf::{self, SaleItem};

use crate::both_backends;
use crate::consignment_rules::stocked_shelf_with;

/// What a one-line sale must do, one statement each: is the hotel active (1); read the
/// variant's lots to check the line (1); the guarded shelf decrement, the sold balance, the
/// ledger row and the search outbox row (4); read the lots again after the decrement (which
/// waited for racing sellers) and take from one lot (2); the agreement's rate with whether
/// its month is closed (1); the sale, its lines and its webhook event (3).
const ONE_LINE_SALE: usize = 12;

both_backends! {
    async fn a_one_line_sale_runs_only_the_statements_it_needs(app) {
        let s = stocked_shelf_with(&app, 5, serde_json::json!({})).await;
        let hotel = HotelUser {
            user_id: s.hotel.user["id"].as_str().unwrap().parse().unwrap(),
            hotel_id: s.hotel_id.parse().unwrap(),
            status: SellerStatus::Active,
        };
        let url = DbUrl::parse(&app.database_url).unwrap();
        let mut conn = DbManager::new(url).connect().unwrap();
        let ran = Arc::new(Mutex::new(Vec::<String>::new()));
        let log = ran.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { query, .. } = event {
                log.lock().unwrap().push(query.to_string());
            }
        });
        let mut items = [SaleItem {
            line: 0,
            variant_id: s.variant_id.parse().unwrap(),
            quantity: 1,
            unit_price: PriceIdr::parse(60_000).unwrap(),
        }];
        let sold_at = kriya::domain::now();
        let sale = write_tx(&mut conn, |c| shelf::sell(c, &hotel, hotel.hotel_id, &mut items, sold_at)).unwrap();
        assert_eq!((sale.lines.len(), sale.total_idr), (1, 60_000));
        let ran = ran.lock().unwrap().clone();
        // The transaction's own BEGIN and COMMIT are not counted.
        let work: Vec<&String> = ran
            .iter()
            .filter(|q| !matches!(q.trim(), "BEGIN" | "BEGIN IMMEDIATE" | "COMMIT"))
            .collect();
        assert_eq!(work.len(), ONE_LINE_SALE, "the statements a sale ran:\n{}", work.iter().map(|q| q.as_str()).collect::<Vec<_>>().join("\n"));
        app.assert_ledger_consistent();
    }
}
