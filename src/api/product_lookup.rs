//! Rendering a product as the API shows it (loading one for a change is the catalogue's,
//! `services::catalogue`, re-exported here).

use actix_web::HttpResponse;
use actix_web::http::header;
use uuid::Uuid;

use std::collections::HashMap;

use super::etag;
use super::images::ImageResponse;
use super::product_dto::{Availability, ProductResponse};
pub use crate::auth::actor::{actor_of, seller_actor};
use crate::db::products::ProductRow;
use crate::db::variants::VariantRow;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
pub use crate::services::catalogue::{Loaded, load, load_for_change};

pub fn view(conn: &mut DbConn, row: ProductRow) -> AppResult<ProductResponse> {
    views(conn, vec![row])?
        .pop()
        .ok_or(AppError::NotFound("product"))
}

/// Renders products with their variants and where they are on a shelf now, in few queries.
pub fn views(conn: &mut DbConn, rows: Vec<ProductRow>) -> AppResult<Vec<ProductResponse>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut variants: HashMap<Uuid, Vec<VariantRow>> = HashMap::new();
    for v in db::variants::of_products(conn, &ids)? {
        variants.entry(v.product_id).or_default().push(v);
    }
    let mut images: HashMap<Uuid, Vec<ImageResponse>> = HashMap::new();
    for image in db::images::of_products(conn, &ids)? {
        images
            .entry(image.product_id)
            .or_default()
            .push(ImageResponse::from_row(&image));
    }
    let mut available: HashMap<Uuid, Vec<Availability>> = HashMap::new();
    for (product_id, hotel, quantity) in
        db::stock_levels::shelf_holdings_at_active_hotels(conn, &ids)?
    {
        available.entry(product_id).or_default().push(Availability {
            hotel_id: hotel.id,
            name: hotel.name,
            kecamatan: hotel.kecamatan,
            quantity,
        });
    }
    rows.into_iter()
        .map(|row| {
            let available_at = available.remove(&row.id).unwrap_or_default();
            let own = variants.remove(&row.id).unwrap_or_default();
            let photos = images.remove(&row.id).unwrap_or_default();
            ProductResponse::new(row, own, photos, available_at)
        })
        .collect()
}

pub fn with_etag(
    mut response: actix_web::HttpResponseBuilder,
    product: &ProductResponse,
    version: i32,
) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag::for_version(version)))
        .json(product)
}

pub fn categories(conn: &mut DbConn) -> AppResult<Vec<String>> {
    Ok(db::categories::slugs(conn)?)
}
