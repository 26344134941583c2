use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{fields, problem};

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

both_backends! {
    async fn a_size_is_added_and_edited(app) {
        let seller = app.active_seller().await;
        let shirt = app.create_product(&seller, json!({
            "category": "fashion", "sku": "KMJ-02", "price_idr": 300000,
            "variants": [{"sku": "KMJ-02-M", "options": {"size": "M"}}]
        })).await;
        let path = format!("/v1/products/{}/variants", id(&shirt));
        let res = app.client.post(app.url(&path)).bearer_auth(&seller.token).header("if-match", "\"v1\"")
            .json(&json!({"sku": "KMJ-02-XL", "options": {"size": "XL"}, "price_idr": 325000})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers().get("etag").unwrap(), "\"v2\"");
        let product: Value = res.json().await.unwrap();
        let variants = product["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 2);
        assert_eq!(variants[1]["price_idr"], 325000);

        let xl = format!("{path}/{}", id(&variants[1]));
        let res = app.client.patch(app.url(&xl)).bearer_auth(&seller.token).header("if-match", "\"v2\"")
            .json(&json!({"price_idr": null, "options": {"size": "XXL"}})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let product: Value = res.json().await.unwrap();
        assert_eq!(product["variants"][1]["price_idr"], 300000, "back to the product price");
        assert_eq!(product["variants"][1]["options"]["size"], "XXL");

        let res = app.client.patch(app.url(&xl)).bearer_auth(&seller.token).header("if-match", "\"v2\"")
            .json(&json!({"sku": "KMJ-02-3XL"})).send().await.unwrap();
        problem(res, 412).await;
    }

    async fn variant_rules_hold_after_creation(app) {
        let seller = app.active_seller().await;
        let single = app.create_product(&seller, json!({"sku": "LEAF-9"})).await;
        let path = format!("/v1/products/{}/variants", id(&single));
        // The default variant has no options, so a second one cannot be told apart.
        let body = problem(app.post(&path, Some(&seller.token), json!({"sku": "LEAF-9B", "options": {"size": "L"}})).await, 422).await;
        assert_eq!(fields(&body), vec!["variants"]);
        let default = format!("{path}/{}", id(&single["variants"][0]));
        let res = app.request(Method::PATCH, &default, Some(&seller.token), Some(json!({"options": {"size": "M"}}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.post(&path, Some(&seller.token), json!({"sku": "LEAF-9B", "options": {"size": "L"}})).await.status(), StatusCode::CREATED);
        let body = problem(app.post(&path, Some(&seller.token), json!({"sku": "LEAF-9C", "options": {"size": "L"}})).await, 422).await;
        assert_eq!(fields(&body), vec!["options"]);
        let body = problem(app.post(&path, Some(&seller.token), json!({"sku": "LEAF-9", "options": {"size": "S"}})).await, 422).await;
        assert_eq!(fields(&body), vec!["sku"], "a SKU of this product");
        app.create_product(&seller, json!({"sku": "BAG-1"})).await;
        problem(app.post(&path, Some(&seller.token), json!({"sku": "BAG-1", "options": {"size": "S"}})).await, 409).await;
        let body = problem(app.post(&path, Some(&seller.token), json!({"sku": "bad sku", "options": {}, "price_idr": 0})).await, 422).await;
        assert_eq!(fields(&body), vec!["sku", "price_idr"]);
        let stored: Value = app.get(&format!("/v1/products/{}", id(&single)), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(stored["variants"].as_array().unwrap().len(), 2, "refused variants leave nothing");
    }

    async fn only_the_owner_changes_variants(app) {
        let seller = app.active_seller().await;
        let product = app.published_product(&seller).await;
        let draft = app.create_product(&seller, json!({})).await;
        let other = app.active_seller().await;
        let buyer = app.register("buyer").await;
        for (p, other_status) in [(&product, 403), (&draft, 404)] {
            let add = format!("/v1/products/{}/variants", id(p));
            let edit = format!("{add}/{}", id(&p["variants"][0]));
            let body = json!({"sku": "X-1", "options": {"size": "S"}});
            problem(app.post(&add, Some(&other.token), body.clone()).await, other_status).await;
            problem(app.post(&add, Some(&buyer.token), body.clone()).await, 403).await;
            problem(app.post(&add, None, body.clone()).await, 401).await;
            problem(app.request(Method::PATCH, &edit, Some(&other.token), Some(json!({"price_idr": 1}))).await, other_status).await;
        }
        // A variant id of another product is not found under this one.
        let other_product = app.create_product(&other, json!({})).await;
        let crossed = format!("/v1/products/{}/variants/{}", id(&product), id(&other_product["variants"][0]));
        problem(app.request(Method::PATCH, &crossed, Some(&seller.token), Some(json!({"price_idr": 1}))).await, 404).await;
        let stored: Value = app.get(&format!("/v1/products/{}", id(&other_product)), Some(&other.token)).await.json().await.unwrap();
        assert_eq!(stored["variants"][0]["price_idr"], 185555);
    }
}
