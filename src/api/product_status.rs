//! Product status: archive (DELETE), publish and unpublish.

use actix_web::{HttpResponse, delete, post, web};
use uuid::Uuid;

use super::product_dto::ProductResponse;
use super::product_lookup::with_etag;
use crate::auth::SellerUser;
use crate::domain::product::ProductStatus;
use crate::error::{AppResult, Problem};
use crate::services::catalogue;
use crate::state::AppState;

/// Archive a product: it leaves every listing; its history stays.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 204, description = "Archived (also when it already was)"),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product changed while the request ran; try again", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/products/{id}")]
pub async fn archive_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db(move |conn| catalogue::status::archive(conn, &seller, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves a product to `target` after the owner and state checks.
async fn transition(
    state: &AppState,
    seller: SellerUser,
    id: Uuid,
    target: ProductStatus,
) -> AppResult<HttpResponse> {
    let (product, version) = state
        .db(move |conn| catalogue::status::transition(conn, &seller, id, target))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
}

/// Publish a draft: it becomes visible to everyone.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, body = ProductResponse),
    (status = 403, description = "Another seller's product, not a seller, or the seller is not active", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product cannot be published (archived, or without a photo)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/publish")]
pub async fn publish_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    seller.require_active()?;
    transition(&state, seller, id.into_inner(), ProductStatus::Published).await
}

/// Take a product back to draft.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, body = ProductResponse),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product is archived", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/unpublish")]
pub async fn unpublish_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    transition(&state, seller, id.into_inner(), ProductStatus::Draft).await
}
