//! A product's status: archived, published or back to draft.

use uuid::Uuid;

use super::{load_for_change, load_owned};
use crate::api::product_dto::ProductResponse;
use crate::api::product_lookup::view;
use crate::auth::SellerUser;
use crate::db::{self, DbConn, write_tx};
use crate::domain::now;
use crate::domain::product::{ProductStatus, PublishFacts, publish_blocker};
use crate::domain::webhook::{Audience, EventType};
use crate::error::{AppError, AppResult};
use crate::webhooks;

fn changed_meanwhile() -> AppError {
    AppError::Conflict("the product was changed by another request meanwhile; try again".to_owned())
}

/// Archives the seller's product (nothing to do when it already is).
pub fn archive(conn: &mut DbConn, seller: &SellerUser, id: Uuid) -> AppResult<()> {
    write_tx(conn, |conn| {
        let loaded = load_owned(conn, id, seller)?;
        if loaded.row.status != ProductStatus::Archived.as_str() {
            let (version, archived) = (loaded.row.version, ProductStatus::Archived.as_str());
            if !db::products::set_status(conn, id, version, archived, None, now())? {
                return Err(changed_meanwhile());
            }
        }
        Ok(())
    })
}

/// Moves the seller's product to `target` (published or draft) after the owner and state
/// checks, announcing the change; returns the product with its version.
pub fn transition(
    conn: &mut DbConn,
    seller: &SellerUser,
    id: Uuid,
    target: ProductStatus,
) -> AppResult<(ProductResponse, i32)> {
    write_tx(conn, |conn| {
        let loaded = load_for_change(conn, id, seller)?;
        let current = ProductStatus::parse(&loaded.row.status).map_err(AppError::internal)?;
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
            if !db::products::set_status(conn, id, version, target.as_str(), published_at, now())? {
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
}
