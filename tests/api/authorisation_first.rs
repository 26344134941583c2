//! Authorisation before the body: every write operation of the OpenAPI document, called by
//! a caller who may not use it with a body that would be refused (malformed JSON, a hostile
//! CSV, a broken multipart), answers 401, 403 or 404 — never 400, 413, 415 or 422, which
//! would mean the body was read first. The table must name every write operation, so a new
//! route cannot be added without saying who may not call it.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Account, TestApp};

/// Operations anyone may call: their body is what identifies the caller.
const PUBLIC: &[&str] = &[
    "POST /v1/auth/register",
    "POST /v1/auth/login",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
];

/// A body that every operation would refuse if it read it.
#[derive(Clone, Copy)]
enum Bad {
    Json,
    Csv,
    Multipart,
}

/// Every write operation (`METHOD /path`) of the served document.
async fn write_operations(app: &TestApp) -> BTreeSet<String> {
    let doc: Value = app
        .get("/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

async fn send(app: &TestApp, op: &str, path: &str, token: Option<&str>, bad: Bad) -> StatusCode {
    let method = Method::from_bytes(op.split(' ').next().unwrap().as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match bad {
        Bad::Json => req
            .header("content-type", "application/json")
            .body(r#"{"title": [1, 2"#),
        // Quadratic to number before the fix, and not valid participants either.
        Bad::Csv => req
            .header("content-type", "text/csv")
            .body(format!("name,whatsapp\n{}", "x,\n".repeat(20_000))),
        Bad::Multipart => req
            .header("content-type", "multipart/form-data; boundary=zz")
            .body("--zz\r\nnot a part"),
    };
    req.header("Idempotency-Key", Uuid::now_v7().to_string())
        .send()
        .await
        .expect("request sent")
        .status()
}

/// Fills every `{…}` of a documented path with something that parses (a fresh UUID, a month).
fn any_ids(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        let name = &rest[start + 1..end];
        out.push_str(&match name {
            "period" => "2026-11".to_owned(),
            _ => Uuid::now_v7().to_string(),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn bad_body_for(op: &str) -> Bad {
    if op.ends_with("/participants") {
        Bad::Csv
    } else if op == "POST /v1/products/{id}/images" {
        Bad::Multipart
    } else {
        Bad::Json
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// What the callers act on: one of everything, owned by `seller`, `hotel` and `buyer`.
struct World {
    seller: Account,
    other_seller: Account,
    hotel: Account,
    other_hotel: Account,
    buyer: Account,
    admin: Account,
    hotel_id: String,
    other_hotel_id: String,
    product_id: String,
    variant_id: String,
    image_id: String,
    agreement_id: String,
    consignment_id: String,
    part_id: String,
    webhook_id: String,
    training_id: String,
}

async fn world(app: &TestApp) -> World {
    let seller = app.active_seller().await;
    let other_seller = app.active_seller().await;
    let product = app.published_product(&seller).await;
    let product_id = id(&product);
    let variant_id = product["variants"][0]["id"].as_str().unwrap().to_owned();
    let image_id = product["images"][0]["id"].as_str().unwrap().to_owned();
    app.restock(&seller, &product_id, &variant_id, 10).await;
    let (hotel, hotel_id) = app.active_hotel().await;
    let (other_hotel, other_hotel_id) = app.active_hotel().await;
    let agreement_id = app.agreement(&seller, &hotel, &hotel_id, 2000, 90).await;
    let consignment = app
        .dispatch(&seller, &agreement_id, &variant_id, 2, 185_555)
        .await;
    let buyer = app.buyers(1).await.pop().unwrap();
    let res = app
        .client
        .post(app.url("/v1/orders"))
        .bearer_auth(&buyer.token)
        .header("Idempotency-Key", Uuid::now_v7().to_string())
        .json(
            &json!({"items": [{"variant_id": variant_id, "quantity": 1}],
            "shipping": crate::orders::shipping()}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "checkout");
    let order: Value = res.json().await.unwrap();
    let part_id = id(&order["parts"][0]);
    let res = app
        .post(
            "/v1/webhooks",
            Some(&seller.token),
            json!({"url": "http://127.0.0.1:9/kriya", "events": ["order.created"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "webhook");
    let webhook_id = id(&res.json::<Value>().await.unwrap());
    let admin = app.admin().await;
    let res = app
        .post(
            "/v1/admin/trainings",
            Some(&admin.token),
            json!({"title": "Pelatihan Batik Tulis", "sector": "batik", "held_from": "2021-09-06",
                "held_to": "2021-09-08", "venue": "Balai Kota Malang", "organiser": "Diskopindag"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "training");
    let training_id = id(&res.json::<Value>().await.unwrap());
    World {
        seller,
        other_seller,
        hotel,
        other_hotel,
        buyer,
        admin,
        hotel_id,
        other_hotel_id,
        product_id,
        variant_id,
        image_id,
        agreement_id,
        consignment_id: id(&consignment),
        part_id,
        webhook_id,
        training_id,
    }
}

/// For each write operation: a caller who may not use it, on which object, and the answer.
fn refusals(w: &World) -> BTreeMap<&'static str, (String, &Account, u16)> {
    let p = &w.product_id;
    let part = &w.part_id;
    let hook = &w.webhook_id;
    let agreement = &w.agreement_id;
    let training = &w.training_id;
    let rows: Vec<(&'static str, String, &Account, u16)> = vec![
        (
            "POST /v1/admin/sellers/{id}/approve",
            format!("/v1/admin/sellers/{}/approve", w.other_seller.seller_id()),
            &w.seller,
            403,
        ),
        (
            "POST /v1/admin/sellers/{id}/suspend",
            format!("/v1/admin/sellers/{}/suspend", w.other_seller.seller_id()),
            &w.seller,
            403,
        ),
        (
            "POST /v1/admin/hotels/{id}/approve",
            format!("/v1/admin/hotels/{}/approve", w.hotel_id),
            &w.hotel,
            403,
        ),
        (
            "POST /v1/admin/hotels/{id}/suspend",
            format!("/v1/admin/hotels/{}/suspend", w.other_hotel_id),
            &w.hotel,
            403,
        ),
        (
            "POST /v1/admin/trainings",
            "/v1/admin/trainings".to_owned(),
            &w.seller,
            403,
        ),
        (
            "PATCH /v1/admin/trainings/{id}",
            format!("/v1/admin/trainings/{training}"),
            &w.seller,
            403,
        ),
        (
            "POST /v1/admin/trainings/{id}/participants",
            format!("/v1/admin/trainings/{training}/participants"),
            &w.buyer,
            403,
        ),
        (
            "POST /v1/admin/trainings/{id}/participants/{pid}/link",
            format!(
                "/v1/admin/trainings/{training}/participants/{}/link",
                Uuid::now_v7()
            ),
            &w.seller,
            403,
        ),
        (
            "DELETE /v1/admin/trainings/{id}/participants/{pid}/link",
            format!(
                "/v1/admin/trainings/{training}/participants/{}/link",
                Uuid::now_v7()
            ),
            &w.hotel,
            403,
        ),
        (
            "PUT /v1/sellers/me",
            "/v1/sellers/me".to_owned(),
            &w.buyer,
            403,
        ),
        ("POST /v1/hotels", "/v1/hotels".to_owned(), &w.seller, 403),
        (
            "POST /v1/hotels/{id}/sales",
            format!("/v1/hotels/{}/sales", w.hotel_id),
            &w.other_hotel,
            403,
        ),
        (
            "POST /v1/hotels/{id}/returns",
            format!("/v1/hotels/{}/returns", w.hotel_id),
            &w.other_hotel,
            403,
        ),
        (
            "POST /v1/hotels/{id}/stock-counts",
            format!("/v1/hotels/{}/stock-counts", w.hotel_id),
            &w.seller,
            403,
        ),
        (
            "POST /v1/consignment-agreements",
            "/v1/consignment-agreements".to_owned(),
            &w.buyer,
            403,
        ),
        (
            "POST /v1/consignment-agreements/{id}/accept",
            format!("/v1/consignment-agreements/{agreement}/accept"),
            &w.other_hotel,
            404,
        ),
        (
            "POST /v1/consignment-agreements/{id}/end",
            format!("/v1/consignment-agreements/{agreement}/end"),
            &w.other_seller,
            404,
        ),
        (
            "POST /v1/consignment-agreements/{id}/statements/{period}/close",
            format!("/v1/consignment-agreements/{agreement}/statements/2026-11/close"),
            &w.other_seller,
            404,
        ),
        (
            "POST /v1/consignment-agreements/{id}/statements/{period}/paid",
            format!("/v1/consignment-agreements/{agreement}/statements/2026-11/paid"),
            &w.hotel,
            403,
        ),
        (
            "POST /v1/consignments",
            "/v1/consignments".to_owned(),
            &w.buyer,
            403,
        ),
        (
            "POST /v1/consignments/{id}/receive",
            format!("/v1/consignments/{}/receive", w.consignment_id),
            &w.other_hotel,
            404,
        ),
        ("POST /v1/orders", "/v1/orders".to_owned(), &w.seller, 403),
        (
            "POST /v1/order-parts/{id}/confirm",
            format!("/v1/order-parts/{part}/confirm"),
            &w.buyer,
            403,
        ),
        (
            "POST /v1/order-parts/{id}/mark-paid",
            format!("/v1/order-parts/{part}/mark-paid"),
            &w.other_seller,
            404,
        ),
        (
            "POST /v1/order-parts/{id}/ship",
            format!("/v1/order-parts/{part}/ship"),
            &w.buyer,
            403,
        ),
        (
            "POST /v1/order-parts/{id}/received",
            format!("/v1/order-parts/{part}/received"),
            &w.seller,
            403,
        ),
        (
            "POST /v1/order-parts/{id}/decline",
            format!("/v1/order-parts/{part}/decline"),
            &w.buyer,
            403,
        ),
        (
            "POST /v1/order-parts/{id}/cancel",
            format!("/v1/order-parts/{part}/cancel"),
            &w.other_seller,
            404,
        ),
        (
            "POST /v1/products",
            "/v1/products".to_owned(),
            &w.buyer,
            403,
        ),
        (
            "PATCH /v1/products/{id}",
            format!("/v1/products/{p}"),
            &w.other_seller,
            403,
        ),
        (
            "DELETE /v1/products/{id}",
            format!("/v1/products/{p}"),
            &w.other_seller,
            403,
        ),
        (
            "POST /v1/products/{id}/publish",
            format!("/v1/products/{p}/publish"),
            &w.other_seller,
            403,
        ),
        (
            "POST /v1/products/{id}/unpublish",
            format!("/v1/products/{p}/unpublish"),
            &w.other_seller,
            403,
        ),
        (
            "POST /v1/products/{id}/variants",
            format!("/v1/products/{p}/variants"),
            &w.other_seller,
            403,
        ),
        (
            "PATCH /v1/products/{id}/variants/{variant_id}",
            format!("/v1/products/{p}/variants/{}", w.variant_id),
            &w.other_seller,
            403,
        ),
        (
            "POST /v1/products/{id}/stock/adjustments",
            format!("/v1/products/{p}/stock/adjustments"),
            &w.other_seller,
            403,
        ),
        (
            "POST /v1/products/{id}/images",
            format!("/v1/products/{p}/images"),
            &w.other_seller,
            403,
        ),
        (
            "PUT /v1/products/{id}/images/order",
            format!("/v1/products/{p}/images/order"),
            &w.other_seller,
            403,
        ),
        (
            "DELETE /v1/products/{id}/images/{image_id}",
            format!("/v1/products/{p}/images/{}", w.image_id),
            &w.other_seller,
            403,
        ),
        (
            "POST /v1/webhooks",
            "/v1/webhooks".to_owned(),
            &w.buyer,
            403,
        ),
        (
            "PATCH /v1/webhooks/{id}",
            format!("/v1/webhooks/{hook}"),
            &w.other_seller,
            404,
        ),
        (
            "DELETE /v1/webhooks/{id}",
            format!("/v1/webhooks/{hook}"),
            &w.other_seller,
            404,
        ),
        (
            "POST /v1/webhooks/{id}/rotate-secret",
            format!("/v1/webhooks/{hook}/rotate-secret"),
            &w.admin,
            404,
        ),
        (
            "POST /v1/webhooks/{id}/test",
            format!("/v1/webhooks/{hook}/test"),
            &w.hotel,
            404,
        ),
        (
            "POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver",
            format!(
                "/v1/webhooks/{hook}/deliveries/{}/redeliver",
                Uuid::now_v7()
            ),
            &w.other_seller,
            404,
        ),
    ];
    rows.into_iter()
        .map(|(op, path, who, status)| (op, (path, who, status)))
        .collect()
}

crate::both_backends! {
    async fn every_write_answers_who_may_not_before_reading_the_body(app) with |c| {
        c.set("webhook_allow_private", "true");
    }; {
        let w = world(&app).await;
        let table = refusals(&w);
        let ops = write_operations(&app).await;
        let named: BTreeSet<String> = table
            .keys()
            .map(|k| k.to_string())
            .chain(PUBLIC.iter().map(|p| p.to_string()))
            .collect();
        let unnamed: Vec<&String> = ops.difference(&named).collect();
        assert!(unnamed.is_empty(), "write operations the table does not name: {unnamed:?}");
        let stale: Vec<&String> = named.difference(&ops).collect();
        assert!(stale.is_empty(), "the table names operations that do not exist: {stale:?}");

        let mut wrong = Vec::new();
        for op in &ops {
            if PUBLIC.contains(&op.as_str()) {
                continue;
            }
            let bad = bad_body_for(op);
            let template = op.split_once(' ').unwrap().1;
            let status = send(&app, op, &any_ids(template), None, bad).await;
            if status != StatusCode::UNAUTHORIZED {
                wrong.push(format!("{op} anonymous: {status}, not 401"));
            }
            let (path, who, expected) = &table[op.as_str()];
            let status = send(&app, op, path, Some(&who.token), bad).await;
            if status.as_u16() != *expected {
                wrong.push(format!("{op} as {}: {status}, not {expected}", who.email));
            }
        }
        assert!(wrong.is_empty(), "answered after reading the body (or wrongly):\n{}", wrong.join("\n"));

        // Nothing of what the refused calls named changed.
        let product: Value = app
            .get(&format!("/v1/products/{}", w.product_id), Some(&w.seller.token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(product["status"], "published");
        assert_eq!(product["images"].as_array().unwrap().len(), 1);
        let part: Value = app
            .get(&format!("/v1/order-parts/{}", w.part_id), Some(&w.buyer.token))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(part["status"], "awaiting_confirmation");
        app.assert_ledger_consistent();
    }
}

/// Handlers take request bodies only through `api::body::Body`, which opens with an
/// `Authorised`; an extractor that reads the body by itself would race the role check.
#[test]
fn handlers_read_bodies_only_through_the_authorised_body() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    let forbidden = [
        ": web::Json<",
        ": web::Bytes",
        ": web::Payload",
        ": web::Form<",
        ": Multipart",
        ": String,",
        ": Bytes,",
    ];
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "body.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut in_handler = false;
        for (i, line) in text.lines().enumerate() {
            let route = ["#[get(", "#[post(", "#[put(", "#[patch(", "#[delete("];
            if route.iter().any(|r| line.starts_with(r)) {
                in_handler = true;
            }
            if in_handler && forbidden.iter().any(|f| line.trim_start().contains(f)) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
            if line.starts_with(")") {
                in_handler = false;
            }
        }
    }
    assert!(
        found.is_empty(),
        "handlers reading a body without authorisation:\n{}",
        found.join("\n")
    );
}
