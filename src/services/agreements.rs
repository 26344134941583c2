//! Consignment agreements: a seller proposes, the hotel accepts, either side ends.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::access::{Actor, authorize_party};
use crate::db::agreements::AgreementRow;
use crate::db::{self, DbConn, Tx, write_tx};
use crate::domain::consignment::{AgreementStatus, Bps};
use crate::domain::seller::SellerStatus;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, is_unique_violation};

pub fn propose(
    conn: &mut DbConn,
    seller_id: Uuid,
    hotel_id: Uuid,
    bps: Bps,
    term_days: i32,
) -> AppResult<AgreementRow> {
    write_tx(conn, |tx| {
        propose_at(tx, seller_id, hotel_id, bps, term_days, now())
    })
}

/// [`propose`] dated `at` (an import of older records), as part of the caller's unit.
pub fn propose_at(
    conn: &mut Tx<'_>,
    seller_id: Uuid,
    hotel_id: Uuid,
    bps: Bps,
    term_days: i32,
    at: DateTime<Utc>,
) -> AppResult<AgreementRow> {
    let hotel = db::hotels::find(conn, hotel_id)?
        .filter(|h| h.status == SellerStatus::Active.as_str())
        .ok_or_else(|| AppError::invalid("hotel_id", "names no active partner hotel"))?;
    let row = AgreementRow {
        id: new_id(),
        seller_id,
        hotel_id: hotel.id,
        commission_bps: bps.get(),
        term_days,
        status: AgreementStatus::Proposed.as_str().to_owned(),
        created_at: at,
        accepted_at: None,
        ended_at: None,
        ended_by: None,
    };
    // A unique index keeps one open agreement per seller and hotel, so two racing
    // proposals cannot both pass a read of "none open".
    db::agreements::insert(conn, row.clone()).map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Conflict(
                "there is already a proposed or active agreement with this hotel".to_owned(),
            )
        } else {
            e.into()
        }
    })?;
    Ok(row)
}

/// Loads an agreement the viewer is party to (404 otherwise).
pub fn load(conn: &mut DbConn, viewer: &Actor, id: Uuid) -> AppResult<AgreementRow> {
    let row = db::agreements::find(conn, id)?.ok_or(AppError::NotFound("agreement"))?;
    authorize_party(viewer, row.seller_id, row.hotel_id, "agreement")?;
    Ok(row)
}

pub fn accept(conn: &mut DbConn, viewer: &Actor, id: Uuid) -> AppResult<AgreementRow> {
    write_tx(conn, |tx| accept_at(tx, viewer, id, now()))
}

/// [`accept`] dated `at` (an import of older records), as part of the caller's unit.
pub fn accept_at(
    conn: &mut Tx<'_>,
    viewer: &Actor,
    id: Uuid,
    at: DateTime<Utc>,
) -> AppResult<AgreementRow> {
    let row = load(conn, viewer, id)?;
    if viewer.hotel_id != Some(row.hotel_id) {
        return Err(AppError::Forbidden(
            "only the hotel accepts an agreement".to_owned(),
        ));
    }
    // Read in the accepting transaction, so a suspension cannot slip in between.
    let hotel = db::hotels::find(conn, row.hotel_id)?.ok_or(AppError::NotFound("hotel"))?;
    if hotel.status != SellerStatus::Active.as_str() {
        return Err(AppError::Forbidden("the hotel is not active".to_owned()));
    }
    if !db::agreements::accept(conn, id, at)? {
        return Err(AppError::Conflict(format!(
            "the agreement is {}, not proposed",
            row.status
        )));
    }
    db::agreements::find(conn, id)?.ok_or(AppError::NotFound("agreement"))
}

pub fn end(conn: &mut DbConn, viewer: &Actor, id: Uuid) -> AppResult<AgreementRow> {
    write_tx(conn, |tx| end_in(tx, viewer, id))
}

fn end_in(conn: &mut Tx<'_>, viewer: &Actor, id: Uuid) -> AppResult<AgreementRow> {
    let row = load(conn, viewer, id)?;
    if viewer.hotel_id != Some(row.hotel_id) && viewer.seller_id != Some(row.seller_id) {
        return Err(AppError::Forbidden(
            "only the seller or the hotel ends an agreement".to_owned(),
        ));
    }
    let by = viewer
        .user_id()
        .ok_or_else(|| AppError::internal("anonymous viewer"))?;
    if !db::agreements::end(conn, id, by, now())? {
        return Err(AppError::Conflict(
            "the agreement has already ended".to_owned(),
        ));
    }
    db::agreements::find(conn, id)?.ok_or(AppError::NotFound("agreement"))
}
