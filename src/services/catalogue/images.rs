//! A product's photos after upload (`services::uploads` adds them): delete and reorder.

use uuid::Uuid;

use super::load_for_change;
use crate::auth::SellerUser;
use crate::blob::BlobStore;
use crate::db::images::ImageRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::product::ProductStatus;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Deletes a photo of the seller's product: the row, then every blob of it (a blob that
/// cannot be removed is logged and left).
pub async fn delete(
    state: &AppState,
    seller: SellerUser,
    id: Uuid,
    image_id: Uuid,
) -> AppResult<()> {
    let image = state
        .db(move |conn| delete_row(conn, &seller, id, image_id))
        .await?;
    let mut keys = vec![image.original_key.clone()];
    keys.extend(image.renditions().into_iter().map(|r| r.key));
    for key in keys {
        if let Err(e) = state.blobs.delete(&key).await {
            tracing::warn!(%key, error = %e, "could not delete the blob of a deleted image");
        }
    }
    Ok(())
}

fn delete_row(
    conn: &mut DbConn,
    seller: &SellerUser,
    id: Uuid,
    image_id: Uuid,
) -> AppResult<ImageRow> {
    write_tx(conn, |conn| {
        let product = load_for_change(conn, id, seller)?;
        let images = db::images::of_products(conn, &[id])?;
        let image = images
            .iter()
            .find(|i| i.id == image_id)
            .cloned()
            .ok_or(AppError::NotFound("image"))?;
        if images.len() == 1 && product.row.status == ProductStatus::Published.as_str() {
            return Err(AppError::Conflict(
                "a published product needs a photo: add another or unpublish it first".to_owned(),
            ));
        }
        db::images::delete(conn, image_id)?;
        Ok(image)
    })
}

/// Puts the photos of the seller's product in the order of `image_ids`, which must name each
/// of them once; returns them in their new order.
pub fn reorder(
    conn: &mut DbConn,
    seller: &SellerUser,
    id: Uuid,
    image_ids: &[Uuid],
) -> AppResult<Vec<ImageRow>> {
    write_tx(conn, |conn| {
        load_for_change(conn, id, seller)?;
        let images = db::images::of_products(conn, &[id])?;
        let mut wanted = image_ids.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut have: Vec<Uuid> = images.iter().map(|i| i.id).collect();
        have.sort();
        if wanted != have || image_ids.len() != have.len() {
            return Err(AppError::invalid(
                "image_ids",
                "must list every image of the product exactly once",
            ));
        }
        for (position, image_id) in image_ids.iter().enumerate() {
            db::images::set_position(conn, *image_id, position as i32)?;
        }
        Ok(db::images::of_products(conn, &[id])?)
    })
}
