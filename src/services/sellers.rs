//! A seller's own profile: replaced whole (`PUT /v1/sellers/me`), in one transaction.

use crate::auth::SellerUser;
use crate::db::sellers::{ProfileChanges, SellerRow};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// Replaces the seller's profile; `check_version` compares the `If-Match` header with the
/// profile's version (412 when stale).
pub fn update_profile(
    conn: &mut DbConn,
    seller: &SellerUser,
    changes: ProfileChanges,
    check_version: impl Fn(i32) -> AppResult<()>,
) -> AppResult<SellerRow> {
    write_tx(conn, move |conn| {
        let current =
            db::sellers::find(conn, seller.seller_id)?.ok_or(AppError::NotFound("seller"))?;
        check_version(current.version)?;
        if !db::sellers::update_profile(conn, seller.seller_id, current.version, changes)? {
            return Err(AppError::PreconditionFailed(
                "the profile was changed by another request; fetch it again".to_owned(),
            ));
        }
        db::sellers::find(conn, seller.seller_id)?.ok_or(AppError::NotFound("seller"))
    })
}
