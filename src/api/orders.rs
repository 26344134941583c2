//! `/v1/orders`: a buyer's checkout and its orders.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::body::Body;
use super::idempotency::{self, IdempotencyKey};
use super::lines::parse_lines_up_to;
use super::pagination::{Page, PageRequest};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::account::Role;
use crate::domain::order::{MAX_LINES, MAX_QUANTITY, parse_postal_code};
use crate::domain::phone::parse_phone;
use crate::domain::seller::parse_kecamatan;
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::idempotency::Claim;
use crate::services::orders::view::{Order, ShippingAddress};
use crate::services::orders::{self, OrderItem, PlaceOrder};
use crate::state::AppState;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineInput {
    #[schema(required = true, nullable = false)]
    pub variant_id: Option<Uuid>,
    /// 1–100 units.
    #[schema(required = true, nullable = false)]
    pub quantity: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippingInput {
    #[schema(required = true, nullable = false)]
    pub recipient: Option<String>,
    /// An Indonesian number (`08…` or `+62…`).
    #[schema(required = true, nullable = false)]
    pub phone: Option<String>,
    #[schema(required = true, nullable = false)]
    pub address: Option<String>,
    pub kelurahan: Option<String>,
    /// One of Malang's five kecamatan, when the parcel stays in Malang.
    pub kecamatan: Option<String>,
    #[schema(required = true, nullable = false)]
    pub city: Option<String>,
    #[schema(required = true, nullable = false)]
    pub province: Option<String>,
    /// Five digits.
    #[schema(required = true, nullable = false)]
    pub postal_code: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"variant_id": "01934f6e-8000-7000-8000-000000000002", "quantity": 2}],
    "shipping": {"recipient": "Sri Wahyuni", "phone": "0812-3456-7890", "address": "Jl. Ijen No. 25",
        "kelurahan": "Oro-oro Dowo", "kecamatan": "Klojen", "city": "Malang",
        "province": "Jawa Timur", "postal_code": "65119"},
    "note": "Tolong dibungkus kado"}))]
pub struct OrderRequest {
    /// 1–50 lines, a variant on at most one line.
    #[schema(required = true, nullable = false)]
    pub items: Option<Vec<OrderLineInput>>,
    #[schema(required = true, nullable = false)]
    pub shipping: Option<ShippingInput>,
    /// For the sellers (up to 1000 characters).
    pub note: Option<String>,
}

fn text(v: &mut Violations, field: &str, raw: Option<String>, max: usize) -> Option<String> {
    v.require(field, raw, |s| bounded(&s, 1, max, false))
}

fn optional_text(
    v: &mut Violations,
    field: &str,
    raw: Option<String>,
    parse: impl FnOnce(&str) -> Result<String, String>,
) -> Option<Option<String>> {
    match raw {
        Some(s) if !s.trim().is_empty() => v.check(field, parse(&s)).map(Some),
        _ => Some(None),
    }
}

fn parse_shipping(raw: Option<ShippingInput>, v: &mut Violations) -> Option<ShippingAddress> {
    let Some(s) = raw else {
        v.add("shipping", "is required");
        return None;
    };
    let recipient = text(v, "shipping.recipient", s.recipient, 100);
    let phone = v.require("shipping.phone", s.phone, |p| parse_phone(&p));
    let address = v.require("shipping.address", s.address, |a| bounded(&a, 5, 500, true));
    let kelurahan = optional_text(v, "shipping.kelurahan", s.kelurahan, |k| {
        bounded(k, 1, 100, false)
    });
    let kecamatan = optional_text(v, "shipping.kecamatan", s.kecamatan, |k| {
        bounded(k, 1, 100, false)
    });
    let city = text(v, "shipping.city", s.city, 100);
    let province = text(v, "shipping.province", s.province, 100);
    let postal_code = v.require("shipping.postal_code", s.postal_code, |p| {
        parse_postal_code(&p)
    });
    let city_value = city?;
    // Within Malang the kecamatan, when given, must be one of its five.
    let kecamatan = match kecamatan? {
        Some(k) if city_value.eq_ignore_ascii_case("malang") => v
            .check("shipping.kecamatan", parse_kecamatan(&k))
            .map(Some)?,
        other => other,
    };
    Some(ShippingAddress {
        recipient: recipient?,
        phone: phone?,
        address: address?,
        kelurahan: kelurahan?,
        kecamatan,
        city: city_value,
        province: province?,
        postal_code: postal_code?,
    })
}

/// Places an order: every line's units are reserved from its seller's own stock in one
/// transaction (all or nothing), prices are frozen, and the order is split into one part
/// per seller, each awaiting its seller's confirmation. `Idempotency-Key` is required.
///
/// Fair use: a buyer may hold at most `KRIYA_ORDER_MAX_UNITS_PER_VARIANT` (20) units, and at
/// most `KRIYA_ORDER_MAX_SHARE_PERCENT` (50 %) of the units for sale online (at least one), of
/// one variant in parts awaiting confirmation or payment, and at most
/// `KRIYA_ORDER_MAX_OPEN_PARTS` (10) parts awaiting confirmation, this order's included (409
/// `order-limit` naming each);
/// an account may check out `KRIYA_CHECKOUT_RATE_LIMIT_PER_MINUTE` (10) times a minute (429
/// with `Retry-After`, before the body is read; every checkout counts, refused ones too,
/// but a replay of a key already used is never refused).
#[utoipa::path(tag = "orders", security(("bearer" = [])), request_body = OrderRequest,
    params(("Idempotency-Key" = String, Header, description = "Required: 1–255 visible ASCII characters; the same key and body replays the first answer", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 201, body = Order, headers(("Idempotent-Replayed" = String, description = "`true` on a replay"))),
    (status = 400, description = "No `Idempotency-Key`, or the body is not valid JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a buyer account", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A line asks for more units than the seller holds (`type` `…:insufficient-stock`; `errors` names each: `only N available`), or the order would pass a fair-use limit (`type` `…:order-limit`; `errors` names each line over the units, or the share of a variant's units, the buyer may hold, `items[i].quantity`, with what it holds, and `items` when the buyer would have too many parts awaiting confirmation); nothing was reserved. Or the key was used for another request", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Over 1 MiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not `application/json`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named: 1–50 lines, 1–100 units, a variant on one line only, a variant of a published product of an active seller, the address", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "The account checked out too often this minute (`Retry-After` says when to try again)", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = String, description = "Seconds to wait"))),
))]
#[post("/v1/orders")]
pub async fn place_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    buyer: AuthUser,
    key: IdempotencyKey,
    body: Body,
) -> AppResult<HttpResponse> {
    let ok = buyer.require_role_in(&[Role::Buyer])?;
    let Some(key) = key.0 else {
        return Err(AppError::BadRequest(format!(
            "an order needs an {} header (any unique string, e.g. a UUID) so a retry cannot \
             order twice",
            idempotency::HEADER
        )));
    };
    limit_checkouts(&state, buyer.id, &key).await?;
    let body: OrderRequest = body.json(&ok).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let items = parse_lines_up_to(
        MAX_LINES,
        body.items,
        &mut v,
        |i, line: OrderLineInput, v| {
            let variant = v.require(format!("items[{i}].variant_id"), line.variant_id, Ok);
            let quantity = v.require(format!("items[{i}].quantity"), line.quantity, |q| {
                if (1..=MAX_QUANTITY).contains(&q) {
                    Ok(q)
                } else {
                    Err(format!("must be between 1 and {MAX_QUANTITY}"))
                }
            });
            Some(OrderItem {
                line: i,
                variant_id: variant?,
                quantity: quantity?,
            })
        },
        |item| Some(item.variant_id),
    );
    let shipping = parse_shipping(body.shipping, &mut v);
    let note = optional_text(&mut v, "note", body.note, |n| bounded(n, 1, 1000, true));
    v.finish()?;
    let input = PlaceOrder {
        items,
        shipping: shipping.ok_or_else(|| AppError::invalid("shipping", "is invalid"))?,
        note: note.flatten(),
    };
    let claim = Claim {
        user_id: buyer.id,
        key: Some(key),
        fingerprint,
    };
    let limits = state.fair_use;
    let placed = state
        .db(move |conn| orders::place(conn, &buyer, input, &claim, limits))
        .await?;
    idempotency::render(StatusCode::CREATED, placed)
}

/// Counts a checkout against the account's limit. A request over it whose key was used
/// before is let through: it only answers what the first answered, and changes nothing.
async fn limit_checkouts(state: &AppState, buyer_id: Uuid, key: &str) -> AppResult<()> {
    let Err(limited) = state.checkout_limiter.check(&buyer_id) else {
        return Ok(());
    };
    let key = key.to_owned();
    let used = state
        .db(move |conn| Ok(db::idempotency::find(conn, buyer_id, &key)?.is_some()))
        .await?;
    if used { Ok(()) } else { Err(limited) }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's orders, newest first, each with its parts.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(OrderListQuery), responses(
    (status = 200, body = inline(Page<Order>)),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<OrderListQuery>,
) -> AppResult<web::Json<Page<Order>>> {
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| orders::orders_of(conn, &user, after, fetch))
        .await?;
    Ok(web::Json(page.finish(rows, |o| o.id, |o| o)))
}

/// One of the caller's orders with its parts.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Order),
    (status = 404, description = "No such order of the caller's", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Order>> {
    let id = id.into_inner();
    let order = state
        .db(move |conn| orders::order_for(conn, &user, id))
        .await?;
    Ok(web::Json(order))
}
