//! Products: create, read, edit, archive, publish, list.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::etag;
use super::json::Json;
use super::pagination::{Page, PageRequest};
use super::product_dto::{CreateProductRequest, ProductResponse, UpdateProductRequest};
use crate::app::AppState;
use crate::auth::access::{Action, Viewer, authorize};
use crate::auth::{MaybeUser, SellerUser};
use crate::db::portable::DbJson;
use crate::db::products::{ListFilter, NewProductRow, ProductRow, VariantRow, Visibility};
use crate::db::{self, DbConn, write_tx};
use crate::domain::account::Role;
use crate::domain::product::{ProductStatus, PublishFacts, publish_blocker};
use crate::domain::seller::SellerStatus;
use crate::domain::validation::Violations;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, Problem, is_unique_violation};

/// A product with what access checks need to know about it.
struct Loaded {
    row: ProductRow,
    seller_active: bool,
}

impl Loaded {
    fn public(&self) -> bool {
        self.seller_active && self.row.status == ProductStatus::Published.as_str()
    }
}

fn load(conn: &mut DbConn, id: Uuid) -> AppResult<Loaded> {
    let row = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
    let seller = db::sellers::find(conn, row.seller_id)?.ok_or(AppError::NotFound("product"))?;
    Ok(Loaded {
        row,
        seller_active: seller.status == SellerStatus::Active.as_str(),
    })
}

fn view(conn: &mut DbConn, row: ProductRow) -> AppResult<ProductResponse> {
    let variants = db::products::variants_of(conn, &[row.id])?;
    ProductResponse::new(row, variants)
}

fn viewer_of(conn: &mut DbConn, user: Option<crate::auth::AuthUser>) -> AppResult<Viewer> {
    let seller_id = match user {
        Some(u) if u.role == Role::Seller => db::sellers::find_by_user(conn, u.id)?.map(|s| s.id),
        _ => None,
    };
    Ok(Viewer { user, seller_id })
}

fn seller_viewer(seller: &SellerUser) -> Viewer {
    Viewer {
        user: Some(crate::auth::AuthUser {
            id: seller.user_id,
            role: Role::Seller,
        }),
        seller_id: Some(seller.seller_id),
    }
}

fn with_etag(
    mut response: actix_web::HttpResponseBuilder,
    product: &ProductResponse,
    version: i32,
) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag::for_version(version)))
        .json(product)
}

fn categories(conn: &mut DbConn) -> AppResult<Vec<String>> {
    Ok(db::categories::slugs(conn)?)
}

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
    Json(body): Json<CreateProductRequest>,
) -> AppResult<HttpResponse> {
    seller.require_active()?;
    let (product, version) = state
        .db(move |conn| {
            let new = body.parse(&categories(conn)?)?;
            let t = now();
            let id = new_id();
            let row = NewProductRow {
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
                            "a SKU in this request is already used by another of your products"
                                .to_owned(),
                        )
                    } else {
                        e.into()
                    }
                })?;
                let stored = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
                Ok((view(conn, stored)?, 1))
            })
        })
        .await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, format!("/v1/products/{}", product.id)));
    Ok(with_etag(response, &product, version))
}

/// A product.
///
/// Drafts and archived products are visible only to their seller (and admins).
#[utoipa::path(tag = "products", params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, body = ProductResponse, headers(("ETag" = String))),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (product, version) = state
        .db(move |conn| {
            let viewer = viewer_of(conn, user.0)?;
            let loaded = load(conn, id)?;
            authorize(
                &viewer,
                loaded.row.seller_id,
                loaded.public(),
                Action::View,
                "product",
            )?;
            let version = loaded.row.version;
            Ok((view(conn, loaded.row)?, version))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
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
    Json(body): Json<UpdateProductRequest>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let if_match = etag::if_match(&req)?;
    let (product, version) = state
        .db(move |conn| {
            let loaded = load(conn, id)?;
            authorize(
                &seller_viewer(&seller),
                loaded.row.seller_id,
                loaded.public(),
                Action::Modify,
                "product",
            )?;
            if loaded.row.status == ProductStatus::Archived.as_str() {
                return Err(AppError::Conflict(
                    "an archived product cannot be changed".to_owned(),
                ));
            }
            etag::check_if_match(if_match.as_deref(), loaded.row.version)?;
            let changes = body.parse(&categories(conn)?)?;
            let version = loaded.row.version;
            write_tx(conn, move |conn| {
                if !db::products::update_if_version(conn, id, version, &changes, now())? {
                    return Err(AppError::PreconditionFailed(
                        "the product was changed by another request; fetch it again".to_owned(),
                    ));
                }
                let row = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
                let version = row.version;
                Ok((view(conn, row)?, version))
            })
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
}

/// Archive a product: it leaves every listing; its history stays.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 204, description = "Archived (also when it already was)"),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/products/{id}")]
pub async fn archive_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let loaded = load(conn, id)?;
                authorize(
                    &seller_viewer(&seller),
                    loaded.row.seller_id,
                    loaded.public(),
                    Action::Modify,
                    "product",
                )?;
                if loaded.row.status != ProductStatus::Archived.as_str() {
                    db::products::set_status(
                        conn,
                        id,
                        ProductStatus::Archived.as_str(),
                        None,
                        now(),
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Moves a product to `target` after the owner and state checks.
async fn transition(
    state: &AppState,
    seller: SellerUser,
    id: Uuid,
    target: ProductStatus,
) -> AppResult<HttpResponse> {
    let (product, version) = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let loaded = load(conn, id)?;
                authorize(
                    &seller_viewer(&seller),
                    loaded.row.seller_id,
                    loaded.public(),
                    Action::Modify,
                    "product",
                )?;
                let current =
                    ProductStatus::parse(&loaded.row.status).map_err(AppError::internal)?;
                if current == ProductStatus::Archived {
                    return Err(AppError::Conflict("the product is archived".to_owned()));
                }
                if current != target {
                    let published_at = if target == ProductStatus::Published {
                        let variant_count = db::products::variants_of(conn, &[id])?.len();
                        let facts = PublishFacts {
                            status: current,
                            seller_active: loaded.seller_active,
                            variant_count,
                        };
                        if let Some(reason) = publish_blocker(&facts) {
                            return Err(AppError::Conflict(reason));
                        }
                        Some(now())
                    } else {
                        None
                    };
                    db::products::set_status(conn, id, target.as_str(), published_at, now())?;
                }
                let row = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
                let version = row.version;
                Ok((view(conn, row)?, version))
            })
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &product, version))
}

/// Publish a draft: it becomes visible to everyone.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, body = ProductResponse),
    (status = 403, description = "Another seller's product, not a seller, or the seller is not active", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product cannot be published (archived, or missing what publishing needs)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/publish")]
pub async fn publish_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    seller.require_active()?;
    transition(&state, seller, id.into_inner(), ProductStatus::Published).await
}

/// Take a product back to draft.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = Uuid, Path, description = "Product id")), responses(
    (status = 200, body = ProductResponse),
    (status = 403, description = "Another seller's product, or not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such product visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The product is archived", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/products/{id}/unpublish")]
pub async fn unpublish_product(
    state: web::Data<AppState>,
    seller: SellerUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    transition(&state, seller, id.into_inner(), ProductStatus::Draft).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    pub seller_id: Option<Uuid>,
    /// `published` (default), or `draft`/`archived`: those list only the caller's own
    /// products (all, for admins).
    pub status: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// Page size, 1–100 (default 20).
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
    user: MaybeUser,
    query: web::Query<ProductListQuery>,
) -> AppResult<web::Json<Page<ProductResponse>>> {
    let query = query.into_inner();
    let mut v = Violations::new();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref(), &mut v);
    let status = v.check_opt("status", query.status.as_deref(), ProductStatus::parse);
    v.finish()?;
    let (page, status) = (
        page.unwrap(),
        status.unwrap().unwrap_or(ProductStatus::Published),
    );
    let result = state
        .db(move |conn| {
            let viewer = viewer_of(conn, user.0)?;
            let visibility = match (viewer.is_admin(), viewer.seller_id) {
                (true, _) => Visibility::Admin,
                (false, Some(own)) => Visibility::Seller(own),
                (false, None) => Visibility::Public,
            };
            let filter = ListFilter {
                seller_id: query.seller_id,
                status: status.as_str().to_owned(),
                category: query.category,
                before: page.after,
                limit: page.fetch(),
            };
            let rows = db::products::list(conn, &visibility, &filter)?;
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            let mut variants = db::products::variants_of(conn, &ids)?;
            let page = page.finish(rows, |r| r.id, |r| r);
            let mut items = Vec::with_capacity(page.items.len());
            for row in page.items {
                let (own, rest): (Vec<_>, Vec<_>) =
                    variants.into_iter().partition(|v| v.product_id == row.id);
                variants = rest;
                items.push(ProductResponse::new(row, own)?);
            }
            Ok(Page {
                items,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(result))
}
