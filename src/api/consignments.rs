//! Consignments: shipments from a seller to a hotel, and their receipt.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::idempotency::{self, IdempotencyKey};
use super::lines::parse_lines;
use crate::auth::access::Actor;
use crate::auth::actor::hotel_actor;
use crate::auth::{HotelUser, SellerUser};
use crate::db::DbConn;
use crate::domain::money::PriceIdr;
use crate::domain::stock::parse_quantity;
use crate::domain::validation::Violations;
use crate::error::{AppResult, Problem};
use crate::services::shipments::{self, ConsignmentResponse, DispatchItem};
use crate::state::AppState;

fn view(
    conn: &mut DbConn,
    viewer: &crate::auth::access::Actor,
    id: Uuid,
) -> AppResult<ConsignmentResponse> {
    let (row, lines) = shipments::load(conn, viewer, id)?;
    Ok(shipments::view(row, lines))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchLineInput {
    /// The variant sent; may be left out for a product with a single variant.
    pub variant_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    #[schema(required = true, nullable = false)]
    pub quantity: Option<i64>,
    /// The consignment price per unit: what a missing unit is charged at.
    #[schema(required = true, nullable = false)]
    pub unit_price_idr: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreement_id": "01934f6e-a000-7000-8000-000000000001",
    "items": [{"product_id": "01934f6e-8000-7000-8000-000000000001", "quantity": 10, "unit_price_idr": 185555}]}))]
pub struct DispatchRequest {
    #[schema(required = true, nullable = false)]
    pub agreement_id: Option<Uuid>,
    #[schema(required = true, nullable = false)]
    pub items: Option<Vec<DispatchLineInput>>,
}

/// Dispatch units to a hotel under an active agreement (seller): they leave the seller's own
/// stock and are in transit. Honours `Idempotency-Key`.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), request_body = DispatchRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 201, body = ConsignmentResponse),
    (status = 403, description = "Not an active seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such agreement of this seller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not enough own stock, the agreement is not active, or the key was used for another request", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignments")]
pub async fn dispatch(
    req: HttpRequest,
    state: web::Data<AppState>,
    seller: SellerUser,
    key: IdempotencyKey,
    body: Body,
) -> AppResult<HttpResponse> {
    let body: DispatchRequest = body.json(&seller.require_active()?).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let agreement_id = v.require("agreement_id", body.agreement_id, Ok);
    let items = parse_lines(
        body.items,
        &mut v,
        |i, line: DispatchLineInput, v| {
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
            Some(DispatchItem {
                product_id: line.product_id,
                variant_id: line.variant_id,
                quantity: quantity?,
                unit_price: price?,
            })
        },
        |item| item.variant_id,
    );
    let agreement_id = v.finish_with(agreement_id)?;
    idempotency::run(
        &state,
        seller.user_id,
        key,
        fingerprint,
        StatusCode::CREATED,
        move |conn| {
            let row =
                shipments::dispatch(conn, seller.seller_id, seller.user_id, agreement_id, &items)?;
            let viewer = super::product_lookup::seller_actor(&seller);
            view(conn, &viewer, row.id)
        },
    )
    .await
}

/// A consignment (its seller, its hotel and admins only).
#[utoipa::path(tag = "consignment", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Consignment id")), responses(
    (status = 200, body = ConsignmentResponse),
    (status = 404, description = "No such consignment visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/consignments/{id}")]
pub async fn get_consignment(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<ConsignmentResponse>> {
    let id = id.into_inner();
    let body = state.db(move |conn| view(conn, &viewer, id)).await?;
    Ok(web::Json(body))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceivedLineInput {
    #[schema(required = true, nullable = false)]
    pub variant_id: Option<Uuid>,
    #[schema(required = true, nullable = false)]
    pub quantity_received: Option<i64>,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{"variant_id": "01934f6e-8000-7000-8000-000000000002", "quantity_received": 9}]}))]
pub struct ReceiveRequest {
    /// Every line with what arrived; left out, everything arrived.
    pub items: Option<Vec<ReceivedLineInput>>,
}

/// Receive a consignment onto the shelf (the hotel). A shortfall is recorded as a
/// discrepancy (moved to `missing`, visible to both, not charged to the hotel). Honours
/// `Idempotency-Key`.
#[utoipa::path(tag = "consignment", security(("bearer" = [])),
    request_body(content = Option<ReceiveRequest>, description = "Optional: no body at all is the same as `{}` (everything arrived)"),
    params(("id" = Uuid, Path, description = "Consignment id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 200, body = ConsignmentResponse),
    (status = 403, description = "Not the receiving hotel, or the hotel is not active", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such consignment visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already received", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignments/{id}/receive")]
pub async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    hotel: HotelUser,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    hotel.require_active()?;
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        shipments::may_receive(conn, &hotel_actor(&hotel), id)
    })
    .await?;
    let body: ReceiveRequest = body.optional_json(&ok).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let received = body.items.map(|items| {
        items
            .into_iter()
            .enumerate()
            .filter_map(|(i, line)| {
                let variant = v.require(format!("items[{i}].variant_id"), line.variant_id, Ok);
                let n = v.require(
                    format!("items[{i}].quantity_received"),
                    line.quantity_received,
                    Ok,
                );
                Some((variant?, n?))
            })
            .collect::<Vec<_>>()
    });
    v.finish()?;
    idempotency::run(
        &state,
        hotel.user_id,
        key,
        fingerprint,
        StatusCode::OK,
        move |conn| {
            let viewer = hotel_actor(&hotel);
            shipments::receive(conn, &viewer, id, received.as_deref())?;
            view(conn, &viewer, id)
        },
    )
    .await
}
