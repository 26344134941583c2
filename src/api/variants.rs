//! Adding and editing a product's variants after it was created (a batik shirt gains a size).
//! Both change the product, so both honour its `If-Match` and give it a new `ETag`.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::created::created;
use super::etag;
use super::product_dto::{ProductResponse, VariantInput};
use super::product_lookup::{load_for_change, with_etag};
use crate::auth::SellerUser;
use crate::db;
use crate::error::{AppError, AppResult, Problem};
use crate::services::catalogue;
use crate::services::catalogue::variants::VariantChange;
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
        .db(move |conn| catalogue::variants::add(conn, &seller, id, if_match, body))
        .await?;
    Ok(with_etag(
        created(format!("/v1/products/{id}")),
        &product,
        version,
    ))
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
    let change = VariantChange {
        sku: body.sku,
        options: body.options,
        price_idr: body.price_idr,
    };
    let (product, version) = state
        .db(move |conn| {
            catalogue::variants::update(conn, &seller, id, variant_id, if_match, change)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
}
