//! What of the demo is already there, so running it again adds nothing twice.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::portable::{DbId, DbTime};
use crate::db::schema::{
    consignment_agreements, consignments, hotel_sale_lines, product_images, products,
    stock_movements,
};

pub struct ExistingProduct {
    pub id: Uuid,
    pub status: String,
    pub images: i64,
    pub movements: i64,
}

pub fn product(conn: &mut DbConn, seller: Uuid, sku: &str) -> QueryResult<Option<ExistingProduct>> {
    let found: Option<(DbId, String)> = products::table
        .filter(products::seller_id.eq(DbId(seller)))
        .filter(products::sku.eq(sku))
        .select((products::id, products::status))
        .first(conn)
        .optional()?;
    let Some((id, status)) = found else {
        return Ok(None);
    };
    let images = product_images::table
        .filter(product_images::product_id.eq(id))
        .count()
        .get_result(conn)?;
    let movements = stock_movements::table
        .filter(stock_movements::product_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(Some(ExistingProduct {
        id: id.0,
        status,
        images,
        movements,
    }))
}

/// The active agreement between a seller and a hotel, if any.
pub fn active_agreement(conn: &mut DbConn, seller: Uuid, hotel: Uuid) -> QueryResult<Option<Uuid>> {
    let id: Option<DbId> = consignment_agreements::table
        .filter(consignment_agreements::seller_id.eq(DbId(seller)))
        .filter(consignment_agreements::hotel_id.eq(DbId(hotel)))
        .filter(consignment_agreements::status.eq("active"))
        .select(consignment_agreements::id)
        .first(conn)
        .optional()?;
    Ok(id.map(|i| i.0))
}

/// Consignments sent under an agreement since `since`, and sale lines under it since then
/// (older ones are the demo's history).
pub fn agreement_activity(
    conn: &mut DbConn,
    agreement: Uuid,
    since: DateTime<Utc>,
) -> QueryResult<(i64, i64)> {
    let sent = consignments::table
        .filter(consignments::agreement_id.eq(DbId(agreement)))
        .filter(consignments::dispatched_at.ge(DbTime(since)))
        .count()
        .get_result(conn)?;
    let sold = hotel_sale_lines::table
        .filter(hotel_sale_lines::agreement_id.eq(DbId(agreement)))
        .filter(hotel_sale_lines::sold_at.ge(DbTime(since)))
        .count()
        .get_result(conn)?;
    Ok((sent, sold))
}

/// The open (proposed or active) or any earlier agreement between a seller and a hotel.
pub fn agreement_between(
    conn: &mut DbConn,
    seller: Uuid,
    hotel: Uuid,
) -> QueryResult<Option<Uuid>> {
    let id: Option<DbId> = consignment_agreements::table
        .filter(consignment_agreements::seller_id.eq(DbId(seller)))
        .filter(consignment_agreements::hotel_id.eq(DbId(hotel)))
        .select(consignment_agreements::id)
        .first(conn)
        .optional()?;
    Ok(id.map(|i| i.0))
}
