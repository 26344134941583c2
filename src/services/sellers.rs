//! A seller's own profile: replaced whole (`PUT /v1/sellers/me`), in one transaction, and
//! the mentor who taught it ("menularkan ilmu"), named once.

use uuid::Uuid;

use crate::auth::SellerUser;
use crate::db::sellers::{ProfileChanges, SellerRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::seller::SellerStatus;
use crate::error::{AppError, AppResult};

/// Mentor chains are walked this far at most when looking for a circle.
const MAX_CHAIN: usize = 10_000;

/// Replaces the seller's profile and, when `mentor` is given, names its mentor;
/// `check_version` compares the `If-Match` header with the profile's version (412 when stale).
pub fn update_profile(
    conn: &mut DbConn,
    seller: &SellerUser,
    changes: ProfileChanges,
    mentor: Option<Uuid>,
    check_version: impl Fn(i32) -> AppResult<()>,
) -> AppResult<SellerRow> {
    write_tx(conn, move |conn| {
        let current =
            db::sellers::find(conn, seller.seller_id)?.ok_or(AppError::NotFound("seller"))?;
        check_version(current.version)?;
        if let Some(mentor) = mentor {
            name_mentor(conn, seller.seller_id, mentor)?;
        }
        if !db::sellers::update_profile(conn, seller.seller_id, current.version, changes)? {
            return Err(AppError::changed_by_another("profile"));
        }
        db::sellers::find(conn, seller.seller_id)?.ok_or(AppError::NotFound("seller"))
    })
}

fn invalid(message: &str) -> AppError {
    AppError::invalid("mentor_seller_id", message)
}

/// Names `mentor` as the seller's mentor: an active seller, not the seller itself, not one
/// the seller taught (directly or down a chain), and only once (naming the same one again is
/// harmless). Mentor changes take turns (`db::sellers::lock_mentor_changes`), so two sellers
/// naming each other at once cannot both pass the circle check.
fn name_mentor(conn: &mut DbConn, seller_id: Uuid, mentor: Uuid) -> AppResult<()> {
    if mentor == seller_id {
        return Err(invalid("cannot be the seller itself"));
    }
    db::sellers::lock_mentor_changes(conn)?;
    match db::sellers::mentor_of(conn, seller_id)? {
        Some(current) if current == mentor => return Ok(()),
        Some(_) => {
            return Err(AppError::Conflict(
                "the mentor is named once, and this seller already has one".to_owned(),
            ));
        }
        None => {}
    }
    let active =
        db::sellers::find(conn, mentor)?.is_some_and(|m| m.status == SellerStatus::Active.as_str());
    if !active {
        return Err(invalid("is not an active seller"));
    }
    let mut next = db::sellers::mentor_of(conn, mentor)?;
    for _ in 0..MAX_CHAIN {
        match next {
            None => break,
            Some(id) if id == seller_id => {
                return Err(invalid(
                    "learnt from this seller (directly or through others): mentors cannot form a circle",
                ));
            }
            Some(id) => next = db::sellers::mentor_of(conn, id)?,
        }
    }
    if !db::sellers::set_mentor(conn, seller_id, mentor)? {
        return Err(AppError::Conflict(
            "the mentor is named once, and this seller already has one".to_owned(),
        ));
    }
    Ok(())
}
