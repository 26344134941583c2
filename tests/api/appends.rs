//! What a unit of work adds is gathered and written at its end (on PostgreSQL in one
//! statement), and a take from the shelf plans on lots it read earlier: both must come out
//! exactly as one statement at a time would.

use diesel::prelude::*;
use kriya::db::appends::Appends;
use kriya::db::connection::write_tx;
use kriya::db::stock::{Ledger, Movement};
use kriya::domain::stock::{Location, Reason};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::both_backends;
use crate::consignment_rules::stocked_shelf_with;

both_backends! {
    async fn a_ledger_sums_what_its_movements_add_to_one_place(app) {
        let s = stocked_shelf_with(&app, 1, json!({})).await;
        let (product_id, variant_id): (Uuid, Uuid) = (s.product_id.parse().unwrap(), s.variant_id.parse().unwrap());
        let own_before = app.db(|c| kriya::db::stock_levels::balance(c, variant_id, &Location::Own));
        let movements_before: i64 = app.db(|c| {
            use kriya::db::schema::stock_movements::dsl::*;
            stock_movements.count().get_result(c)
        });
        // Two movements into the same place: on PostgreSQL one statement must not upsert the
        // same balance row twice, so the ledger sums them.
        app.db(|c| {
            write_tx(c, |c| {
                let mut ledger = Ledger::default();
                for n in [2, 3] {
                    let m = Movement {
                        product_id,
                        variant_id,
                        from: None,
                        to: Location::Own,
                        quantity: n,
                        reason: Reason::Restock,
                        note: Some("found in the back room".into()),
                        reference_id: None,
                        actor_id: None,
                        at: kriya::domain::now(),
                    };
                    ledger.record(c, &m).map_err(|_| diesel::result::Error::RollbackTransaction)?;
                }
                let mut later = Appends::new();
                ledger.write(c, &mut later)?;
                later.write(c)
            })
        });
        let own_after = app.db(|c| kriya::db::stock_levels::balance(c, variant_id, &Location::Own));
        let movements_after: i64 = app.db(|c| {
            use kriya::db::schema::stock_movements::dsl::*;
            stock_movements.count().get_result(c)
        });
        assert_eq!((own_after - own_before, movements_after - movements_before), (5, 2));
        app.assert_ledger_consistent();
    }

    async fn a_take_planned_on_a_lot_since_emptied_takes_the_next_one(app) {
        // Two lots: 2 units at 50 000, then 3 at 55 000.
        let s = stocked_shelf_with(&app, 2, json!({})).await;
        let c = app.dispatch(&s.seller, &s.agreement, &s.variant_id, 3, 55_000).await;
        let res = app.post(&format!("/v1/consignments/{}/receive", c["id"].as_str().unwrap()), Some(&s.hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let (hotel_id, variant_id): (Uuid, Uuid) = (s.hotel_id.parse().unwrap(), s.variant_id.parse().unwrap());
        let agreement_id: Uuid = s.agreement.parse().unwrap();
        let stale = app.db(|c| kriya::db::shelf::lots_of_variant(c, hotel_id, variant_id));
        assert_eq!(stale.iter().map(|l| (l.unit_price_idr, l.quantity_remaining)).collect::<Vec<_>>(), [(50_000, 2), (55_000, 3)]);
        // Another sale empties the first lot after the plan was read.
        let res = app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token),
            json!({"items": [{"variant_id": s.variant_id, "quantity": 2, "unit_price_idr": 60_000}]})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        // The plan says one unit from the first lot; it has none, so the take reads again.
        let period = kriya::domain::consignment::Period::containing(kriya::domain::now()).to_string();
        let expected = app.db(|c| kriya::db::agreements::terms_in(c, agreement_id, &period)).unwrap();
        let expected = (expected.commission_bps, expected.seller_id, false);
        let (taken, terms) = app.db(|c| write_tx(c, |c| kriya::db::shelf::take_planned(c, agreement_id, variant_id, &[(&stale[0], 1)], kriya::domain::now(), &period)));
        assert_eq!((terms.commission_bps, terms.seller_id, terms.closed), expected, "the terms, read with the take");
        assert_eq!(taken.iter().map(|t| (t.unit_price_idr, t.quantity)).collect::<Vec<_>>(), [(55_000, 1)]);
        let now = app.db(|c| kriya::db::shelf::lots_of_variant(c, hotel_id, variant_id));
        assert_eq!(now.iter().map(|l| (l.unit_price_idr, l.quantity_remaining)).collect::<Vec<_>>(), [(55_000, 2)]);
        // Where the plan still holds, it is taken as planned.
        let (taken, terms) = app.db(|c| write_tx(c, |c| kriya::db::shelf::take_planned(c, agreement_id, variant_id, &[(&now[0], 2)], kriya::domain::now(), &period)));
        assert_eq!((terms.commission_bps, terms.seller_id, terms.closed), expected);
        assert_eq!(taken.iter().map(|t| (t.unit_price_idr, t.quantity)).collect::<Vec<_>>(), [(55_000, 2)]);
        assert!(app.db(|c| kriya::db::shelf::lots_of_variant(c, hotel_id, variant_id)).is_empty());
    }
}
