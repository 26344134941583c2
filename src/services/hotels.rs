//! Partner hotels: a hotel account registers its hotel once; it waits for an admin.

use uuid::Uuid;

use crate::db::hotels::HotelRow;
use crate::db::{DbConn, hotels, write_tx};
use crate::domain::seller::SellerStatus;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, is_unique_violation};

/// A hotel's registration, validated.
pub struct NewHotel {
    pub name: String,
    pub address: String,
    pub kecamatan: String,
    pub phri_number: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// Registers the hotel of the account `user_id` as `pending`; 409 if it already has one.
pub fn register(conn: &mut DbConn, user_id: Uuid, new: NewHotel) -> AppResult<HotelRow> {
    let t = now();
    let row = HotelRow {
        id: new_id(),
        user_id,
        name: new.name,
        address: new.address,
        kecamatan: new.kecamatan,
        phri_number: new.phri_number,
        contact_name: new.contact_name,
        contact_phone: new.contact_phone,
        status: SellerStatus::Pending.as_str().to_owned(),
        version: 1,
        created_at: t,
        updated_at: t,
    };
    write_tx(conn, |conn| {
        hotels::insert(conn, row.clone()).map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("this account has already registered its hotel".to_owned())
            } else {
                e.into()
            }
        })?;
        Ok(row)
    })
}
