//! Product status: archive (DELETE), publish and unpublish.

use actix_web::{HttpResponse, delete, post, web};
use uuid::Uuid;

use super::product_dto::ProductResponse;
use super::product_lookup::{load, load_for_change, seller_viewer, view, with_etag};
use crate::auth::SellerUser;
use crate::auth::access::{Action, authorize};
use crate::db::{self, write_tx};
use crate::domain::now;
use crate::domain::product::{ProductStatus, PublishFacts, publish_blocker};
use crate::domain::webhook::{Audience, EventType};
use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;
use crate::webhooks;

fn changed_meanwhile() -> AppError {
    AppError::Conflict("the product was changed by another request meanwhile; try again".to_owned())
}

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
        .db(move |conn| {
            write_tx(conn, |conn| {
                let loaded = load(conn, id)?;
                authorize(
                    &seller_viewer(&seller),
                    loaded.row.seller_id,
                    loaded.public(),
                    Action::Modify,
                    "product",
                )?;
                if loaded.row.status != ProductStatus::Archived.as_str() {
                    let (version, archived) =
                        (loaded.row.version, ProductStatus::Archived.as_str());
                    if !db::products::set_status(conn, id, version, archived, None, now())? {
                        return Err(changed_meanwhile());
                    }
                }
                Ok(())
            })
        })
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
        .db(move |conn| {
            write_tx(conn, |conn| {
                let loaded = load_for_change(conn, id, &seller)?;
                let current =
                    ProductStatus::parse(&loaded.row.status).map_err(AppError::internal)?;
                if current != target {
                    let published_at = if target == ProductStatus::Published {
                        let variant_count = db::variants::of_products(conn, &[id])?.len();
                        let facts = PublishFacts {
                            status: current,
                            seller_active: loaded.seller_active,
                            variant_count,
                            image_count: db::images::of_products(conn, &[id])?.len(),
                        };
                        if let Some(reason) = publish_blocker(&facts) {
                            return Err(AppError::Conflict(reason));
                        }
                        Some(now())
                    } else {
                        None
                    };
                    let version = loaded.row.version;
                    if !db::products::set_status(
                        conn,
                        id,
                        version,
                        target.as_str(),
                        published_at,
                        now(),
                    )? {
                        return Err(changed_meanwhile());
                    }
                }
                let row = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
                let (version, seller_id) = (row.version, row.seller_id);
                let product = view(conn, row)?;
                if current != target {
                    let kind = match target {
                        ProductStatus::Published => EventType::ProductPublished,
                        _ => EventType::ProductUnpublished,
                    };
                    webhooks::emit(conn, kind, Audience::seller(seller_id), &product)?;
                }
                Ok((product, version))
            })
        })
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
