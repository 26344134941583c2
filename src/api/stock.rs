//! A product's stock: where each variant's units are, the ledger, and the seller's own
//! restocks and corrections.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::idempotency::{self, IdempotencyKey};
use super::pagination::{Page, PageRequest};
use super::product_lookup::{load, seller_actor};
use crate::auth::SellerUser;
use crate::auth::access::{Action, Actor, authorize};
use crate::db::{self, DbConn};
use crate::domain::stock::{Reason, parse_adjustment};
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::stock::{self as stock_service, ProductStock};
use crate::state::AppState;

/// Stock is the seller's business: its owner and admins see it; anyone else who can see the
/// product gets 403, others 404.
fn check_stock_access(
    conn: &mut DbConn,
    viewer: &Actor,
    product_id: Uuid,
    action: Action,
) -> AppResult<()> {
    let loaded = load(conn, product_id)?;
    authorize(
        viewer,
        loaded.row.seller_id,
        loaded.public(),
        Action::View,
        "product",
    )?;
    if viewer.owns(loaded.row.seller_id) || (action == Action::View && viewer.is_admin()) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "stock is visible to the product's seller and admins".to_owned(),
        ))
    }
}

/// Where each variant's units are: own stock, in transit, on each hotel's shelf; and how many
/// were sold, went missing or were written off.
#[utoipa::path(tag = "stock", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, body = ProductStock),
    (status = 403, description = "Not the product's seller or an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/products/{id}/stock")]
pub async fn get_stock(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<ProductStock>> {
    let id = id.into_inner();
    let stock = state
        .db(move |conn| {
            check_stock_access(conn, &viewer, id, Action::View)?;
            stock_service::product_stock(conn, id)
        })
        .await?;
    Ok(web::Json(stock))
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-e000-7000-8000-000000000001", "variant_id": "01934f6e-8000-7000-8000-000000000002",
    "from_location": "shelf:01934f6e-a000-7000-8000-000000000001", "to_location": "sold", "quantity": 1, "reason": "sale",
    "note": null, "reference_id": "01934f6e-d000-7000-8000-000000000001",
    "actor_id": "01934f6e-9000-7000-8000-000000000010", "created_at": "2026-11-29T11:40:00Z"}))]
pub struct MovementResponse {
    pub id: Uuid,
    pub variant_id: Uuid,
    /// `null` when units came in (a restock).
    pub from_location: Option<String>,
    pub to_location: String,
    pub quantity: i64,
    pub reason: Reason,
    pub note: Option<String>,
    /// The consignment, sale, return or count that caused it.
    pub reference_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MovementListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The product's stock ledger, newest first (append-only).
#[utoipa::path(tag = "stock", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id"), MovementListQuery), responses(
    (status = 200, body = inline(Page<MovementResponse>)),
    (status = 403, description = "Not the product's seller or an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/products/{id}/stock/movements")]
pub async fn list_movements(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
    query: web::Query<MovementListQuery>,
) -> AppResult<web::Json<Page<MovementResponse>>> {
    let id = id.into_inner();
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| {
            check_stock_access(conn, &viewer, id, Action::View)?;
            Ok(db::stock_levels::movements_of_product(
                conn, id, after, fetch,
            )?)
        })
        .await?;
    let page = page.finish(rows, |r| r.id, |r| r);
    let items = page
        .items
        .into_iter()
        .map(|m| {
            Ok(MovementResponse {
                id: m.id,
                variant_id: m.variant_id,
                from_location: m.from_location,
                to_location: m.to_location,
                quantity: m.quantity,
                reason: Reason::parse(&m.reason)
                    .ok_or_else(|| AppError::internal(format!("reason {}", m.reason)))?,
                note: m.note,
                reference_id: m.reference_id.map(|r| r.0),
                actor_id: m.actor_id.map(|a| a.0),
                created_at: m.created_at,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(web::Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"variant_id": "01934f6e-8000-7000-8000-000000000002", "delta": 20, "reason": "new batch from the workshop"}))]
pub struct AdjustmentRequest {
    #[schema(required = true, nullable = false)]
    pub variant_id: Option<Uuid>,
    /// Units added to (positive) or removed from (negative) the seller's own stock.
    #[schema(required = true, nullable = false)]
    pub delta: Option<i64>,
    /// Why, kept on the ledger row.
    #[schema(required = true, nullable = false)]
    pub reason: Option<String>,
}

/// Restock or correct the seller's own stock (never below zero). Honours `Idempotency-Key`.
#[utoipa::path(tag = "stock", security(("bearer" = [])), request_body = AdjustmentRequest,
    params(("id" = Uuid, Path, description = "Product id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    responses(
    (status = 201, body = ProductStock),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Own stock would go below zero", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/stock/adjustments")]
pub async fn adjust(
    req: HttpRequest,
    state: web::Data<AppState>,
    seller: SellerUser,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        check_stock_access(conn, &seller_actor(&seller), id, Action::Modify)
    })
    .await?;
    let body: AdjustmentRequest = body.json(&ok).await?;
    let fingerprint = idempotency::fingerprint(&req, &body);
    let mut v = Violations::new();
    let variant_id = v.require("variant_id", body.variant_id, Ok);
    let delta = v.require("delta", body.delta, parse_adjustment);
    let reason = v.require("reason", body.reason.as_deref(), |r| {
        bounded(r, 1, 200, false)
    });
    let (variant_id, delta, reason) = v.finish_with((variant_id, delta, reason))?;
    idempotency::run(
        &state,
        seller.user_id,
        key,
        fingerprint,
        StatusCode::CREATED,
        move |conn| {
            check_stock_access(conn, &seller_actor(&seller), id, Action::Modify)?;
            let variant = db::variants::find(conn, variant_id)?
                .filter(|v| v.product_id == id)
                .ok_or_else(|| {
                    AppError::invalid("variant_id", "is not a variant of this product")
                })?;
            stock_service::adjust(conn, &variant, delta, &reason, seller.user_id)?;
            stock_service::product_stock(conn, id)
        },
    )
    .await
}
