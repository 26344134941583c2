//! Closing a month while the hotel records sales dated in it: every such sale is either in
//! the closed statement or refused, whichever commits first. Each test holds one side's
//! transaction open, as a slow request would, while the other side runs.

use std::sync::mpsc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use kriya::auth::AuthUser;
use kriya::auth::access::Actor;
use kriya::db::connection::write_tx;
use kriya::domain::account::Role;
use kriya::domain::consignment::Period;
use kriya::domain::money::PriceIdr;
use kriya::error::AppError;
use kriya::services::shelf::{self, SaleItem};
use kriya::services::statements;
use serde_json::json;

use crate::both_backends;
use crate::consignment_money::received_days_ago;
use crate::consignment_rules::{Shelf, sold, stocked_shelf_with};
use crate::support::TestApp;

/// A shelf whose goods arrived two months ago, and a moment in last month to sell them at.
async fn last_months_shelf(app: &TestApp) -> (Shelf, chrono::DateTime<Utc>) {
    let s = stocked_shelf_with(app, 6, json!({})).await;
    received_days_ago(app, 62);
    (s, kriya::domain::now() - Duration::days(35))
}

fn user(v: &serde_json::Value, role: Role) -> AuthUser {
    AuthUser {
        id: v["id"].as_str().unwrap().parse().unwrap(),
        role,
    }
}

/// Sells one unit at 70 000 rupiah, dated `at`; `hold` runs inside the transaction, after
/// the sale and before its commit.
fn sell(
    app: &TestApp,
    s: &Shelf,
    at: chrono::DateTime<Utc>,
    hold: impl FnOnce() + Send + 'static,
) -> std::thread::JoinHandle<Result<shelf::Sale, AppError>> {
    let mut conn = app.conn();
    let hotel = user(&s.hotel.user, Role::Hotel);
    let hotel_id = s.hotel_id.parse().unwrap();
    let variant_id = s.variant_id.parse().unwrap();
    std::thread::spawn(move || {
        write_tx(&mut conn, |c| {
            let mut items = [SaleItem {
                line: 0,
                variant_id,
                quantity: 1,
                unit_price: PriceIdr::parse(70_000).unwrap(),
            }];
            let sale = shelf::sell(c, &hotel, hotel_id, &mut items, at)?;
            hold();
            Ok(sale)
        })
    })
}

/// The seller closes the month of `at`; `hold` runs inside the transaction, before commit.
fn close(
    app: &TestApp,
    s: &Shelf,
    at: chrono::DateTime<Utc>,
    hold: impl FnOnce() + Send + 'static,
) -> std::thread::JoinHandle<Result<statements::Statement, AppError>> {
    let mut conn = app.conn();
    let seller = Actor {
        user: Some(user(&s.seller.user, Role::Seller)),
        seller_id: Some(s.seller.seller_id().parse().unwrap()),
        hotel_id: None,
    };
    let agreement = s.agreement.parse().unwrap();
    std::thread::spawn(move || {
        write_tx(&mut conn, |c| {
            let st = statements::close(c, &seller, agreement, Period::containing(at))?;
            hold();
            Ok(st)
        })
    })
}

/// A pair of signals: the holder says it is inside its transaction, then waits to be let go.
fn gate() -> (
    impl FnOnce() + Send + 'static,
    mpsc::Receiver<()>,
    mpsc::Sender<()>,
) {
    let (inside_tx, inside) = mpsc::channel();
    let (go, go_rx) = mpsc::channel::<()>();
    let hold = move || {
        inside_tx.send(()).unwrap();
        go_rx.recv().unwrap();
    };
    (hold, inside, go)
}

both_backends! {
    async fn a_sale_in_flight_when_its_month_closes_is_in_the_statement(app) {
        let (s, last_month) = last_months_shelf(&app).await;
        let (hold, inside, go) = gate();
        let sale = sell(&app, &s, last_month, hold);
        inside.recv().unwrap();
        // The sale has taken its unit and not committed; the seller closes the month now.
        let closing = close(&app, &s, last_month, || {});
        std::thread::sleep(StdDuration::from_millis(500));
        assert!(!closing.is_finished(), "the close waits for the sale in flight");
        go.send(()).unwrap();
        let sale = sale.join().unwrap().expect("the sale commits");
        let statement = closing.join().unwrap().expect("the month closes");
        assert_eq!(statement.status, "closed");
        assert_eq!(statement.gross_idr, 70_000, "the sale is in the closed figures");
        assert_eq!(statement.lines.len(), 1);
        assert_eq!(statement.lines[0].sold_at, sale.sold_at);
        assert_eq!(sold(&app), 1);
        app.assert_ledger_consistent();
    }

    async fn a_sale_dated_in_a_month_that_is_closing_is_refused(app) {
        let (s, last_month) = last_months_shelf(&app).await;
        let (hold, inside, go) = gate();
        let closing = close(&app, &s, last_month, hold);
        inside.recv().unwrap();
        // The statement is written and not committed; a sale dated in its month arrives.
        let sale = sell(&app, &s, last_month + Duration::hours(1), || {});
        std::thread::sleep(StdDuration::from_millis(500));
        assert!(!sale.is_finished(), "the sale waits for the close");
        go.send(()).unwrap();
        let statement = closing.join().unwrap().expect("the month closes");
        assert_eq!(statement.gross_idr, 0);
        match sale.join().unwrap() {
            Err(AppError::Conflict(why)) => assert!(why.contains("closed"), "{why}"),
            other => panic!("a sale in a closed month must be refused, got {other:?}"),
        }
        assert_eq!(sold(&app), 0, "nothing was written for the refused sale");
        app.assert_ledger_consistent();
    }
}
