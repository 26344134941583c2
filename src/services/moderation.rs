//! An admin's moderation of sellers and hotels: approving (or reinstating) and suspending.
//! Approval is announced to the approved party's webhooks.

use uuid::Uuid;

use crate::api::hotels::HotelResponse;
use crate::api::sellers::SellerResponse;
use crate::db::hotels::HotelRow;
use crate::db::sellers::SellerRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::now;
use crate::domain::seller::SellerStatus;
use crate::domain::webhook::{Audience, EventType};
use crate::error::{AppError, AppResult};
use crate::webhooks;

/// Sets a seller's status; returns the seller as it is now.
pub fn set_seller_status(
    conn: &mut DbConn,
    id: Uuid,
    status: SellerStatus,
) -> AppResult<SellerRow> {
    let row = write_tx(conn, |conn| {
        let before = db::sellers::find(conn, id)?.ok_or(AppError::NotFound("seller"))?;
        if db::sellers::set_status(conn, id, status.as_str(), now())? == 0 {
            return Err(AppError::NotFound("seller"));
        }
        let row = db::sellers::find(conn, id)?.ok_or(AppError::NotFound("seller"))?;
        if status == SellerStatus::Active && before.status != row.status {
            let seller = SellerResponse::from_row(row.clone())?;
            webhooks::emit(
                conn,
                EventType::SellerApproved,
                Audience::seller(id),
                &seller,
            )?;
        }
        Ok(row)
    })?;
    tracing::info!(seller_id = %id, status = status.as_str(), "seller status changed");
    Ok(row)
}

/// Sets a partner hotel's status; returns the hotel as it is now.
pub fn set_hotel_status(conn: &mut DbConn, id: Uuid, status: SellerStatus) -> AppResult<HotelRow> {
    let row = write_tx(conn, |conn| {
        let before = db::hotels::find(conn, id)?.ok_or(AppError::NotFound("hotel"))?;
        if db::hotels::set_status(conn, id, status.as_str(), now())? == 0 {
            return Err(AppError::NotFound("hotel"));
        }
        let row = db::hotels::find(conn, id)?.ok_or(AppError::NotFound("hotel"))?;
        if status == SellerStatus::Active && before.status != row.status {
            let hotel = HotelResponse::from_row(row.clone())?;
            webhooks::emit(conn, EventType::HotelApproved, Audience::hotel(id), &hotel)?;
        }
        Ok(row)
    })?;
    tracing::info!(hotel_id = %id, status = status.as_str(), "hotel status changed");
    Ok(row)
}
