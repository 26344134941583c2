//! Adding and editing a product's variants after it was created (a batik shirt gains a size).
//! Both change the product, so both honour its `If-Match` and give it a new version.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::load_for_change;
use crate::api::etag;
use crate::api::product_dto::{ProductResponse, VariantInput, parse_variant};
use crate::api::product_lookup::view;
use crate::auth::SellerUser;
use crate::db::portable::DbJson;
use crate::db::products::ProductChanges;
use crate::db::variants::{VariantChanges, VariantRow};
use crate::db::{self, DbConn, Tx, write_tx};
use crate::domain::money::PriceIdr;
use crate::domain::product::{VariantSpec, check_variant_set, parse_options};
use crate::domain::sku::Sku;
use crate::domain::validation::Violations;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, is_unique_violation};

/// A variant's fields to change, as sent; those left out keep their value.
pub struct VariantChange {
    pub sku: Option<String>,
    pub options: Option<BTreeMap<String, String>>,
    /// `Some(None)` makes the variant follow the product's price again.
    pub price_idr: Option<Option<i64>>,
}

fn spec_of(row: &VariantRow) -> AppResult<VariantSpec> {
    Ok(VariantSpec {
        sku: Sku::parse(&row.sku).map_err(AppError::internal)?,
        options: serde_json::from_value(row.options.clone()).map_err(AppError::internal)?,
        price_idr: row
            .price_idr
            .map(PriceIdr::parse)
            .transpose()
            .map_err(AppError::internal)?,
    })
}

/// Checks the product's variant set as it would be with `specs[changed]` changed: problems of
/// that variant are named by field, problems it causes for the others under `variants`.
fn check_set(specs: &[VariantSpec], changed: usize) -> AppResult<()> {
    let mut v = Violations::new();
    for (i, message) in check_variant_set(specs) {
        if i == changed {
            let field = if message.starts_with("sku") {
                "sku"
            } else {
                "options"
            };
            v.add(field, message);
        } else {
            v.add(
                "variants",
                format!("variant {}: {message}", specs[i].sku.as_str()),
            );
        }
    }
    v.finish()
}

fn sku_taken(e: diesel::result::Error) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict(
            "this SKU is already used by another of your products or variants".to_owned(),
        )
    } else {
        e.into()
    }
}

/// Bumps the product's version (its ETag) unless someone changed it meanwhile.
fn touch_product(conn: &mut Tx<'_>, product_id: Uuid, version: i32) -> AppResult<ProductResponse> {
    if !db::products::update_if_version(
        conn,
        product_id,
        version,
        &ProductChanges::default(),
        now(),
    )? {
        return Err(AppError::changed_by_another("product"));
    }
    let row = db::products::find(conn, product_id)?.ok_or(AppError::NotFound("product"))?;
    view(conn, row)
}

/// Adds a variant to the seller's product; returns the product with its new version.
pub fn add(
    conn: &mut DbConn,
    seller: &SellerUser,
    id: Uuid,
    if_match: Option<String>,
    body: VariantInput,
) -> AppResult<(ProductResponse, i32)> {
    write_tx(conn, move |conn| {
        let loaded = load_for_change(conn, id, seller)?;
        etag::check_if_match(if_match.as_deref(), loaded.row.version)?;
        let mut v = Violations::new();
        let spec = parse_variant(body, "", &mut v);
        let spec = v.finish_with(spec)?;
        let existing = db::variants::of_products(conn, &[id])?;
        let mut specs = existing
            .iter()
            .map(spec_of)
            .collect::<AppResult<Vec<_>>>()?;
        specs.push(spec.clone());
        check_set(&specs, specs.len() - 1)?;
        let row = VariantRow {
            id: new_id(),
            product_id: id,
            seller_id: seller.seller_id,
            sku: spec.sku.into_inner(),
            options: serde_json::json!(spec.options),
            price_idr: spec.price_idr.map(PriceIdr::get),
            position: existing.iter().map(|r| r.position + 1).max().unwrap_or(0),
            created_at: now(),
        };
        db::variants::insert(conn, row).map_err(sku_taken)?;
        let product = touch_product(conn, id, loaded.row.version)?;
        Ok((product, loaded.row.version + 1))
    })
}

/// Changes a variant's SKU, options or price; returns the product with its new version.
pub fn update(
    conn: &mut DbConn,
    seller: &SellerUser,
    id: Uuid,
    variant_id: Uuid,
    if_match: Option<String>,
    body: VariantChange,
) -> AppResult<(ProductResponse, i32)> {
    write_tx(conn, move |conn| {
        let loaded = load_for_change(conn, id, seller)?;
        etag::check_if_match(if_match.as_deref(), loaded.row.version)?;
        let existing = db::variants::of_products(conn, &[id])?;
        let index = existing
            .iter()
            .position(|r| r.id == variant_id)
            .ok_or(AppError::NotFound("variant"))?;
        let mut v = Violations::new();
        let sku = v.check_opt("sku", body.sku.as_deref(), Sku::parse);
        let options = v.check_opt("options", body.options.as_ref(), parse_options);
        let price = v.check_opt("price_idr", body.price_idr, |p| {
            p.map(PriceIdr::parse).transpose()
        });
        v.finish()?;
        let (sku, options, price) = (sku.flatten(), options.flatten(), price.flatten());
        let mut specs = existing
            .iter()
            .map(spec_of)
            .collect::<AppResult<Vec<_>>>()?;
        if let Some(sku) = &sku {
            specs[index].sku = sku.clone();
        }
        if let Some(options) = &options {
            specs[index].options = options.clone();
        }
        check_set(&specs, index)?;
        let changes = VariantChanges {
            sku: sku.map(Sku::into_inner),
            options: options.map(|o| DbJson(serde_json::json!(o))),
            price_idr: price.map(|p| p.map(PriceIdr::get)),
        };
        if changes.sku.is_some() || changes.options.is_some() || changes.price_idr.is_some() {
            db::variants::update(conn, variant_id, changes).map_err(sku_taken)?;
        }
        let product = touch_product(conn, id, loaded.row.version)?;
        Ok((product, loaded.row.version + 1))
    })
}
