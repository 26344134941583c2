//! Partner hotels: registration by a hotel account, public profiles and list.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::body::Body;
use super::pagination::{Page, PageRequest};
use crate::auth::{HotelAccount, HotelUser, MaybeUser};
use crate::db;
use crate::db::hotels::HotelRow;
use crate::domain::account::Role;
use crate::domain::hotel::parse_phri_number;
use crate::domain::phone::parse_phone;
use crate::domain::seller::{SellerStatus, parse_kecamatan};
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::hotels::{self, NewHotel};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-9000-7000-8000-000000000001", "name": "Hotel Tugu Malang",
    "address": "Jl. Tugu No. 3, Kauman", "kecamatan": "Klojen", "phri_number": "PHRI/MLG/0042",
    "contact_name": "Dewi Lestari", "contact_phone": "+62341363891", "status": "active",
    "created_at": "2026-11-24T08:00:00Z"}))]
pub struct HotelResponse {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub kecamatan: String,
    pub phri_number: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// `pending` until an admin approves the hotel.
    pub status: SellerStatus,
    pub created_at: DateTime<Utc>,
}

impl HotelResponse {
    pub fn from_row(row: HotelRow) -> AppResult<Self> {
        Ok(Self {
            id: row.id,
            status: SellerStatus::parse(&row.status).map_err(AppError::internal)?,
            name: row.name,
            address: row.address,
            kecamatan: row.kecamatan,
            phri_number: row.phri_number,
            contact_name: row.contact_name,
            contact_phone: row.contact_phone,
            created_at: row.created_at,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Hotel Tugu Malang", "address": "Jl. Tugu No. 3, Kauman", "kecamatan": "Klojen",
    "phri_number": "PHRI/MLG/0042", "contact_name": "Dewi Lestari", "contact_phone": "0341 363891"}))]
pub struct RegisterHotelRequest {
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    #[schema(required = true, nullable = false)]
    pub address: Option<String>,
    #[schema(required = true, nullable = false)]
    pub kecamatan: Option<String>,
    /// PHRI membership number.
    #[schema(required = true, nullable = false)]
    pub phri_number: Option<String>,
    #[schema(required = true, nullable = false)]
    pub contact_name: Option<String>,
    #[schema(required = true, nullable = false)]
    pub contact_phone: Option<String>,
}

/// Register the hotel of the signed-in hotel account (once); it stays `pending` until an
/// admin approves it.
#[utoipa::path(tag = "hotels", security(("bearer" = [])), request_body = RegisterHotelRequest, responses(
    (status = 201, body = HotelResponse),
    (status = 403, description = "Not a hotel account", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "This account already registered its hotel", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/hotels")]
pub async fn register_hotel(
    state: web::Data<AppState>,
    account: HotelAccount,
    body: Body,
) -> AppResult<HttpResponse> {
    let body: RegisterHotelRequest = body.json(&account.authorised()).await?;
    let mut v = Violations::new();
    let name = v.require("name", body.name.as_deref(), |s| bounded(s, 2, 120, false));
    let address = v.require("address", body.address.as_deref(), |s| {
        bounded(s, 5, 300, false)
    });
    let kecamatan = v.require("kecamatan", body.kecamatan.as_deref(), parse_kecamatan);
    let phri_number = v.require(
        "phri_number",
        body.phri_number.as_deref(),
        parse_phri_number,
    );
    let contact_name = v.require("contact_name", body.contact_name.as_deref(), |s| {
        bounded(s, 1, 100, false)
    });
    let contact_phone = v.require("contact_phone", body.contact_phone.as_deref(), parse_phone);
    let (name, address, kecamatan, phri_number, contact_name, contact_phone) = v.finish_with((
        name,
        address,
        kecamatan,
        phri_number,
        contact_name,
        contact_phone,
    ))?;
    let new = NewHotel {
        name,
        address,
        kecamatan,
        phri_number,
        contact_name,
        contact_phone,
    };
    let user_id = account.0.id;
    let stored = state
        .db(move |conn| hotels::register(conn, user_id, new))
        .await?;
    Ok(HttpResponse::Created().json(HotelResponse::from_row(stored)?))
}

/// The signed-in hotel account's hotel.
#[utoipa::path(tag = "hotels", security(("bearer" = [])), responses(
    (status = 200, body = HotelResponse),
    (status = 403, description = "Not a hotel account, or no hotel registered yet", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/hotels/me")]
pub async fn my_hotel(
    state: web::Data<AppState>,
    hotel: HotelUser,
) -> AppResult<web::Json<HotelResponse>> {
    let row = state
        .db(move |conn| Ok(db::hotels::find(conn, hotel.hotel_id)?))
        .await?;
    Ok(web::Json(HotelResponse::from_row(
        row.ok_or(AppError::NotFound("hotel"))?,
    )?))
}

/// A hotel. Hotels that are not active are visible only to themselves and admins.
#[utoipa::path(tag = "hotels", params(("id" = Uuid, Path, description = "Hotel id")), responses(
    (status = 200, body = HotelResponse),
    (status = 404, description = "No such active hotel", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/hotels/{id}")]
pub async fn get_hotel(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<HotelResponse>> {
    let id = id.into_inner();
    let row = state
        .db(move |conn| Ok(db::hotels::find(conn, id)?))
        .await?
        .ok_or(AppError::NotFound("hotel"))?;
    let visible = row.status == SellerStatus::Active.as_str()
        || viewer
            .0
            .is_some_and(|u| u.role == Role::Admin || u.id == row.user_id);
    if !visible {
        return Err(AppError::NotFound("hotel"));
    }
    Ok(web::Json(HotelResponse::from_row(row)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotelListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Admins only: `pending` or `suspended`.
    pub status: Option<String>,
}

/// Active partner hotels, newest first.
#[utoipa::path(tag = "hotels", params(HotelListQuery), responses(
    (status = 200, body = inline(Page<HotelResponse>)),
    (status = 403, description = "`status` other than active asked by a non-admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid query parameters", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/hotels")]
pub async fn list_hotels(
    state: web::Data<AppState>,
    viewer: MaybeUser,
    query: web::Query<HotelListQuery>,
) -> AppResult<web::Json<Page<HotelResponse>>> {
    let (page, status) = PageRequest::with_status(
        query.limit,
        query.cursor.as_deref(),
        query.status.as_deref(),
        SellerStatus::parse,
    )?;
    let status = status.unwrap_or(SellerStatus::Active);
    if status != SellerStatus::Active && !viewer.0.is_some_and(|u| u.role == Role::Admin) {
        return Err(AppError::Forbidden(
            "only admins may list hotels that are not active".to_owned(),
        ));
    }
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| Ok(db::hotels::list(conn, status.as_str(), after, fetch)?))
        .await?;
    let page = page.finish(rows, |r| r.id, |r| r);
    let items = page
        .items
        .into_iter()
        .map(HotelResponse::from_row)
        .collect::<AppResult<_>>()?;
    Ok(web::Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}
