//! `kriya demo` while a server runs on the same data: the catalogue arrives through the API
//! and the outbox, is searchable with thumbnails, and a second run adds nothing.

use serde_json::Value;

use crate::both_backends;
use crate::support::TestApp;

/// Runs `kriya demo`; a run that logs a warning or an error fails the test.
pub fn demo(app: &TestApp) -> String {
    let (out, err) = app.command_output("demo", &[]);
    for text in [&out, &err] {
        assert!(
            !text.contains("WARN") && !text.contains("ERROR"),
            "kriya demo warned:\n{text}"
        );
    }
    out
}

fn counts(app: &TestApp) -> Vec<i64> {
    use diesel::prelude::*;
    use kriya::db::schema::*;
    app.db(|c| {
        Ok(vec![
            users::table.count().get_result(c)?,
            products::table.count().get_result(c)?,
            product_images::table.count().get_result(c)?,
            stock_movements::table.count().get_result(c)?,
            consignments::table.count().get_result(c)?,
            hotel_sale_lines::table.count().get_result(c)?,
        ])
    })
}

both_backends! {
    async fn the_demo_catalogue_is_searchable_and_loading_it_again_adds_nothing(app) {
        let out = demo(&app);
        assert!(out.contains("49 products (49 new)"), "{out}");
        let found = app
            .search_until("q=&per_page=100", |r| r["total"].as_u64() >= Some(40))
            .await;
        let hits = found["hits"].as_array().unwrap();
        assert!(hits.len() >= 40);
        for hit in hits {
            assert!(hit["thumbnail"]["url"].is_string(), "a hit without a thumbnail: {hit}");
        }
        let thumb = app.get(hits[0]["thumbnail"]["url"].as_str().unwrap(), None).await;
        assert_eq!(thumb.status(), 200);
        let kecamatan = found["facets"]["kecamatan"].as_object().unwrap();
        assert_eq!(kecamatan.len(), 5, "sellers in all five kecamatan: {kecamatan:?}");
        for category in ["electroforming-jewellery", "batik", "fashion"] {
            assert!(found["facets"]["category"][category].as_u64() >= Some(10), "{category}");
        }
        app.outbox_drained().await;
        let hotels: Value = app.get("/v1/hotels", None).await.json().await.unwrap();
        let hotel = hotels["items"][0]["id"].as_str().unwrap();
        let on_shelf = app.search(&format!("hotel_id={hotel}")).await;
        assert!(on_shelf["total"].as_u64() > Some(0), "consigned goods are on the shelf");
        app.assert_ledger_consistent();
        // The demo sellers among the trainings' participants are linked by the city office, so
        // the training reports count them (a matching number alone would be a suggestion).
        let admin = app.admin().await;
        let trainings: Value = app.get("/v1/admin/trainings", Some(&admin.token)).await.json().await.unwrap();
        let trainings = trainings["items"].as_array().unwrap();
        assert_eq!(trainings.len(), 2);
        for t in trainings {
            let r: Value = app.get(&format!("/v1/admin/reports/trainings/{}", t["id"].as_str().unwrap()), Some(&admin.token))
                .await.json().await.unwrap();
            assert_eq!((r["linked_sellers"].as_i64(), r["suggested_links"].as_i64()), (Some(2), Some(0)), "{}", t["title"]);
        }

        let before = counts(&app);
        let out = demo(&app);
        assert!(out.contains("49 products (0 new)"), "{out}");
        assert_eq!(counts(&app), before, "the second run added nothing");
    }
}
