//! The sweep: completion 14 days after shipping, and several replicas sweeping the same
//! parts at once without doing any twice.

use chrono::{Duration, Utc};
use kriya::domain::order::Holds;
use serde_json::Value;

use super::{goods, order, part_of, places, walk};
use crate::both_backends;
use crate::support::TestApp;

fn sweep(app: &TestApp, at: chrono::DateTime<Utc>) -> kriya::services::orders::lifecycle::Swept {
    let mut conn = app.conn();
    kriya::services::orders::lifecycle::sweep(&mut conn, at, Holds::default()).unwrap()
}

fn events_of(app: &TestApp, status: &str) -> i64 {
    use diesel::prelude::*;
    use kriya::db::schema::order_part_events::dsl;
    let status = status.to_owned();
    app.db(move |c| {
        dsl::order_part_events
            .filter(dsl::status.eq(status))
            .count()
            .get_result(c)
    })
}

both_backends! {
    async fn a_confirmation_between_listing_and_expiry_stands(app) {
        let g = goods(&app, 5).await;
        let buyer = app.register("buyer").await;
        let part = part_of(&order(&app, &buyer, &[(&g, 2)]).await, &g);
        // A sweep long after the hold lists the part as due ...
        let at = Utc::now() + Duration::hours(49);
        let due = {
            let mut conn = app.conn();
            kriya::services::orders::lifecycle::due(&mut conn, at, Holds::default()).unwrap()
        };
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].part_id.to_string(), part);
        // ... the seller confirms it meanwhile ...
        walk(&app, &g, &buyer, &part, &["confirm"]).await;
        // ... and the sweep moves on from what it listed: the fresh step stands.
        let moved = {
            let mut conn = app.conn();
            kriya::services::orders::lifecycle::settle(&mut conn, &due[0], at).unwrap()
        };
        assert!(!moved, "the part it listed is not the part there is");
        let body: Value = app.get(&format!("/v1/order-parts/{part}"), Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(body["status"], "awaiting_payment", "{body}");
        assert_eq!(places(&app, &g).await, (3, 2, 0), "its units stay reserved while the buyer pays");
        assert_eq!(events_of(&app, "expired"), 0);
        app.assert_ledger_consistent();
    }

    async fn a_receipt_between_listing_and_completion_stands(app) {
        let g = goods(&app, 5).await;
        let buyer = app.register("buyer").await;
        let part = part_of(&order(&app, &buyer, &[(&g, 2)]).await, &g);
        walk(&app, &g, &buyer, &part, &["confirm", "mark-paid", "ship"]).await;
        let at = Utc::now() + Duration::days(15);
        let due = {
            let mut conn = app.conn();
            kriya::services::orders::lifecycle::due(&mut conn, at, Holds::default()).unwrap()
        };
        assert_eq!(due.len(), 1);
        // The buyer marks it received meanwhile: completed once, by the buyer.
        walk(&app, &g, &buyer, &part, &["received"]).await;
        let moved = {
            let mut conn = app.conn();
            kriya::services::orders::lifecycle::settle(&mut conn, &due[0], at).unwrap()
        };
        assert!(!moved);
        let body: Value = app.get(&format!("/v1/order-parts/{part}"), Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(body["history"].as_array().unwrap().last().unwrap()["by"], "buyer");
        assert_eq!(events_of(&app, "completed"), 1);
        assert_eq!(places(&app, &g).await, (3, 0, 2));
        app.assert_ledger_consistent();
    }

    async fn a_shipped_part_completes_by_itself_after_fourteen_days(app) {
        let g = goods(&app, 5).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 2)]).await;
        let part = part_of(&placed, &g);
        walk(&app, &g, &buyer, &part, &["confirm", "mark-paid", "ship"]).await;
        let now = Utc::now();
        assert_eq!(sweep(&app, now + Duration::days(13)).completed, 0, "not yet");
        assert_eq!(sweep(&app, now + Duration::days(13)).expired, 0, "a shipped part never expires");
        let swept = sweep(&app, now + Duration::days(14) + Duration::minutes(1));
        assert_eq!(swept.completed, 1);
        assert_eq!(places(&app, &g).await, (3, 0, 2));
        let body: Value = app.get(&format!("/v1/order-parts/{part}"), Some(&buyer.token)).await.json().await.unwrap();
        assert_eq!(body["status"], "completed");
        assert_eq!(body["history"].as_array().unwrap().last().unwrap()["by"], "system");
        assert_eq!(sweep(&app, now + Duration::days(30)), Default::default(), "nothing twice");
        app.assert_ledger_consistent();
    }

    async fn a_paid_part_waits_and_an_unpaid_one_expires_from_its_last_step(app) {
        let g = goods(&app, 10).await;
        let buyer = app.register("buyer").await;
        let paid = part_of(&order(&app, &buyer, &[(&g, 1)]).await, &g);
        walk(&app, &g, &buyer, &paid, &["confirm", "mark-paid"]).await;
        let confirmed = part_of(&order(&app, &buyer, &[(&g, 2)]).await, &g);
        walk(&app, &g, &buyer, &confirmed, &["confirm"]).await;
        let swept = sweep(&app, Utc::now() + Duration::hours(49));
        assert_eq!(swept.expired, 1, "only the unpaid one");
        assert_eq!(places(&app, &g).await, (9, 1, 0));
        app.assert_ledger_consistent();
    }
}

/// Three replicas sweep 30 overdue parts at the same moment on PostgreSQL: every part
/// expires exactly once and every unit goes back exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_sweeping_together_expire_each_part_once() {
    let Some(app) = TestApp::spawn(crate::support::Backend::Postgres).await else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let g = goods(&app, 60).await;
    let buyers = app.buyers(30).await;
    for b in &buyers {
        order(&app, b, &[(&g, 2)]).await;
    }
    assert_eq!(places(&app, &g).await, (0, 60, 0));
    let at = Utc::now() + Duration::hours(49);
    let replicas: Vec<_> = (0..3)
        .map(|_| {
            let pool = kriya::db::connection::build_pool(
                &kriya::db::connection::DbUrl::parse(&app.database_url).unwrap(),
                2,
            )
            .unwrap();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                kriya::services::orders::lifecycle::sweep(&mut conn, at, Holds::default())
                    .unwrap()
                    .expired
            })
        })
        .collect();
    let expired: usize = replicas.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(expired, 30, "each part by one replica");
    assert_eq!(events_of(&app, "expired"), 30);
    assert_eq!(places(&app, &g).await, (60, 0, 0));
    app.assert_ledger_consistent();
}
