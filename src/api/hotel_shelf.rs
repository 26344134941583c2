//! A hotel's shelf: sales at its shop, returns to sellers, stock counts, and what it holds.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::idempotency::{self, IdempotencyKey};
use super::lines::parse_lines;
use crate::auth::HotelAccount;
use crate::auth::access::Actor;
use crate::db;
use crate::domain::label::LabelCode;
use crate::domain::money::PriceIdr;
use crate::domain::now;
use crate::domain::seller::SellerStatus;
use crate::domain::stock::parse_quantity;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::shelf::{self, Return, Sale, ShelfLot, StockCount, TillLine};
use crate::state::AppState;

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleLineInput {
    /// The variant sold; may be left out when `label_code` names it.
    pub variant_id: Option<Uuid>,
    /// The code on the unit's shelf label, as scanned (`KRY1:…`) or typed, instead of (or
    /// with) `variant_id`.
    pub label_code: Option<String>,
    #[schema(required = true, nullable = false)]
    pub quantity: Option<i64>,
    /// The price the shop sold the unit at.
    #[schema(required = true, nullable = false)]
    pub unit_price_idr: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"variant_id": "01934f6e-8000-7000-8000-000000000002", "quantity": 1, "unit_price_idr": 185555}],
    "sold_at": "2026-11-24T10:15:00+07:00"}))]
pub struct SaleRequest {
    #[schema(required = true, nullable = false)]
    pub items: Option<Vec<SaleLineInput>>,
    /// When the sale happened; now when left out.
    pub sold_at: Option<DateTime<Utc>>,
}

/// Record a sale at the hotel's shop. A line names its variant by `variant_id` or by the
/// `label_code` scanned off the unit's shelf label (one of a consignment to this hotel).
/// Honours `Idempotency-Key`. Nothing is written when
/// the shelf holds fewer units than a line asks or the month is closed (409), or when
/// `sold_at` is in the future or before a line's units reached the shelf, or a line is
/// priced below its consignment price (422 naming each).
#[utoipa::path(tag = "consignment", security(("bearer" = [])), request_body = SaleRequest,
    params(("id" = Uuid, Path, description = "Hotel id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 201, body = Sale),
    (status = 403, description = "Not this hotel's account", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such hotel visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not enough on the shelf, a closed month, or the key was used for another request", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A line priced below its consignment price, or `sold_at` in the future or before the units reached the shelf", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/hotels/{id}/sales")]
pub async fn record_sale(
    req: HttpRequest,
    state: web::Data<AppState>,
    HotelAccount(hotel): HotelAccount,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        shelf::authorize_own_hotel(conn, &hotel, id)
    })
    .await?;
    let body: SaleRequest = body.json(&ok).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let items = parse_lines(
        body.items,
        &mut v,
        |i, line: SaleLineInput, v| {
            let label_code = match line.label_code.as_deref().map(LabelCode::parse) {
                None => None,
                Some(Ok(code)) => Some(code),
                Some(Err(m)) => {
                    v.add(format!("items[{i}].label_code"), m);
                    return None;
                }
            };
            if line.variant_id.is_none() && label_code.is_none() {
                v.add(
                    format!("items[{i}].variant_id"),
                    "is required (or label_code)",
                );
            }
            let quantity = v.require(
                format!("items[{i}].quantity"),
                line.quantity,
                parse_quantity,
            );
            let price = v.require(
                format!("items[{i}].unit_price_idr"),
                line.unit_price_idr,
                PriceIdr::parse,
            );
            Some(TillLine {
                line: i,
                variant_id: line.variant_id,
                label_code,
                quantity: quantity?,
                unit_price: price?,
            })
        },
        |item| {
            item.label_code
                .is_none()
                .then_some(item.variant_id)
                .flatten()
        },
    );
    v.finish()?;
    let sold_at = chrono::SubsecRound::trunc_subsecs(body.sold_at.unwrap_or_else(now), 6);
    idempotency::run(
        &state,
        hotel.id,
        key,
        fingerprint,
        StatusCode::CREATED,
        move |conn| shelf::sell_at_till(conn, &hotel, id, &items, sold_at),
    )
    .await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityLineInput {
    #[schema(required = true, nullable = false)]
    pub variant_id: Option<Uuid>,
    #[schema(required = true, nullable = false)]
    pub quantity: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreement_id": "01934f6e-a000-7000-8000-000000000001",
    "items": [{"variant_id": "01934f6e-8000-7000-8000-000000000002", "quantity": 2}]}))]
pub struct ReturnRequest {
    #[schema(required = true, nullable = false)]
    pub agreement_id: Option<Uuid>,
    #[schema(required = true, nullable = false)]
    pub items: Option<Vec<QuantityLineInput>>,
}

fn quantity_lines(items: Option<Vec<QuantityLineInput>>, v: &mut Violations) -> Vec<(Uuid, i64)> {
    parse_lines(
        items,
        v,
        |i, line, v| {
            let variant = v.require(format!("items[{i}].variant_id"), line.variant_id, Ok);
            let quantity = v.require(
                format!("items[{i}].quantity"),
                line.quantity,
                parse_quantity,
            );
            Some((variant?, quantity?))
        },
        |(variant, _)| Some(*variant),
    )
}

/// Return units from the shelf to the seller's own stock (the hotel). Honours
/// `Idempotency-Key`.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), request_body = ReturnRequest,
    params(("id" = Uuid, Path, description = "Hotel id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 201, body = Return),
    (status = 403, description = "Not this hotel's account", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not that many on the shelf under this agreement", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/hotels/{id}/returns")]
pub async fn record_return(
    req: HttpRequest,
    state: web::Data<AppState>,
    HotelAccount(hotel): HotelAccount,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        shelf::authorize_own_hotel(conn, &hotel, id)
    })
    .await?;
    let body: ReturnRequest = body.json(&ok).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let agreement_id = v.require("agreement_id", body.agreement_id, Ok);
    let mut items = quantity_lines(body.items, &mut v);
    let agreement_id = v.finish_with(agreement_id)?;
    idempotency::run(
        &state,
        hotel.id,
        key,
        fingerprint,
        StatusCode::CREATED,
        move |conn| shelf::give_back(conn, &hotel, id, agreement_id, &mut items),
    )
    .await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountLineInput {
    #[schema(required = true, nullable = false)]
    pub variant_id: Option<Uuid>,
    /// Units found on the shelf.
    #[schema(required = true, nullable = false)]
    pub counted: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"variant_id": "01934f6e-8000-7000-8000-000000000002", "counted": 2}]}))]
pub struct CountRequest {
    #[schema(required = true, nullable = false)]
    pub items: Option<Vec<CountLineInput>>,
}

/// Reconcile the shelf with a physical count (the hotel): a shortfall moves to `missing`
/// and is charged to the hotel at the consignment price; a surplus is 409. Honours
/// `Idempotency-Key`.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), request_body = CountRequest,
    params(("id" = Uuid, Path, description = "Hotel id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 201, body = StockCount),
    (status = 403, description = "Not this hotel's account", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "More counted than the shelf should hold", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/hotels/{id}/stock-counts")]
pub async fn record_count(
    req: HttpRequest,
    state: web::Data<AppState>,
    HotelAccount(hotel): HotelAccount,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        shelf::authorize_own_hotel(conn, &hotel, id)
    })
    .await?;
    let body: CountRequest = body.json(&ok).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let mut items = parse_lines(
        body.items,
        &mut v,
        |i, line: CountLineInput, v| {
            let variant = v.require(format!("items[{i}].variant_id"), line.variant_id, Ok);
            let counted = v.require(format!("items[{i}].counted"), line.counted, |c| {
                if (0..=100_000).contains(&c) {
                    Ok(c)
                } else {
                    Err("must be between 0 and 100000".to_owned())
                }
            });
            Some((variant?, counted?))
        },
        |(variant, _)| Some(*variant),
    );
    v.finish()?;
    idempotency::run(
        &state,
        hotel.id,
        key,
        fingerprint,
        StatusCode::CREATED,
        move |conn| shelf::count(conn, &hotel, id, &mut items),
    )
    .await
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"hotel_id": "01934f6e-9000-7000-8000-000000000001",
    "lots": [{"lot_id": "01934f6e-c100-7000-8000-000000000001", "agreement_id": "01934f6e-a000-7000-8000-000000000001",
        "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11", "product_id": "01934f6e-8000-7000-8000-000000000001",
        "variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001", "title": "Kalung Daun Jati Electroforming",
        "consignment_id": "01934f6e-c000-7000-8000-000000000001", "quantity": 6, "unit_price_idr": 185555,
        "received_at": "2026-11-25T07:45:00Z", "age_days": 12, "term_days": 90, "past_term": false}]}))]
pub struct ShelfResponse {
    pub hotel_id: Uuid,
    /// Oldest first; `past_term` lots are due back to their seller.
    pub lots: Vec<ShelfLot>,
}

/// What is on a hotel's shelf, per lot, with its age. The hotel and admins see every lot; a
/// seller sees its own.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Hotel id")), responses(
    (status = 200, body = ShelfResponse),
    (status = 403, description = "Another hotel, or a buyer", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such hotel visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/hotels/{id}/shelf")]
pub async fn get_shelf(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<ShelfResponse>> {
    let id = id.into_inner();
    let lots = state
        .db(move |conn| {
            let hotel = db::hotels::find(conn, id)?.ok_or(AppError::NotFound("hotel"))?;
            let own = viewer.hotel_id == Some(id);
            if !own && !viewer.is_admin() && hotel.status != SellerStatus::Active.as_str() {
                return Err(AppError::NotFound("hotel"));
            }
            let only_seller = match (own || viewer.is_admin(), viewer.seller_id) {
                (true, _) => None,
                (false, Some(seller)) => Some(seller),
                (false, None) => {
                    return Err(AppError::Forbidden(
                        "only the hotel, its sellers and admins see a shelf".to_owned(),
                    ));
                }
            };
            shelf::shelf(conn, id, only_seller)
        })
        .await?;
    Ok(web::Json(ShelfResponse { hotel_id: id, lots }))
}
