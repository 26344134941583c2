//! Adding and editing a product's variants after it was created (a batik shirt gains a size).
//! Both change the product, so both honour its `If-Match` and give it a new `ETag`.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::etag;
use super::product_dto::{ProductResponse, VariantInput, parse_variant};
use super::product_lookup::{load_for_change, view, with_etag};
use crate::auth::SellerUser;
use crate::db::portable::DbJson;
use crate::db::products::ProductChanges;
use crate::db::variants::{VariantChanges, VariantRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::money::PriceIdr;
use crate::domain::product::{VariantSpec, check_variant_set, parse_options};
use crate::domain::sku::Sku;
use crate::domain::validation::Violations;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, Problem, is_unique_violation};
use crate::state::AppState;

/// Fields to change; those left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"options": {"size": "XL", "colour": "indigo"}, "price_idr": 375000}))]
pub struct UpdateVariantRequest {
    pub sku: Option<String>,
    pub options: Option<BTreeMap<String, String>>,
    /// `null` makes the variant follow the product's price again.
    #[serde(default, deserialize_with = "super::json::present")]
    #[schema(value_type = Option<i64>)]
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
fn touch_product(conn: &mut DbConn, product_id: Uuid, version: i32) -> AppResult<ProductResponse> {
    if !db::products::update_if_version(
        conn,
        product_id,
        version,
        &ProductChanges::default(),
        now(),
    )? {
        return Err(AppError::PreconditionFailed(
            "the product was changed by another request; fetch it again".to_owned(),
        ));
    }
    let row = db::products::find(conn, product_id)?.ok_or(AppError::NotFound("product"))?;
    view(conn, row)
}

/// Add a variant to a product.
///
/// Once a product has several variants, each needs options that tell it apart.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = VariantInput,
    params(("id" = Uuid, Path, description = "Product id"), ("If-Match" = Option<String>, Header, description = "The product's ETag")),
    responses(
    (status = 201, body = ProductResponse, headers(("ETag" = String))),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The SKU is taken, or the product is archived", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/variants")]
pub async fn add_variant(
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
    let body: VariantInput = body.json(&ok).await?;
    let if_match = etag::if_match(&req)?;
    let (product, version) = state
        .db(move |conn| {
            write_tx(conn, move |conn| {
                let loaded = load_for_change(conn, id, &seller)?;
                etag::check_if_match(if_match.as_deref(), loaded.row.version)?;
                let mut v = Violations::new();
                let spec = parse_variant(body, "", &mut v);
                v.finish()?;
                let spec = spec.expect("valid when no violations");
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
        })
        .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/v1/products/{id}")));
    Ok(with_etag(response, &product, version))
}

/// Change a variant's SKU, options or price.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = UpdateVariantRequest,
    params(("id" = Uuid, Path, description = "Product id"), ("variant_id" = Uuid, Path, description = "Variant id"),
        ("If-Match" = Option<String>, Header, description = "The product's ETag")),
    responses(
    (status = 200, body = ProductResponse, headers(("ETag" = String))),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product or variant visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The SKU is taken, or the product is archived", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/products/{id}/variants/{variant_id}")]
pub async fn update_variant(
    req: HttpRequest,
    state: web::Data<AppState>,
    seller: SellerUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Body,
) -> AppResult<HttpResponse> {
    let (id, variant_id) = path.into_inner();
    let ok = access::check(&state, move |conn| {
        load_for_change(conn, id, &seller)?;
        match db::variants::find(conn, variant_id)? {
            Some(v) if v.product_id == id => Ok(()),
            _ => Err(AppError::NotFound("variant")),
        }
    })
    .await?;
    let body: UpdateVariantRequest = body.json(&ok).await?;
    let if_match = etag::if_match(&req)?;
    let (product, version) = state
        .db(move |conn| {
            write_tx(conn, move |conn| {
                let loaded = load_for_change(conn, id, &seller)?;
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
                if changes.sku.is_some() || changes.options.is_some() || changes.price_idr.is_some()
                {
                    db::variants::update(conn, variant_id, changes).map_err(sku_taken)?;
                }
                let product = touch_product(conn, id, loaded.row.version)?;
                Ok((product, loaded.row.version + 1))
            })
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
}
