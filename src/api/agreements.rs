//! Consignment agreements between a seller and a partner hotel.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::body::Body;
use super::pagination::{Page, PageRequest};
use crate::auth::SellerUser;
use crate::auth::access::Actor;
use crate::db;
use crate::db::agreements::AgreementRow;
use crate::domain::consignment::{AgreementStatus, Bps, parse_term_days};
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::agreements;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-a000-7000-8000-000000000001", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "hotel_id": "01934f6e-9000-7000-8000-000000000001", "commission_bps": 1750, "term_days": 90, "status": "active",
    "created_at": "2026-11-24T08:00:00Z", "accepted_at": "2026-11-24T09:00:00Z", "ended_at": null}))]
pub struct AgreementResponse {
    pub id: Uuid,
    pub seller_id: Uuid,
    pub hotel_id: Uuid,
    /// The hotel's commission in basis points (1750 = 17.5 %).
    pub commission_bps: i32,
    /// Days goods may stay on the shelf before they are due back.
    pub term_days: i32,
    pub status: AgreementStatus,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl AgreementResponse {
    pub fn from_row(row: AgreementRow) -> AppResult<Self> {
        Ok(Self {
            id: row.id,
            seller_id: row.seller_id,
            hotel_id: row.hotel_id,
            commission_bps: row.commission_bps,
            term_days: row.term_days,
            status: AgreementStatus::parse(&row.status).map_err(AppError::internal)?,
            created_at: row.created_at,
            accepted_at: row.accepted_at.map(|t| t.0),
            ended_at: row.ended_at.map(|t| t.0),
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"hotel_id": "01934f6e-9000-7000-8000-000000000001", "commission_bps": 1750, "term_days": 90}))]
pub struct ProposeRequest {
    #[schema(required = true, nullable = false)]
    pub hotel_id: Option<Uuid>,
    #[schema(required = true, nullable = false)]
    pub commission_bps: Option<i64>,
    #[schema(required = true, nullable = false)]
    pub term_days: Option<i64>,
}

/// Propose an agreement to an active partner hotel (seller).
#[utoipa::path(tag = "consignment", security(("bearer" = [])), request_body = ProposeRequest, responses(
    (status = 201, body = AgreementResponse),
    (status = 403, description = "Not an active seller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "An open agreement with this hotel exists", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignment-agreements")]
pub async fn propose(
    state: web::Data<AppState>,
    seller: SellerUser,
    body: Body,
) -> AppResult<HttpResponse> {
    let ok = seller.require_active()?;
    let body: ProposeRequest = body.json(&ok).await?;
    let mut v = Violations::new();
    let hotel_id = v.require("hotel_id", body.hotel_id, Ok);
    let bps = v.require("commission_bps", body.commission_bps, Bps::parse);
    let term_days = v.require("term_days", body.term_days, parse_term_days);
    let (hotel_id, bps, term_days) = v.finish_with((hotel_id, bps, term_days))?;
    let row = state
        .db(move |conn| agreements::propose(conn, seller.seller_id, hotel_id, bps, term_days))
        .await?;
    Ok(HttpResponse::Created().json(AgreementResponse::from_row(row)?))
}

/// An agreement (its seller, its hotel and admins only).
#[utoipa::path(tag = "consignment", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Agreement id")), responses(
    (status = 200, body = AgreementResponse),
    (status = 404, description = "No such agreement visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/consignment-agreements/{id}")]
pub async fn get_agreement(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<AgreementResponse>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| agreements::load(conn, &viewer, id))
        .await?;
    Ok(web::Json(AgreementResponse::from_row(row)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's agreements (a seller's or a hotel's; all for admins), newest first.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), params(AgreementListQuery), responses(
    (status = 200, body = inline(Page<AgreementResponse>)),
    (status = 403, description = "A buyer account, or a hotel account without a hotel", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/consignment-agreements")]
pub async fn list_agreements(
    state: web::Data<AppState>,
    viewer: Actor,
    query: web::Query<AgreementListQuery>,
) -> AppResult<web::Json<Page<AgreementResponse>>> {
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| {
            if !viewer.is_admin() && viewer.seller_id.is_none() && viewer.hotel_id.is_none() {
                return Err(AppError::Forbidden(
                    "only sellers, hotels and admins have agreements".to_owned(),
                ));
            }
            Ok(db::agreements::list(
                conn,
                viewer.seller_id,
                viewer.hotel_id,
                after,
                fetch,
            )?)
        })
        .await?;
    let page = page.finish(rows, |r| r.id, |r| r);
    let items = page
        .items
        .into_iter()
        .map(AgreementResponse::from_row)
        .collect::<AppResult<_>>()?;
    Ok(web::Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// Accept a proposed agreement (the hotel it names).
#[utoipa::path(tag = "consignment", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Agreement id")), responses(
    (status = 200, body = AgreementResponse),
    (status = 403, description = "Not the agreement's hotel, or the hotel is not active", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such agreement visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The agreement is not proposed", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignment-agreements/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<AgreementResponse>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| agreements::accept(conn, &viewer, id))
        .await?;
    Ok(web::Json(AgreementResponse::from_row(row)?))
}

/// End an agreement (its seller or its hotel): no new consignments; what is on the shelf
/// can still be sold or returned.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Agreement id")), responses(
    (status = 200, body = AgreementResponse),
    (status = 403, description = "An admin (parties end agreements)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such agreement visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignment-agreements/{id}/end")]
pub async fn end(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<AgreementResponse>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| agreements::end(conn, &viewer, id))
        .await?;
    Ok(web::Json(AgreementResponse::from_row(row)?))
}
