//! The catalogue: a seller's products, their variants, photos and status. Each write runs in
//! its own transaction, checks there that the seller may change the product, and returns the
//! product as the API shows it.

pub mod images;
pub mod products;
pub mod status;
pub mod variants;

use uuid::Uuid;

use crate::auth::SellerUser;
use crate::auth::access::{Action, authorize};
use crate::auth::actor::seller_actor;
use crate::db::products::ProductRow;
use crate::db::{self, DbConn};
use crate::domain::product::ProductStatus;
use crate::domain::seller::SellerStatus;
use crate::error::{AppError, AppResult};

/// A product with what access checks need to know about it.
pub struct Loaded {
    pub row: ProductRow,
    pub seller_active: bool,
}

impl Loaded {
    pub fn public(&self) -> bool {
        self.seller_active && self.row.status == ProductStatus::Published.as_str()
    }
}

pub fn load(conn: &mut DbConn, id: Uuid) -> AppResult<Loaded> {
    let (row, seller_status) =
        db::products::find_with_seller_status(conn, id)?.ok_or(AppError::NotFound("product"))?;
    Ok(Loaded {
        row,
        seller_active: seller_status == SellerStatus::Active.as_str(),
    })
}

/// Loads a product the seller may change, whatever its status: 404 if the seller may not see
/// it, 403 if it may see but not change it.
pub fn load_owned(conn: &mut DbConn, id: Uuid, seller: &SellerUser) -> AppResult<Loaded> {
    let loaded = load(conn, id)?;
    authorize(
        &seller_actor(seller),
        loaded.row.seller_id,
        loaded.public(),
        Action::Modify,
        "product",
    )?;
    Ok(loaded)
}

/// Loads a product the seller is about to change: 404 if the seller may not see it, 403 if
/// it may see but not change it, 409 if it is archived.
pub fn load_for_change(conn: &mut DbConn, id: Uuid, seller: &SellerUser) -> AppResult<Loaded> {
    let loaded = load_owned(conn, id, seller)?;
    if loaded.row.status == ProductStatus::Archived.as_str() {
        return Err(AppError::Conflict("the product is archived".to_owned()));
    }
    Ok(loaded)
}
