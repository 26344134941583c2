//! Every order endpoint with someone else's id: another buyer, another seller, a hotel and
//! nobody. Only the order's buyer and the part's seller see anything.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{goods, order, part_of, places};
use crate::both_backends;
use crate::support::problem;

both_backends! {
    async fn nobody_else_sees_or_moves_an_order(app) {
        let g = goods(&app, 5).await;
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 1)]).await;
        let order_id = placed["id"].as_str().unwrap();
        let part = part_of(&placed, &g);
        let other_buyer = app.register("buyer").await;
        let other_seller = goods(&app, 1).await.seller;
        let (hotel, _) = app.active_hotel().await;
        let admin = app.admin().await;
        let reads = [format!("/v1/orders/{order_id}"), format!("/v1/order-parts/{part}")];
        let moves = [
            ("confirm", json!({"shipping_idr": 0})),
            ("mark-paid", json!({"reference": "x"})),
            ("ship", json!({"courier": "JNE", "tracking_number": "1"})),
            ("received", json!({})),
            ("cancel", json!({"reason": "x"})),
            ("decline", json!({"reason": "x"})),
        ];
        for (who, token) in [("another buyer", &other_buyer.token), ("another seller", &other_seller.token),
            ("a hotel", &hotel.token), ("an admin", &admin.token)] {
            for path in &reads {
                let res = app.get(path, Some(token)).await;
                assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} reads {path}");
                problem(res, 404).await;
            }
            for (action, body) in &moves {
                let res = app.post(&format!("/v1/order-parts/{part}/{action}"), Some(token), body.clone()).await;
                assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} {action}");
            }
            let mine: Value = app.get("/v1/orders", Some(token)).await.json().await.unwrap();
            assert!(mine["items"].as_array().unwrap().is_empty(), "{who}'s orders");
        }
        let theirs: Value = app.get("/v1/order-parts", Some(&other_seller.token)).await.json().await.unwrap();
        assert!(theirs["items"].as_array().unwrap().is_empty(), "another seller's parts");
        problem(app.get("/v1/order-parts", Some(&buyer.token)).await, 403).await;
        for path in reads.iter().chain(["/v1/orders".to_owned(), "/v1/order-parts".to_owned()].iter()) {
            problem(app.get(path, None).await, 401).await;
        }
        for (action, body) in &moves {
            problem(app.post(&format!("/v1/order-parts/{part}/{action}"), None, body.clone()).await, 401).await;
        }
        // Ids that are not ids, or name nothing.
        problem(app.get("/v1/orders/not-an-id", Some(&buyer.token)).await, 404).await;
        problem(app.get(&format!("/v1/order-parts/{}", uuid::Uuid::now_v7()), Some(&g.seller.token)).await, 404).await;
        problem(app.request(Method::DELETE, &format!("/v1/orders/{order_id}"), Some(&buyer.token), None).await, 405).await;
        assert_eq!(places(&app, &g).await, (4, 1, 0), "nothing moved");

        // The two parties do see it.
        let res = app.get(&format!("/v1/orders/{order_id}"), Some(&buyer.token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        for token in [&buyer.token, &g.seller.token] {
            let res = app.get(&format!("/v1/order-parts/{part}"), Some(token)).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let listed: Value = app.get("/v1/order-parts?status=awaiting_confirmation", Some(&g.seller.token)).await.json().await.unwrap();
        assert_eq!(listed["items"][0]["id"], part.as_str());
        assert_eq!(listed["items"][0]["shipping"]["postal_code"], "65119", "the seller sees where to ship");
        let none: Value = app.get("/v1/order-parts?status=shipped", Some(&g.seller.token)).await.json().await.unwrap();
        assert!(none["items"].as_array().unwrap().is_empty());
        let p = problem(app.get("/v1/order-parts?status=lost", Some(&g.seller.token)).await, 422).await;
        assert_eq!(p["errors"][0]["field"], "status");
    }
}
