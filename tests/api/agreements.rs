//! One open agreement per seller and hotel, kept by the database under racing proposals.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::support::problem;

both_backends! {
    async fn racing_proposals_open_one_agreement(app) {
        let seller = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let url = app.url("/v1/consignment-agreements");
        let body = json!({"hotel_id": hotel_id, "commission_bps": 1500, "term_days": 60});
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let (client, url, token, body) =
                    (app.client.clone(), url.clone(), seller.token.clone(), body.clone());
                tokio::spawn(async move {
                    client.post(&url).bearer_auth(token).json(&body).send().await.unwrap().status()
                })
            })
            .collect();
        let mut created = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => {}
                other => panic!("a racing proposal answered {other}"),
            }
        }
        assert_eq!(created, 1, "exactly one proposal opens an agreement");
        let open: i64 = app.db(|c| {
            use diesel::prelude::*;
            use kriya::db::schema::consignment_agreements::dsl::*;
            consignment_agreements.filter(status.ne("ended")).count().get_result(c)
        });
        assert_eq!(open, 1);

        // The database itself refuses a second open agreement, whatever the code reads first.
        let second = app.db(|c| {
            use diesel::prelude::*;
            use kriya::db::agreements::AgreementRow;
            let mut row: AgreementRow = kriya::db::schema::consignment_agreements::table
                .select(AgreementRow::as_select())
                .first(c)?;
            row.id = kriya::domain::new_id();
            Ok(kriya::db::agreements::insert(c, row))
        });
        assert!(kriya::error::is_unique_violation(&second.unwrap_err()));

        // Once ended, a new one may be proposed; the hotel accepts it in one transaction.
        let id = app.get("/v1/consignment-agreements", Some(&seller.token)).await.json::<serde_json::Value>().await.unwrap()["items"][0]["id"].as_str().unwrap().to_owned();
        let res = app.post(&format!("/v1/consignment-agreements/{id}/end"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.post("/v1/consignment-agreements", Some(&seller.token), body.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        problem(app.post("/v1/consignment-agreements", Some(&seller.token), body).await, 409).await;
    }
}
