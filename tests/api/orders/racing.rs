//! Checkouts racing for the same units over real HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{goods, place, places};
use crate::both_backends;

both_backends! {
    async fn forty_buyers_race_for_ten_units(app) {
        let g = goods(&app, 10).await;
        let buyers = app.buyers(40).await;
        let items = json!([{"variant_id": g.variant_id, "quantity": 1}]);
        let answers = futures_util::future::join_all(
            buyers.iter().map(|b| place(&app, b, items.clone(), None)),
        )
        .await;
        let mut numbers = Vec::new();
        let (mut won, mut lost) = (0, 0);
        for res in answers {
            match res.status() {
                StatusCode::CREATED => {
                    won += 1;
                    let body: Value = res.json().await.unwrap();
                    numbers.push(body["number"].as_str().unwrap().to_owned());
                }
                StatusCode::CONFLICT => {
                    lost += 1;
                    let body: Value = res.json().await.unwrap();
                    assert_eq!(body["errors"][0]["field"], "items[0].quantity", "{body}");
                }
                other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
            }
        }
        assert_eq!((won, lost), (10, 30));
        assert_eq!(places(&app, &g).await, (0, 10, 0), "exactly ten reserved");
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 10, "distinct numbers");
        let year = kriya::domain::order::number_year(chrono::Utc::now());
        let expected: Vec<String> = (1..=10).map(|n| format!("KRY-{year}-{n:06}")).collect();
        assert_eq!(numbers, expected, "sequential, no gaps");
        app.assert_ledger_consistent();
    }

    async fn racing_checkouts_across_sellers_never_deadlock_or_oversell(app) {
        // Two variants with 6 units each; every buyer wants one of each, half listing them in
        // the other order, so row locks are asked for in both orders.
        let a = goods(&app, 6).await;
        let b = goods(&app, 6).await;
        let buyers = app.buyers(16).await;
        let answers = futures_util::future::join_all(buyers.iter().enumerate().map(|(i, buyer)| {
            let mut lines = vec![
                json!({"variant_id": a.variant_id, "quantity": 1}),
                json!({"variant_id": b.variant_id, "quantity": 1}),
            ];
            if i % 2 == 1 {
                lines.reverse();
            }
            place(&app, buyer, json!(lines), None)
        }))
        .await;
        let won = answers.iter().filter(|r| r.status() == StatusCode::CREATED).count();
        assert!(answers.iter().all(|r| matches!(r.status(), StatusCode::CREATED | StatusCode::CONFLICT)));
        assert_eq!(won, 6);
        assert_eq!(places(&app, &a).await, (0, 6, 0));
        assert_eq!(places(&app, &b).await, (0, 6, 0));
        app.assert_ledger_consistent();
    }
}
