//! Account views shared by the auth and `/me` endpoints.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::hotels::HotelRow;
use crate::db::sellers::SellerRow;
use crate::db::users::UserRow;
use crate::domain::account::Role;
use crate::error::AppError;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a10", "email": "sri@batikmalang.id",
    "name": "Sri Wahyuni", "role": "seller", "status": "pending", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "created_at": "2026-11-24T08:00:00Z"}))]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// `active`, or `pending`/`suspended` for sellers and hotels awaiting or losing approval.
    pub status: String,
    /// The seller profile of a seller account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_id: Option<Uuid>,
    /// The hotel of a hotel account, once it has registered one (`POST /v1/hotels`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hotel_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl UserResponse {
    pub fn new(
        user: UserRow,
        seller: Option<&SellerRow>,
        hotel: Option<&HotelRow>,
    ) -> Result<Self, AppError> {
        let role = Role::parse(&user.role).map_err(AppError::internal)?;
        let status = match (role, seller, hotel) {
            (Role::Seller, Some(s), _) => s.status.clone(),
            // Hotel accounts become active with an approved hotel profile.
            (Role::Hotel, _, Some(h)) => h.status.clone(),
            (Role::Hotel, _, None) | (Role::Seller, None, _) => "pending".to_owned(),
            (Role::Buyer | Role::Admin, _, _) => "active".to_owned(),
        };
        Ok(Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role,
            status,
            seller_id: seller.map(|s| s.id),
            hotel_id: hotel.map(|h| h.id),
            created_at: user.created_at,
        })
    }
}
