//! Product photos: upload (multipart), serve renditions, delete, reorder.

use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::created::created;
use crate::auth::SellerUser;
use crate::blob::{BlobStore, Blobs};
use crate::db;
use crate::db::images::ImageRow;
use crate::error::{AppError, AppResult, Problem};
use crate::services::catalogue::{self, load_for_change};
use crate::services::uploads;
use crate::state::AppState;

/// Largest upload accepted.
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct RenditionResponse {
    pub width: u32,
    pub height: u32,
    /// `webp` or `jpeg`.
    pub format: String,
    pub url: String,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
#[schema(example = json!({"id": "01934f6e-b000-7000-8000-000000000001", "width": 3000, "height": 4000,
    "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj", "position": 0,
    "renditions": [{"width": 1200, "height": 1600, "format": "webp", "url": "/v1/images/01934f6e-b000-7000-8000-000000000001/1200.webp"}],
    "created_at": "2026-11-24T08:00:00Z"}))]
pub struct ImageResponse {
    pub id: Uuid,
    /// Upright size of the original (which is never served).
    pub width: i32,
    pub height: i32,
    pub blurhash: String,
    pub position: i32,
    /// Widths 1200, 480 and 160 (never upscaled), each as WebP and JPEG.
    pub renditions: Vec<RenditionResponse>,
    pub created_at: DateTime<Utc>,
}

impl ImageResponse {
    pub fn from_row(row: &ImageRow) -> Self {
        Self {
            id: row.id,
            width: row.width,
            height: row.height,
            blurhash: row.blurhash.clone(),
            position: row.position,
            renditions: row
                .renditions()
                .into_iter()
                .map(|r| RenditionResponse {
                    width: r.width,
                    height: r.height,
                    format: r.format,
                    url: format!("/v1/images/{}/{}", row.id, r.name),
                })
                .collect(),
            created_at: row.created_at,
        }
    }
}

/// The multipart body of an upload, as the OpenAPI document describes it (so client
/// generators can send it); `read_file` reads the body itself, as it streams in.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImageUpload {
    /// The photo: JPEG, PNG or WebP, up to 20 MiB and 40 megapixels.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Reads the `file` field of a multipart body, refusing more than 20 MiB as it streams in.
async fn read_file(mut multipart: Multipart) -> AppResult<Bytes> {
    let mut file: Option<Bytes> = None;
    while let Some(field) = multipart.next().await {
        let mut field = field
            .map_err(|e| AppError::BadRequest(format!("the multipart body is malformed: {e}")))?;
        let is_file = field.name() == Some("file");
        let mut buf = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                AppError::BadRequest(format!("the multipart body is malformed: {e}"))
            })?;
            if is_file {
                if buf.len() + chunk.len() > UPLOAD_LIMIT {
                    return Err(AppError::PayloadTooLarge(
                        "the file is larger than 20 MiB".to_owned(),
                    ));
                }
                buf.extend_from_slice(&chunk);
            }
        }
        if is_file {
            if file.is_some() {
                return Err(AppError::invalid("file", "send one file per request"));
            }
            file = Some(buf.freeze());
        }
    }
    match file {
        Some(bytes) if !bytes.is_empty() => Ok(bytes),
        Some(_) => Err(AppError::invalid("file", "is empty")),
        None => Err(AppError::invalid(
            "file",
            "is required (a multipart field named `file`)",
        )),
    }
}

/// Upload a photo of a product (its seller): JPEG, PNG or WebP up to 20 MiB and 40
/// megapixels, as the `file` field of `multipart/form-data`.
///
/// The image is turned upright from its EXIF orientation; renditions at widths 1200, 480
/// and 160 are made as WebP and JPEG with every metadata block (GPS!) removed. The original
/// is kept, private.
#[utoipa::path(tag = "images", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")),
    request_body(content = ImageUpload, content_type = "multipart/form-data", description = "A `file` field with the photo"),
    responses(
    (status = 201, body = ImageResponse),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product is archived", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Over 20 MiB or over 40 megapixels", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not a JPEG, PNG or WebP (judged by the bytes), or not multipart", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "No `file` field, or a broken image", body = Problem, content_type = "application/problem+json"),
    (status = 503, description = "The photo store is unreachable; nothing was stored", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/images")]
pub async fn upload_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        load_for_change(conn, id, &seller).map(|_| ())
    })
    .await?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_multipart {
        return Err(AppError::UnsupportedMediaType(
            "send the photo as `multipart/form-data` with a `file` field".to_owned(),
        ));
    }
    let bytes = read_file(body.multipart(&ok)).await?;
    let row = uploads::upload(&state, id, seller.seller_id, bytes).await?;
    Ok(created(format!("/v1/products/{id}")).json(ImageResponse::from_row(&row)))
}

/// A rendition (`1200.webp`, `480.jpg`…): the bytes from the embedded store, or a redirect to
/// a presigned URL on S3. Renditions never change, so they are cached for a year.
#[utoipa::path(tag = "images",
    params(("image_id" = Uuid, Path, description = "Image id"), ("rendition" = String, Path, description = "e.g. `480.webp`")),
    responses(
    (status = 200, description = "The image", content_type = "image/webp"),
    (status = 302, description = "Redirect to a presigned URL (S3)"),
    (status = 304, description = "`If-None-Match` matched"),
    (status = 404, description = "No such image or rendition (originals are never served)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/images/{image_id}/{rendition}")]
pub async fn get_rendition(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> AppResult<HttpResponse> {
    let (image_id, name) = path.into_inner();
    let image = state
        .db(move |conn| Ok(db::images::find(conn, image_id)?))
        .await?
        .ok_or(AppError::NotFound("image"))?;
    let rendition = image
        .renditions()
        .into_iter()
        .find(|r| r.name == name)
        .ok_or(AppError::NotFound("rendition"))?;
    let cache = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    if let Blobs::S3(_) = &state.blobs {
        let url = state
            .blobs
            .presigned_get(&rendition.key, Duration::from_secs(3600))
            .await?
            .ok_or_else(|| AppError::internal("S3 gave no presigned URL"))?;
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "private, max-age=3000"))
            .finish());
    }
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == rendition.etag || t.trim() == "*")
        });
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header(cache)
            .insert_header((header::ETAG, rendition.etag))
            .finish());
    }
    let bytes = state.blobs.get(&rendition.key).await?;
    let content_type = if rendition.format == "webp" {
        "image/webp"
    } else {
        "image/jpeg"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(cache)
        .insert_header((header::ETAG, rendition.etag))
        .body(bytes))
}

/// Delete a photo (its seller): the row and every blob.
#[utoipa::path(tag = "images", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Product id"), ("image_id" = Uuid, Path, description = "Image id")),
    responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product or image visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The last photo of a published product", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/products/{id}/images/{image_id}")]
pub async fn delete_image(
    state: web::Data<AppState>,
    seller: SellerUser,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, image_id) = path.into_inner();
    catalogue::images::delete(&state, seller, id, image_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageOrderRequest {
    /// Every image of the product, in the order to show them.
    pub image_ids: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct ImageList {
    pub items: Vec<ImageResponse>,
}

/// Reorder a product's photos (its seller); the first is the thumbnail.
#[utoipa::path(tag = "images", security(("bearer" = [])), request_body = ImageOrderRequest,
    params(("id" = Uuid, Path, description = "Product id")),
    responses(
    (status = 200, body = ImageList),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`image_ids` is not exactly the product's images", body = Problem, content_type = "application/problem+json"),
))]
#[put("/v1/products/{id}/images/order")]
pub async fn reorder_images(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<ImageList>> {
    let id = id.into_inner();
    let ok = access::check(&state, move |conn| {
        load_for_change(conn, id, &seller).map(|_| ())
    })
    .await?;
    let body: ImageOrderRequest = body.json(&ok).await?;
    let rows = state
        .db(move |conn| catalogue::images::reorder(conn, &seller, id, &body.image_ids))
        .await?;
    Ok(web::Json(ImageList {
        items: rows.iter().map(ImageResponse::from_row).collect(),
    }))
}
