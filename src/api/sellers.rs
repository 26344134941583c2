//! Seller profiles: the seller's own, public ones, and the list.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::body::Body;
use super::etag;
use super::pagination::{Page, PageRequest};
use crate::auth::{MaybeUser, SellerUser};
use crate::db;
use crate::db::sellers::{ProfileChanges, SellerRow};
use crate::domain::account::Role;
use crate::domain::now;
use crate::domain::seller::{
    SellerStatus, parse_business_name, parse_kecamatan, parse_kelurahan, parse_nib, parse_story,
    parse_whatsapp,
};
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::sellers;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11", "business_name": "Daun Abadi Electroforming",
    "story": "Real leaves from Kebun Raya Purwodadi, plated in copper.", "sector": "electroforming-jewellery",
    "kecamatan": "Lowokwaru", "kelurahan": "Tlogomas", "whatsapp": "+6281234567890", "nib": "9120001234567",
    "status": "active", "mentor_seller_id": null, "created_at": "2026-11-24T08:00:00Z", "updated_at": "2026-11-24T08:00:00Z"}))]
pub struct SellerResponse {
    pub id: Uuid,
    pub business_name: String,
    pub story: String,
    /// A category slug.
    pub sector: Option<String>,
    /// One of Blimbing, Klojen, Kedungkandang, Sukun, Lowokwaru.
    pub kecamatan: Option<String>,
    pub kelurahan: Option<String>,
    /// Normalised to `+62…`.
    pub whatsapp: Option<String>,
    /// Nomor Induk Berusaha (13 digits).
    pub nib: Option<String>,
    pub status: SellerStatus,
    /// The seller who taught this one ("menularkan ilmu"), if named.
    pub mentor_seller_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SellerResponse {
    pub fn from_row(row: SellerRow) -> AppResult<Self> {
        Ok(Self {
            id: row.id,
            status: SellerStatus::parse(&row.status).map_err(AppError::internal)?,
            business_name: row.business_name,
            story: row.story,
            sector: row.sector,
            kecamatan: row.kecamatan,
            kelurahan: row.kelurahan,
            whatsapp: row.whatsapp,
            nib: row.nib,
            mentor_seller_id: row.mentor_seller_id.map(|m| m.0),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The whole editable profile (fields left out become empty).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"business_name": "Daun Abadi Electroforming", "story": "Real leaves, plated in copper.",
    "sector": "electroforming-jewellery", "kecamatan": "Lowokwaru", "kelurahan": "Tlogomas",
    "whatsapp": "0812-3456-7890", "nib": "9120001234567"}))]
pub struct SellerProfileRequest {
    #[schema(required = true, nullable = false)]
    pub business_name: Option<String>,
    pub story: Option<String>,
    pub sector: Option<String>,
    pub kecamatan: Option<String>,
    pub kelurahan: Option<String>,
    pub whatsapp: Option<String>,
    pub nib: Option<String>,
    /// The seller who taught this one: named once (leaving it out keeps it); an active
    /// seller, not this one, not one it taught.
    pub mentor_seller_id: Option<Uuid>,
}

/// The signed-in seller's profile.
#[utoipa::path(tag = "sellers", security(("bearer" = [])), responses(
    (status = 200, body = SellerResponse, headers(("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a seller account", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/sellers/me")]
pub async fn get_my_seller(
    state: web::Data<AppState>,
    seller: SellerUser,
) -> AppResult<HttpResponse> {
    let row = state
        .db(move |conn| Ok(db::sellers::find(conn, seller.seller_id)?))
        .await?;
    with_etag(row.ok_or(AppError::NotFound("seller"))?)
}

/// The profile with its `ETag`.
pub fn with_etag(row: SellerRow) -> AppResult<HttpResponse> {
    let tag = etag::for_version(row.version);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(SellerResponse::from_row(row)?))
}

/// Replace the signed-in seller's profile.
///
/// Send the `ETag` you last saw as `If-Match`; a stale one is 412.
#[utoipa::path(tag = "sellers", security(("bearer" = [])), request_body = SellerProfileRequest,
    params(("If-Match" = Option<String>, Header, description = "ETag from the last read")),
    responses(
    (status = 200, body = SellerResponse, headers(("ETag" = String))),
    (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a seller account", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A different mentor is already named (it is named once)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named (a mentor that is not an active seller, this seller, or one it taught)", body = Problem, content_type = "application/problem+json"),
))]
#[put("/v1/sellers/me")]
pub async fn put_my_seller(
    req: HttpRequest,
    state: web::Data<AppState>,
    seller: SellerUser,
    body: Body,
) -> AppResult<HttpResponse> {
    let body: SellerProfileRequest = body.json(&seller.authorised()).await?;
    let if_match = etag::if_match(&req)?;
    let mentor = body.mentor_seller_id;
    let row = state
        .db(move |conn| {
            let sectors = db::categories::slugs(conn)?;
            let mut v = Violations::new();
            let business_name = v.require(
                "business_name",
                body.business_name.as_deref(),
                parse_business_name,
            );
            let story = v.check_opt("story", body.story.as_deref(), parse_story);
            let sector = v.check_opt("sector", body.sector.as_deref(), |s| {
                let s = s.trim();
                if sectors.iter().any(|c| c == s) {
                    Ok(s.to_owned())
                } else {
                    Err(format!("must be one of {}", sectors.join(", ")))
                }
            });
            let kecamatan = v.check_opt("kecamatan", body.kecamatan.as_deref(), parse_kecamatan);
            let kelurahan = v.check_opt("kelurahan", body.kelurahan.as_deref(), parse_kelurahan);
            let whatsapp = v.check_opt("whatsapp", body.whatsapp.as_deref(), parse_whatsapp);
            let nib = v.check_opt("nib", body.nib.as_deref(), parse_nib);
            let (business_name, story, sector, kecamatan, kelurahan, whatsapp, nib) = v
                .finish_with((
                    business_name,
                    story,
                    sector,
                    kecamatan,
                    kelurahan,
                    whatsapp,
                    nib,
                ))?;
            let changes = ProfileChanges {
                business_name,
                story: story.unwrap_or_default(),
                sector,
                kecamatan,
                kelurahan,
                whatsapp,
                nib,
                updated_at: now(),
            };
            sellers::update_profile(conn, &seller, changes, mentor, |version| {
                etag::check_if_match(if_match.as_deref(), version)
            })
        })
        .await?;
    with_etag(row)
}

/// A seller's public profile.
///
/// Sellers that are not active are visible only to themselves and admins.
#[utoipa::path(tag = "sellers", params(("id" = Uuid, Path, description = "Seller id")), responses(
    (status = 200, body = SellerResponse, headers(("ETag" = String))),
    (status = 404, description = "No such active seller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/sellers/{id}")]
pub async fn get_seller(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| Ok(db::sellers::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound("seller"))?;
    let visible = row.status == SellerStatus::Active.as_str()
        || viewer
            .0
            .is_some_and(|u| u.role == Role::Admin || u.id == row.user_id);
    if !visible {
        return Err(AppError::NotFound("seller"));
    }
    with_etag(row)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SellerListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Admins only: list sellers in another status (`pending`, `suspended`).
    pub status: Option<String>,
}

/// Active sellers, newest first.
#[utoipa::path(tag = "sellers", params(SellerListQuery), responses(
    (status = 200, body = inline(Page<SellerResponse>)),
    (status = 403, description = "`status` other than active asked by a non-admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid query parameters", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/sellers")]
pub async fn list_sellers(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    query: web::Query<SellerListQuery>,
) -> AppResult<HttpResponse> {
    let (page, status) = PageRequest::with_status(
        query.limit,
        query.cursor.as_deref(),
        query.status.as_deref(),
        SellerStatus::parse,
    )?;
    let status = status.unwrap_or(SellerStatus::Active);
    let is_admin = viewer.0.is_some_and(|u| u.role == Role::Admin);
    if status != SellerStatus::Active && !is_admin {
        return Err(AppError::Forbidden(
            "only admins may list sellers that are not active".to_owned(),
        ));
    }
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| Ok(db::sellers::list(conn, status.as_str(), after, fetch)?))
        .await?;
    let mut items = Vec::new();
    let page = page.finish(rows, |r| r.id, |r| r);
    for row in page.items {
        items.push(SellerResponse::from_row(row)?);
    }
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}
