//! Events reach the endpoints of their parties, signed, with the object as the API shows it;
//! nobody else's.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::receiver::{Answer, Receiver};
use super::{deliveries, endpoint, local, settled, verifies};
use crate::both_backends;
use crate::orders::{goods, order, part_of, walk};
use crate::support::TestApp;

/// Checks the Standard Webhooks headers of a request against `secret`.
fn assert_signed(r: &super::receiver::Received, secret: &str) {
    let (id, ts, sig) = (
        r.header("webhook-id"),
        r.header("webhook-timestamp"),
        r.header("webhook-signature"),
    );
    assert!(
        !id.is_empty() && !sig.is_empty(),
        "headers: {:?}",
        r.headers
    );
    let sent: i64 = ts.parse().expect("unix seconds");
    assert!(
        (chrono::Utc::now().timestamp() - sent).abs() < 300,
        "timestamp {sent}"
    );
    assert!(
        verifies(secret, id, ts, &r.body, sig),
        "signature of {}",
        r.body
    );
    assert!(
        !verifies(secret, id, ts, &format!("{} ", r.body), sig),
        "a changed body fails"
    );
    assert_eq!(r.header("content-type"), "application/json");
}

both_backends! {
    async fn events_arrive_signed_at_their_parties_endpoints_only(app) with local; {
        let seller = app.active_seller().await;
        let other = app.active_seller().await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let admin = app.admin().await;
        let everything = ["product.published", "consignment.dispatched", "consignment.received", "sale.recorded", "statement.closed"];
        let (rs, ro, rh, ra) = (Receiver::start(Answer::Status(200)).await, Receiver::start(Answer::Status(204)).await,
            Receiver::start(Answer::Status(200)).await, Receiver::start(Answer::Status(202)).await);
        let (_, s_secret) = endpoint(&app, &seller, &rs.url, &everything).await;
        let (other_id, _) = endpoint(&app, &other, &ro.url, &everything).await;
        let (_, h_secret) = endpoint(&app, &hotel, &rh.url, &everything).await;
        let (_, a_secret) = endpoint(&app, &admin, &ra.url, &["product.published", "sale.recorded"]).await;

        let published = app.published_product(&seller).await;
        let got = rs.wait_for(1).await;
        let event = got[0].json();
        assert_eq!(event["type"], "product.published");
        assert_eq!(event["data"], published, "data is the product as the API showed it to its seller");
        assert!(chrono::DateTime::parse_from_rfc3339(event["timestamp"].as_str().unwrap()).is_ok());
        assert_signed(&got[0], &s_secret);
        let to_admin = ra.wait_for(1).await;
        assert_eq!(to_admin[0].json()["data"]["id"], published["id"]);
        assert_signed(&to_admin[0], &a_secret);
        assert_eq!(to_admin[0].header("webhook-id"), got[0].header("webhook-id"), "one event, one id");

        // Consignment and a sale: the seller and the hotel are parties; the other seller not.
        let pid = published["id"].as_str().unwrap();
        let vid = published["variants"][0]["id"].as_str().unwrap();
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 2000, 60).await;
        app.restock(&seller, pid, vid, 5).await;
        let consignment = app.dispatch(&seller, &agreement, vid, 3, 150_000).await;
        let cid = consignment["id"].as_str().unwrap();
        let res = app.post(&format!("/v1/consignments/{cid}/receive"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let received: Value = res.json().await.unwrap();
        let res = app.post(&format!("/v1/hotels/{hotel_id}/sales"), Some(&hotel.token),
            json!({"items": [{"variant_id": vid, "quantity": 2, "unit_price_idr": 185_555}]})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let sale: Value = res.json().await.unwrap();

        let at_hotel = rh.wait_for(3).await;
        let types: Vec<String> = at_hotel.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
        for t in ["consignment.dispatched", "consignment.received", "sale.recorded"] {
            assert!(types.contains(&t.to_owned()), "{t} in {types:?}");
        }
        assert!(!types.contains(&"product.published".to_owned()), "a hotel is no party to a product");
        for r in &at_hotel {
            assert_signed(r, &h_secret);
        }
        assert_eq!(rh.of_type("sale.recorded")[0].json()["data"], sale);
        assert_eq!(rh.of_type("consignment.received")[0].json()["data"], received);
        rs.wait_for(4).await;
        assert_eq!(rs.of_type("consignment.dispatched")[0].json()["data"], consignment);
        assert_eq!(rs.of_type("sale.recorded")[0].json()["data"]["total_idr"], 2 * 185_555);
        ra.wait_for(2).await;
        assert_eq!(ra.of_type("sale.recorded")[0].json()["data"], sale);

        // The other seller's endpoint heard none of it: its own test event is all it has.
        let res = app.post(&format!("/v1/webhooks/{other_id}/test"), Some(&other.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let test_id = res.json::<Value>().await.unwrap()["event_id"].as_str().unwrap().to_owned();
        let log = settled(&app, &other, &other_id, 1).await;
        assert_eq!(log.len(), 1, "{log:#?}");
        assert_eq!(log[0]["event_id"], test_id.as_str());
        assert_eq!(log[0]["event_type"], "webhook.test");
        assert_eq!(log[0]["status"], "succeeded");
        assert_eq!(log[0]["attempts"][0]["status_code"], 204);
        let got = ro.wait_for(1).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].json()["type"], "webhook.test");

        let metrics = app.get("/metrics", None).await.text().await.unwrap();
        assert!(metrics.contains("kriya_webhook_deliveries_total{outcome=\"succeeded\"}"), "{metrics}");
        assert!(metrics.contains("kriya_webhook_backlog"));
        assert!(metrics.contains("kriya_webhook_oldest_pending_seconds"));
    }

    async fn order_events_reach_each_seller_with_its_own_part(app) with local; {
        let daun = goods(&app, 5).await;
        let batik = goods(&app, 5).await;
        let (rd, rb) = (Receiver::start(Answer::Status(200)).await, Receiver::start(Answer::Status(200)).await);
        let events = ["order.created", "order_part.confirmed", "order_part.paid", "order_part.shipped", "order_part.completed", "order_part.cancelled"];
        endpoint(&app, &daun.seller, &rd.url, &events).await;
        endpoint(&app, &batik.seller, &rb.url, &events).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&daun, 2), (&batik, 1)]).await;
        let pd = part_of(&placed, &daun);
        let shipped = walk(&app, &daun, &buyer, &pd, &["confirm", "mark-paid", "ship"]).await;
        let got = rd.wait_for(4).await;
        let types: Vec<String> = got.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
        for t in ["order.created", "order_part.confirmed", "order_part.paid", "order_part.shipped"] {
            assert!(types.iter().any(|x| x == t), "{t} in {types:?}");
        }
        assert_eq!(types.len(), 4, "{types:?}");
        let created = rd.of_type("order.created")[0].json()["data"].clone();
        assert_eq!(created["id"], placed["id"]);
        assert_eq!(created["parts"].as_array().unwrap().len(), 1, "only its own part");
        assert_eq!(created["parts"][0]["id"], pd.as_str());
        assert_eq!(created["items_idr"].as_i64(), Some(2 * daun.price));
        assert_eq!(rd.of_type("order_part.shipped")[0].json()["data"], shipped);

        let at_batik = rb.wait_for(1).await;
        let data = at_batik[0].json()["data"].clone();
        assert_eq!(data["parts"].as_array().unwrap().len(), 1);
        assert_eq!(data["parts"][0]["seller"]["id"], batik.seller.seller_id());
        // Nothing of the other part's steps.
        let res = app.post(&format!("/v1/order-parts/{}/cancel", part_of(&placed, &batik)), Some(&batik.seller.token),
            json!({"reason": "Kain habis"})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let at_batik = rb.wait_for(2).await;
        let types: Vec<String> = at_batik.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
        assert_eq!(types, ["order.created", "order_part.cancelled"]);
    }

    async fn after_a_rotation_both_secrets_sign_for_a_day(app) with local; {
        let hotel = app.active_hotel().await.0;
        let r = Receiver::start(Answer::Status(200)).await;
        let (id, old) = endpoint(&app, &hotel, &r.url, &["sale.recorded"]).await;
        let res = app.post(&format!("/v1/webhooks/{id}/rotate-secret"), Some(&hotel.token), json!({})).await;
        let new = res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
        let res = app.post(&format!("/v1/webhooks/{id}/test"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let got = r.wait_for(1).await;
        let sig = got[0].header("webhook-signature");
        assert_eq!(sig.split(' ').count(), 2, "{sig}");
        let (id_h, ts) = (got[0].header("webhook-id"), got[0].header("webhook-timestamp"));
        let first = sig.split(' ').next().unwrap();
        assert!(verifies(&new, id_h, ts, &got[0].body, first), "the new secret's signature comes first");
        assert!(verifies(&old, id_h, ts, &got[0].body, sig), "the old secret still verifies");
        assert_eq!(got[0].json()["type"], "webhook.test");
        assert_eq!(got[0].json()["data"]["webhook_id"], id.as_str());

        // The log is kept 30 days, then forgotten.
        settled(&app, &hotel, &id, 1).await;
        let swept = app.db(|c| kriya::janitor::sweep(c, chrono::Utc::now()));
        assert_eq!(swept.webhook_log, 0);
        let later = chrono::Utc::now() + chrono::Duration::days(31);
        let swept = app.db(|c| kriya::janitor::sweep(c, later));
        assert_eq!(swept.webhook_log, 4, "the attempt, the delivery, the test event and the hotel's approval, which no endpoint heard: {swept:?}");
        assert!(deliveries(&app, &hotel, &id).await.is_empty());
    }
}

/// The receiver's endpoint, owned by an admin, hearing `product.published`.
async fn admin_endpoint(app: &TestApp, r: &Receiver) -> (crate::support::Account, String) {
    let admin = app.admin().await;
    let (id, _) = endpoint(app, &admin, &r.url, &["product.published"]).await;
    (admin, id)
}

both_backends! {
    async fn a_payload_over_256_kib_is_not_sent_and_the_log_says_why(app) with local; {
        let r = Receiver::start(Answer::Status(200)).await;
        let (admin, id) = admin_endpoint(&app, &r).await;
        let big = json!({"id": "x", "blob": "a".repeat(300 * 1024)});
        app.db(|c| {
            let audience = kriya::domain::webhook::Audience { seller_id: None, hotel_id: None, admins: true };
            kriya::db::write_tx(c, |c| kriya::webhooks::emit(c, kriya::domain::webhook::EventType::ProductPublished, audience, &big))
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))
        });
        let log = settled(&app, &admin, &id, 1).await;
        assert_eq!(log[0]["status"], "failed");
        let attempt = &log[0]["attempts"][0];
        assert!(attempt["error"].as_str().unwrap().contains("256 KiB"), "{attempt}");
        assert_eq!(attempt["status_code"], Value::Null);
        assert!(r.received().is_empty(), "nothing was sent");
    }
}
