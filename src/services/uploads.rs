//! An image upload from bytes to rows: checks and renditions on the blocking pool (a bounded
//! number at once), blobs written, then the row committed. If anything fails, the blobs
//! already written are removed and no row exists.

use bytes::Bytes;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::blob::{BlobError, BlobStore};
use crate::db::images::{ImageRow, StoredRendition};
use crate::db::{self, write_tx};
use crate::domain::product::ProductStatus;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::media::{self, MediaError};
use crate::state::AppState;

impl From<MediaError> for AppError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Unsupported(m) => AppError::UnsupportedMediaType(m),
            MediaError::TooLarge(m) => AppError::PayloadTooLarge(m),
            MediaError::Invalid(m) => AppError::invalid("file", m),
        }
    }
}

impl From<BlobError> for AppError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::NotFound(_) => AppError::NotFound("image"),
            // A store that is down is the service being unavailable, not a bug: 503.
            BlobError::Io(detail) => {
                tracing::warn!(%detail, "blob store");
                AppError::Unavailable(
                    "the photo store is not reachable right now; try again".to_owned(),
                )
            }
            BlobError::BadKey(key) => AppError::Internal(format!("blob key {key}")),
        }
    }
}

pub fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..32])
}

/// Removes blobs written for an upload that did not complete; failures are only logged.
async fn remove_all(state: &AppState, keys: &[String]) {
    for key in keys {
        if let Err(e) = state.blobs.delete(key).await {
            tracing::warn!(%key, error = %e, "could not remove the blob of a failed upload");
        }
    }
}

/// Stores an image for a product the caller may change (checked by the caller).
pub async fn upload(
    state: &AppState,
    product_id: Uuid,
    seller_id: Uuid,
    bytes: Bytes,
) -> AppResult<ImageRow> {
    let _timer = crate::metrics::get().upload_seconds.start_timer();
    let permit = state
        .decodes
        .clone()
        .acquire_owned()
        .await
        .map_err(AppError::internal)?;
    let input = bytes.clone();
    let processed = tokio::task::spawn_blocking(move || {
        let _timer = crate::metrics::get().rendition_seconds.start_timer();
        media::process(&input)
    })
    .await
    .map_err(AppError::internal)?;
    drop(permit);
    let processed = processed?;

    let id = new_id();
    let original_key = format!(
        "images/{id}/original.{}",
        processed.original_format.extension()
    );
    let mut written: Vec<String> = Vec::new();
    let mut renditions = Vec::new();
    let result: AppResult<()> = async {
        state
            .blobs
            .put(
                &original_key,
                bytes.clone(),
                processed.original_format.content_type(),
            )
            .await?;
        written.push(original_key.clone());
        for r in &processed.renditions {
            let key = format!("images/{id}/{}", r.name());
            state
                .blobs
                .put(
                    &key,
                    Bytes::copy_from_slice(&r.bytes),
                    r.format.content_type(),
                )
                .await?;
            written.push(key.clone());
            renditions.push(StoredRendition {
                name: r.name(),
                width: r.width,
                height: r.height,
                format: r.format.name().to_owned(),
                key,
                bytes: r.bytes.len() as u64,
                etag: etag(&r.bytes),
            });
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        remove_all(state, &written).await;
        return Err(e);
    }
    let row = ImageRow {
        id,
        product_id,
        seller_id,
        position: 0,
        width: processed.width as i32,
        height: processed.height as i32,
        blurhash: processed.blurhash,
        original_key,
        original_format: processed.original_format.name().to_owned(),
        original_bytes: bytes.len() as i64,
        renditions: serde_json::to_value(&renditions).map_err(AppError::internal)?,
        created_at: now(),
    };
    let committed = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let product =
                    db::products::find(conn, product_id)?.ok_or(AppError::NotFound("product"))?;
                if product.status == ProductStatus::Archived.as_str() {
                    return Err(AppError::Conflict("the product is archived".to_owned()));
                }
                let position = db::images::of_products(conn, &[product_id])?
                    .iter()
                    .map(|i| i.position + 1)
                    .max()
                    .unwrap_or(0);
                let row = ImageRow { position, ..row };
                db::images::insert(conn, row.clone())?;
                Ok(row)
            })
        })
        .await;
    if committed.is_err() {
        remove_all(state, &written).await;
    }
    committed
}
