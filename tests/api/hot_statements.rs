//! The statements the hot writes run, counted on a real connection: the work a hotel sale
//! and a checkout need is written down here, so a statement that need not be there shows
//! up as a failing test. On PostgreSQL each of them must also stay prepared on its
//! connection, so that it is parsed and planned once, not on every request.

use std::sync::{Arc, Mutex};

use diesel::RunQueryDsl;
use diesel::connection::{Connection, InstrumentationEvent};
use diesel::r2d2::ManageConnection;
use kriya::auth::AuthUser;
use kriya::db::DbConn;
use kriya::db::connection::{DbManager, DbUrl, write_tx};
use kriya::domain::account::Role;
use kriya::domain::money::PriceIdr;
use kriya::domain::order::FairUse;
use kriya::services::idempotency::Claim;
use kriya::services::orders::view::ShippingAddress;
use kriya::services::orders::{self, OrderItem, PlaceOrder};
use kriya::services::shelf::{self, SaleItem};

use crate::both_backends;
use crate::consignment_rules::stocked_shelf;
use crate::orders::goods;
use crate::support::TestApp;

/// What a one-line sale must do, one statement each: read the variant's lots at the caller's
/// hotel if it is active, to check the line and who sells (1); the guarded shelf decrement
/// (1); take from the lot the check planned on, reading the agreement's rate with whether its
/// month is closed (1; SQLite, which has no `UPDATE` in a `WITH`, reads the terms after it).
/// Then what it adds: the sold balance, the ledger row, the search outbox row, the sale, its
/// line and its webhook event, which PostgreSQL takes as one statement and SQLite (in the
/// process, no round trip to save) as six.
const ONE_LINE_SALE_PG: usize = 4;
const ONE_LINE_SALE_SQLITE: usize = 10;

/// What a one-line checkout under an `Idempotency-Key` must do: claim the key (1); lock the
/// buyer's account row (1; PostgreSQL only: SQLite runs one writer at a time), then read the
/// lines of its parts awaiting confirmation or payment (1), so its fair-use limits are
/// checked against what it holds once its other checkouts committed (a statement of its own:
/// one statement that waited for the lock would still read from before the wait); the
/// variants with their products and sellers (1); the guarded take from the seller's own
/// stock (1); the year's order number (1). Then what it adds, in one statement on
/// PostgreSQL: the reserved balance, the ledger row, the search outbox row, the order, its
/// part, line and first event, the webhook event and the stored answer (9 on SQLite).
const ONE_LINE_CHECKOUT_PG: usize = 7;
const ONE_LINE_CHECKOUT_SQLITE: usize = 14;

/// A fresh connection to the app's database that logs the SQL of every statement it runs.
fn logged_connection(app: &TestApp) -> (DbConn, Arc<Mutex<Vec<String>>>) {
    let url = DbUrl::parse(&app.database_url).unwrap();
    let mut conn = DbManager::new(url).connect().unwrap();
    let ran = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = ran.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            // The SQL without diesel's "-- binds: […]".
            let sql = query.to_string();
            log.lock()
                .unwrap()
                .push(sql.split(" -- binds:").next().unwrap().trim().to_owned());
        }
    });
    (conn, ran)
}

/// What ran since the last call, without the transaction's own BEGIN and COMMIT.
fn work(ran: &Mutex<Vec<String>>) -> Vec<String> {
    std::mem::take(&mut *ran.lock().unwrap())
        .into_iter()
        .filter(|q| !matches!(q.as_str(), "BEGIN" | "BEGIN IMMEDIATE" | "COMMIT"))
        .collect()
}

/// Of `statements`, those the PostgreSQL connection does not hold prepared.
fn unprepared(conn: &mut DbConn, statements: &[String]) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let held: Vec<String> = diesel::sql_query("SELECT statement FROM pg_prepared_statements")
        .load::<Prepared>(conn)
        .unwrap()
        .into_iter()
        .map(|p| p.statement.trim().to_owned())
        .collect();
    statements
        .iter()
        .filter(|q| !held.contains(q))
        .cloned()
        .collect()
}

fn listing(statements: &[String]) -> String {
    statements.join("\n")
}

/// A hotel with 5 units of a variant on its shelf, as the caller of its sales.
struct Till {
    hotel: AuthUser,
    hotel_id: uuid::Uuid,
    variant_id: uuid::Uuid,
}

async fn till(app: &TestApp) -> Till {
    let s = stocked_shelf(app, 5).await;
    Till {
        hotel: AuthUser {
            id: s.hotel.user["id"].as_str().unwrap().parse().unwrap(),
            role: Role::Hotel,
        },
        hotel_id: s.hotel_id.parse().unwrap(),
        variant_id: s.variant_id.parse().unwrap(),
    }
}

impl Till {
    /// One unit at 60 000 rupiah.
    fn one_unit(&self) -> [SaleItem; 1] {
        [SaleItem {
            line: 0,
            variant_id: self.variant_id,
            quantity: 1,
            unit_price: PriceIdr::parse(60_000).unwrap(),
        }]
    }
}

both_backends! {
    async fn a_one_line_sale_runs_only_the_statements_it_needs_each_prepared(app) {
        let t = till(&app).await;
        let (mut conn, ran) = logged_connection(&app);
        let mut sell = || {
            let mut items = t.one_unit();
            let at = kriya::domain::now();
            let sale = write_tx(&mut conn, |c| shelf::sell(c, &t.hotel, t.hotel_id, &mut items, at)).unwrap();
            assert_eq!((sale.lines.len(), sale.total_idr), (1, 60_000));
            work(&ran)
        };
        let first = sell();
        let second = sell();
        let on_pg = app.database_url.starts_with("postgres");
        let expected = if on_pg { ONE_LINE_SALE_PG } else { ONE_LINE_SALE_SQLITE };
        assert_eq!(first.len(), expected, "the statements a sale ran:\n{}", listing(&first));
        assert_eq!(second, first, "the same statements every time");
        if on_pg {
            let again = unprepared(&mut conn, &second);
            assert!(again.is_empty(), "parsed and planned on every sale:\n{}", listing(&again));
        }
        app.assert_ledger_consistent();
    }

    async fn a_one_line_checkout_runs_only_the_statements_it_needs_each_prepared(app) {
        let g = goods(&app, 10).await;
        let buyer = app.register("buyer").await;
        let buyer = AuthUser {
            id: buyer.user["id"].as_str().unwrap().parse().unwrap(),
            role: Role::Buyer,
        };
        let (mut conn, ran) = logged_connection(&app);
        let mut checkout = || {
            let input = PlaceOrder {
                items: vec![OrderItem { line: 0, variant_id: g.variant_id.parse().unwrap(), quantity: 1 }],
                shipping: ShippingAddress {
                    recipient: "Sri Wahyuni".to_owned(),
                    phone: "+6281234567890".to_owned(),
                    address: "Jl. Ijen No. 25".to_owned(),
                    kelurahan: None,
                    kecamatan: Some("Klojen".to_owned()),
                    city: "Malang".to_owned(),
                    province: "Jawa Timur".to_owned(),
                    postal_code: "65119".to_owned(),
                },
                note: None,
            };
            let claim = Claim {
                user_id: buyer.id,
                key: Some(uuid::Uuid::now_v7().to_string()),
                fingerprint: "checkout".to_owned(),
            };
            orders::place(&mut conn, &buyer, input, &claim, FairUse::default()).unwrap();
            work(&ran)
        };
        // The year's first order creates its counter; the ones after it are the common case.
        checkout();
        let first = checkout();
        let second = checkout();
        let on_pg = app.database_url.starts_with("postgres");
        let expected = if on_pg { ONE_LINE_CHECKOUT_PG } else { ONE_LINE_CHECKOUT_SQLITE };
        assert_eq!(first.len(), expected, "the statements a checkout ran:\n{}", listing(&first));
        assert_eq!(second, first, "the same statements every time");
        if on_pg {
            // The order number is taken last, from the year's sequence (no row lock).
            assert!(second[second.len() - 2].starts_with("SELECT next_order_number("), "{}", listing(&second));
            let again = unprepared(&mut conn, &second);
            assert!(again.is_empty(), "parsed and planned on every checkout:\n{}", listing(&again));
        }
        app.assert_ledger_consistent();
    }
}

/// The indexes of `table` that hold `column` (either database).
fn indexes_holding(conn: &mut DbConn, table: &str, column: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let sql = match conn {
        DbConn::Pg(_) => format!(
            "SELECT CAST(i.indexrelid::regclass AS TEXT) AS name FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid \
             WHERE i.indrelid = '{table}'::regclass AND a.attname = '{column}' \
             AND (a.attnum = ANY(i.indkey) \
                  OR pg_get_expr(i.indpred, i.indrelid) LIKE '%{column}%' \
                  OR pg_get_expr(i.indexprs, i.indrelid) LIKE '%{column}%')"
        ),
        DbConn::Sqlite(_) => format!(
            "SELECT l.name AS name FROM pragma_index_list('{table}') l, pragma_index_info(l.name) c \
             WHERE c.name = '{column}'"
        ),
    };
    diesel::sql_query(sql)
        .load::<Index>(conn)
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect()
}

/// Rows updated, and of those heap-only (no index touched), by this connection and not yet
/// counted in the server's statistics.
fn updated_in_place(conn: &mut DbConn, table: &str) -> (i64, i64) {
    #[derive(diesel::QueryableByName)]
    struct Counts {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        updated: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        hot: i64,
    }
    let c = diesel::sql_query(format!(
        "SELECT pg_stat_get_xact_tuples_updated('{table}'::regclass) AS updated, \
                pg_stat_get_xact_tuples_hot_updated('{table}'::regclass) AS hot"
    ))
    .get_result::<Counts>(conn)
    .unwrap();
    (c.updated, c.hot)
}

both_backends! {
    async fn a_sale_updates_its_lot_and_balances_without_touching_an_index(app) {
        let t = till(&app).await;
        let url = DbUrl::parse(&app.database_url).unwrap();
        let mut conn = DbManager::new(url).connect().unwrap();
        // What every sale and return updates is in no index (nor an index's condition).
        for (table, column) in [("shelf_lots", "quantity_remaining"), ("stock_balances", "quantity")] {
            let holding = indexes_holding(&mut conn, table, column);
            assert!(holding.is_empty(), "{table}.{column} is in {holding:?}");
        }
        let sell = |conn: &mut DbConn| {
            let mut items = t.one_unit();
            let at = kriya::domain::now();
            write_tx(conn, |c| {
                // The counters may still hold earlier transactions' updates: compare.
                let on_pg = matches!(**c, DbConn::Pg(_));
                let counts = |c: &mut DbConn| on_pg.then(|| (updated_in_place(c, "shelf_lots"), updated_in_place(c, "stock_balances")));
                let before = counts(c);
                shelf::sell(c, &t.hotel, t.hotel_id, &mut items, at)?;
                let after = counts(c);
                Ok::<_, kriya::error::AppError>(before.zip(after).map(|(b, a)| {
                    ((a.0.0 - b.0.0, a.0.1 - b.0.1), (a.1.0 - b.1.0, a.1.1 - b.1.1))
                }))
            })
            .unwrap()
        };
        // The first sale creates the sold balance; the second updates every row it touches.
        sell(&mut conn);
        if let Some((lots, balances)) = sell(&mut conn) {
            // On PostgreSQL: each update stayed on its page, so no index got a new entry.
            assert_eq!(lots, (1, 1), "the lot's update (updated, heap-only)");
            assert_eq!(balances, (2, 2), "the shelf's and the sold balance's updates (updated, heap-only)");
        }
        app.assert_ledger_consistent();
    }
}
