//! Admin moderation of sellers and hotels.

use actix_web::{HttpResponse, post, web};
use uuid::Uuid;

use super::hotels::HotelResponse;
use super::sellers::{SellerResponse, with_etag};
use crate::auth::AdminUser;
use crate::domain::seller::SellerStatus;
use crate::error::{AppResult, Problem};
use crate::services::moderation;
use crate::state::AppState;

async fn set_seller_status(
    state: &AppState,
    id: Uuid,
    status: SellerStatus,
) -> AppResult<HttpResponse> {
    let row = state
        .db(move |conn| moderation::set_seller_status(conn, id, status))
        .await?;
    with_etag(row)
}

/// Approve a pending (or reinstate a suspended) seller.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Seller id")), responses(
    (status = 200, body = SellerResponse),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such seller", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/sellers/{id}/approve")]
pub async fn approve_seller(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    set_seller_status(&state, id.into_inner(), SellerStatus::Active).await
}

/// Suspend a seller: its products disappear from public listings.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Seller id")), responses(
    (status = 200, body = SellerResponse),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such seller", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/sellers/{id}/suspend")]
pub async fn suspend_seller(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    set_seller_status(&state, id.into_inner(), SellerStatus::Suspended).await
}

async fn set_hotel_status(
    state: &AppState,
    id: Uuid,
    status: SellerStatus,
) -> AppResult<HotelResponse> {
    let row = state
        .db(move |conn| moderation::set_hotel_status(conn, id, status))
        .await?;
    HotelResponse::from_row(row)
}

/// Approve a pending (or reinstate a suspended) partner hotel.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Hotel id")), responses(
    (status = 200, body = HotelResponse),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such hotel", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/hotels/{id}/approve")]
pub async fn approve_hotel(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<HotelResponse>> {
    Ok(web::Json(
        set_hotel_status(&state, id.into_inner(), SellerStatus::Active).await?,
    ))
}

/// Suspend a partner hotel: it can no longer accept agreements, receive or sell.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Hotel id")), responses(
    (status = 200, body = HotelResponse),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such hotel", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/hotels/{id}/suspend")]
pub async fn suspend_hotel(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<HotelResponse>> {
    Ok(web::Json(
        set_hotel_status(&state, id.into_inner(), SellerStatus::Suspended).await?,
    ))
}
