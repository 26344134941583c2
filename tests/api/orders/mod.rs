//! Online orders over HTTP, on both databases: checkout, the parts' lifecycle, who may see
//! and move what, the sweep, and what search shows of own stock.

mod access;
mod checkout;
mod fair_use;
mod lifecycle;
mod racing;
mod sweep;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Account, TestApp};

/// A seller with one published product and `units` of it in its own stock.
pub struct Goods {
    pub seller: Account,
    pub product_id: String,
    pub variant_id: String,
    pub price: i64,
}

pub async fn goods(app: &TestApp, units: i64) -> Goods {
    let seller = app.active_seller().await;
    let product = app.published_product(&seller).await;
    let product_id = product["id"].as_str().unwrap().to_owned();
    let variant_id = product["variants"][0]["id"].as_str().unwrap().to_owned();
    if units > 0 {
        app.restock(&seller, &product_id, &variant_id, units).await;
    }
    Goods {
        seller,
        price: product["price_idr"].as_i64().unwrap(),
        product_id,
        variant_id,
    }
}

pub fn shipping() -> Value {
    json!({"recipient": "Sri Wahyuni", "phone": "0812-3456-7890", "address": "Jl. Ijen No. 25",
        "kelurahan": "Oro-oro Dowo", "kecamatan": "Klojen", "city": "Malang",
        "province": "Jawa Timur", "postal_code": "65119"})
}

/// `POST /v1/orders` with `items` and a fresh key (or `key`).
pub async fn place(app: &TestApp, buyer: &Account, items: Value, key: Option<&str>) -> Response {
    let key = key.map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    app.client
        .post(app.url("/v1/orders"))
        .bearer_auth(&buyer.token)
        .header("Idempotency-Key", key)
        .json(&json!({"items": items, "shipping": shipping()}))
        .send()
        .await
        .unwrap()
}

/// Places an order of `quantity` units of each goods (201 asserted).
pub async fn order(app: &TestApp, buyer: &Account, lines: &[(&Goods, i64)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(g, q)| json!({"variant_id": g.variant_id, "quantity": q}))
        .collect();
    let res = place(app, buyer, json!(items), None).await;
    assert_eq!(res.status(), StatusCode::CREATED, "checkout");
    res.json().await.unwrap()
}

/// The part of `order` that belongs to `goods`' seller.
pub fn part_of(order: &Value, goods: &Goods) -> String {
    order["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["seller"]["id"] == goods.seller.seller_id())
        .expect("a part of this seller")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `POST /v1/order-parts/{id}/{action}`.
pub async fn step(app: &TestApp, who: &Account, part: &str, action: &str, body: Value) -> Response {
    app.post(
        &format!("/v1/order-parts/{part}/{action}"),
        Some(&who.token),
        body,
    )
    .await
}

/// Moves a part through `actions` (each asserted 200); the last answer.
pub async fn walk(
    app: &TestApp,
    g: &Goods,
    buyer: &Account,
    part: &str,
    actions: &[&str],
) -> Value {
    let mut last = Value::Null;
    for action in actions {
        let (who, body) = match *action {
            "confirm" => (&g.seller, json!({"shipping_idr": 18_000})),
            "mark-paid" => (&g.seller, json!({"reference": "BCA 02/12"})),
            "ship" => (
                &g.seller,
                json!({"courier": "JNE REG", "tracking_number": "CGK123"}),
            ),
            "received" => (buyer, json!({})),
            other => panic!("not a step: {other}"),
        };
        let res = step(app, who, part, action, body).await;
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        last = res.json().await.unwrap();
    }
    last
}

/// The product's first variant in `GET /v1/products/{id}/stock`.
pub async fn stock(app: &TestApp, g: &Goods) -> Value {
    let res = app
        .get(
            &format!("/v1/products/{}/stock", g.product_id),
            Some(&g.seller.token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["variants"][0].clone()
}

/// Own, reserved and sold-online units of the goods.
pub async fn places(app: &TestApp, g: &Goods) -> (i64, i64, i64) {
    let v = stock(app, g).await;
    let own = v["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location"] == "own")
        .unwrap()["quantity"]
        .as_i64()
        .unwrap();
    (
        own,
        v["reserved"].as_i64().unwrap(),
        v["sold_online"].as_i64().unwrap(),
    )
}
