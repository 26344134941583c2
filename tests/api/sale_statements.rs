//! The statements a hotel sale runs, counted on a real connection: the work a sale needs is
//! written down here, so a statement that need not be there shows up as a failing test.

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, InstrumentationEvent};
use diesel::r2d2::ManageConnection;
use kriya::auth::AuthUser;
use kriya::db::connection::{DbManager, DbUrl, write_tx};
use kriya::domain::account::Role;
use kriya::domain::money::PriceIdr;
use kriya::services::shelf::{self, SaleItem};

use crate::both_backends;
use crate::consignment_rules::stocked_shelf_with;

/// What a one-line sale must do, one statement each: the caller's hotel, active (1); read
/// the variant's lots to check the line (1); the guarded shelf decrement (1); take from the
/// lot the check planned on (1); the agreement's rate with whether its month is closed (1).
/// Then what it adds: the sold balance, the ledger row, the search outbox row, the sale, its
/// line and its webhook event, which PostgreSQL takes as one statement and SQLite (in the
/// process, no round trip to save) as six.
const ONE_LINE_SALE_PG: usize = 6;
const ONE_LINE_SALE_SQLITE: usize = 11;

both_backends! {
    async fn a_one_line_sale_runs_only_the_statements_it_needs(app) {
        let s = stocked_shelf_with(&app, 5, serde_json::json!({})).await;
        let hotel = AuthUser {
            id: s.hotel.user["id"].as_str().unwrap().parse().unwrap(),
            role: Role::Hotel,
        };
        let hotel_id = s.hotel_id.parse().unwrap();
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
        let sale = write_tx(&mut conn, |c| shelf::sell(c, &hotel, hotel_id, &mut items, sold_at)).unwrap();
        assert_eq!((sale.lines.len(), sale.total_idr), (1, 60_000));
        let ran = ran.lock().unwrap().clone();
        // The transaction's own BEGIN and COMMIT are not counted.
        let work: Vec<&String> = ran
            .iter()
            .filter(|q| !matches!(q.trim(), "BEGIN" | "BEGIN IMMEDIATE" | "COMMIT"))
            .collect();
        let expected = if app.database_url.starts_with("postgres") { ONE_LINE_SALE_PG } else { ONE_LINE_SALE_SQLITE };
        assert_eq!(work.len(), expected, "the statements a sale ran:\n{}", work.iter().map(|q| q.as_str()).collect::<Vec<_>>().join("\n"));
        app.assert_ledger_consistent();
    }
}
