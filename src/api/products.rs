//! Products: create, read, edit, list.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::created::created;
use super::etag;
use super::pagination::{Page, PageRequest};
use super::product_dto::{CreateProductRequest, ProductResponse, UpdateProductRequest};
use super::product_lookup::{actor_of, load, load_for_change, view, views, with_etag};
use crate::auth::access::{Action, authorize};
use crate::auth::{MaybeUser, SellerUser};
use crate::db;
use crate::db::products::{ListFilter, Visibility};
use crate::domain::product::ProductStatus;
use crate::error::{AppError, AppResult, Problem};
use crate::services::catalogue;
use crate::state::AppState;

/// List a new product (as a draft).
///
/// Without `variants` it gets one default variant with the product's own SKU.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = CreateProductRequest, responses(
    (status = 201, body = ProductResponse, headers(("ETag" = String), ("Location" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a seller, or the seller is not active", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A SKU is already used by this seller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    body: Body,
) -> AppResult<HttpResponse> {
    let body: CreateProductRequest = body.json(&seller.require_active()?).await?;
    let (product, version) = state
        .db(move |conn| catalogue::products::create(conn, &seller, body))
        .await?;
    let location = format!("/v1/products/{}", product.id);
    Ok(with_etag(created(location), &product, version))
}

/// A product.
///
/// Drafts and archived products are visible only to their seller (and admins).
#[utoipa::path(tag = "products", params(("id" = Uuid, Path, description = "Product id"),
    ("If-None-Match" = Option<String>, Header, description = "ETag of the copy the client holds")), responses(
    (status = 200, body = ProductResponse, headers(("ETag" = String))),
    (status = 304, description = "`If-None-Match` names the current version: the copy held is current", headers(("ETag" = String))),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: MaybeUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let if_none_match = etag::if_none_match(&req);
    if let Some(hit) = state.read_cache.product(id) {
        let current = hit.etag.clone().unwrap_or_default();
        return Ok(answer(if_none_match.as_deref(), current, hit.body.clone()));
    }
    let ticket = state.read_cache.ticket();
    let revalidating = if_none_match.clone();
    let (current, rendered) = state
        .db(move |conn| {
            let loaded = load(conn, id)?;
            let public = loaded.public();
            if !public {
                // Drafts and archived products: their seller and admins only.
                let viewer = actor_of(conn, user.0)?;
                authorize(
                    &viewer,
                    loaded.row.seller_id,
                    false,
                    Action::View,
                    "product",
                )?;
            }
            let current = etag::for_version(loaded.row.version);
            if etag::none_match_hits(revalidating.as_deref(), &current) {
                // The client's copy is current: nothing more to read or render.
                return Ok((current, None));
            }
            let product = view(conn, loaded.row)?;
            let body = Bytes::from(serde_json::to_vec(&product).map_err(AppError::internal)?);
            Ok((current, Some((body, public))))
        })
        .await?;
    let Some((body, public)) = rendered else {
        return Ok(not_modified(current));
    };
    if public {
        state
            .read_cache
            .put_product(id, ticket, body.clone(), current.clone());
    }
    Ok(answer(if_none_match.as_deref(), current, body))
}

/// 200 with the rendered product, or 304 when the client already holds this version.
fn answer(if_none_match: Option<&str>, current: String, body: Bytes) -> HttpResponse {
    if etag::none_match_hits(if_none_match, &current) {
        return not_modified(current);
    }
    let mut response = json_body(body);
    if let Ok(value) = header::HeaderValue::from_str(&current) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

fn not_modified(current: String) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, current))
        .finish()
}

/// Change product fields.
///
/// Send the `ETag` you last saw as `If-Match`; a stale one is 412. Fields left out keep
/// their value; variants are not changed here.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = UpdateProductRequest,
    params(("id" = Uuid, Path, description = "Product id"), ("If-Match" = Option<String>, Header, description = "ETag from the last read")),
    responses(
    (status = 200, body = ProductResponse, headers(("ETag" = String))),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product is archived", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/products/{id}")]
pub async fn update_product(
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
    let if_match = etag::if_match(&req)?;
    let body: UpdateProductRequest = body.json(&ok).await?;
    let (product, version) = state
        .db(move |conn| catalogue::products::update(conn, &seller, id, if_match, body))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    pub seller_id: Option<Uuid>,
    /// `published`, `draft` or `archived`; drafts and archived products list only the
    /// caller's own (all, for admins). Left out: `published`, except for a seller listing
    /// its own products (`seller_id` = its own id), who gets every status.
    pub status: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Products, newest first.
#[utoipa::path(tag = "products", params(ProductListQuery), responses(
    (status = 200, body = inline(Page<ProductResponse>)),
    (status = 422, description = "Invalid query parameters", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: MaybeUser,
    query: web::Query<ProductListQuery>,
) -> AppResult<HttpResponse> {
    // The catalogue as anyone sees it is the same for every anonymous caller.
    let key = user
        .0
        .is_none()
        .then(|| format!("products?{}", req.query_string()));
    if let Some(hit) = key.as_deref().and_then(|k| state.read_cache.page(k)) {
        return Ok(json_body(hit.body.clone()));
    }
    let ticket = state.read_cache.ticket();
    let query = query.into_inner();
    let (page, status) = PageRequest::with_status(
        query.limit,
        query.cursor.as_deref(),
        query.status.as_deref(),
        ProductStatus::parse,
    )?;
    let result = state
        .db(move |conn| {
            let viewer = actor_of(conn, user.0)?;
            let visibility = match (viewer.is_admin(), viewer.seller_id) {
                (true, _) => Visibility::Admin,
                (false, Some(own)) => Visibility::Seller(own),
                (false, None) => Visibility::Public,
            };
            // A seller listing its own products sees its drafts and archive too, unless it
            // asks for one status; everyone else gets the catalogue unless they ask.
            let own_list = query.seller_id.is_some() && query.seller_id == viewer.seller_id;
            let status = match status {
                Some(s) => Some(s),
                None if own_list => None,
                None => Some(ProductStatus::Published),
            };
            let filter = ListFilter {
                seller_id: query.seller_id,
                status: status.map(|s| s.as_str().to_owned()),
                category: query.category,
                before: page.after,
                limit: page.fetch(),
            };
            let rows = db::products::list(conn, &visibility, &filter)?;
            let page = page.finish(rows, |r| r.id, |r| r);
            let page = Page {
                items: views(conn, page.items)?,
                next_cursor: page.next_cursor,
            };
            Ok(Bytes::from(
                serde_json::to_vec(&page).map_err(AppError::internal)?,
            ))
        })
        .await?;
    if let Some(key) = key {
        state.read_cache.put_page(key, ticket, result.clone());
    }
    Ok(json_body(result))
}

fn json_body(body: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .body(body)
}
