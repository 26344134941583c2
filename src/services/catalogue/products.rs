//! Creating a product and changing its fields.

use uuid::Uuid;

use super::load_for_change;
use crate::api::etag;
use crate::api::product_dto::{CreateProductRequest, ProductResponse, UpdateProductRequest};
use crate::api::product_lookup::{categories, view};
use crate::auth::SellerUser;
use crate::db::portable::DbJson;
use crate::db::products::ProductRow;
use crate::db::variants::VariantRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::product::ProductStatus;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, is_unique_violation};

/// Lists a new product of the seller as a draft; returns it with its version.
pub fn create(
    conn: &mut DbConn,
    seller: &SellerUser,
    body: CreateProductRequest,
) -> AppResult<(ProductResponse, i32)> {
    let new = body.parse(&categories(conn)?)?;
    let t = now();
    let id = new_id();
    let row = ProductRow {
        id,
        seller_id: seller.seller_id,
        title: new.title,
        description: new.description,
        title_en: new.title_en,
        description_en: new.description_en,
        category: new.category,
        technique: new.technique,
        materials: serde_json::json!(new.materials),
        price_idr: new.price_idr.get(),
        sku: new.sku.into_inner(),
        weight_grams: new.weight_grams,
        dimensions_cm: new.dimensions_cm.map(|d| DbJson(serde_json::json!(d))),
        status: ProductStatus::Draft.as_str().to_owned(),
        version: 1,
        created_at: t,
        updated_at: t,
        published_at: None,
    };
    let variants: Vec<VariantRow> = new
        .variants
        .into_iter()
        .enumerate()
        .map(|(i, v)| VariantRow {
            id: new_id(),
            product_id: id,
            seller_id: seller.seller_id,
            sku: v.sku.into_inner(),
            options: serde_json::json!(v.options),
            price_idr: v.price_idr.map(|p| p.get()),
            position: i as i32,
            created_at: t,
        })
        .collect();
    write_tx(conn, move |conn| {
        db::products::insert(conn, row, variants).map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(
                    "a SKU in this request is already used by another of your products".to_owned(),
                )
            } else {
                e.into()
            }
        })?;
        let stored = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
        Ok((view(conn, stored)?, 1))
    })
}

/// Changes a product's fields, if `if_match` (when sent) names its current version.
pub fn update(
    conn: &mut DbConn,
    seller: &SellerUser,
    id: Uuid,
    if_match: Option<String>,
    body: UpdateProductRequest,
) -> AppResult<(ProductResponse, i32)> {
    let loaded = load_for_change(conn, id, seller)?;
    etag::check_if_match(if_match.as_deref(), loaded.row.version)?;
    let changes = body.parse(&categories(conn)?)?;
    let version = loaded.row.version;
    write_tx(conn, move |conn| {
        if !db::products::update_if_version(conn, id, version, &changes, now())? {
            return Err(AppError::changed_by_another("product"));
        }
        let row = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
        let version = row.version;
        Ok((view(conn, row)?, version))
    })
}
