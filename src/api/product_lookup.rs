//! Loading a product for a request, with the facts access checks need, and rendering it.

use actix_web::HttpResponse;
use actix_web::http::header;
use uuid::Uuid;

use super::etag;
use super::product_dto::ProductResponse;
pub use super::viewer::{seller_viewer, viewer_of};
use crate::auth::SellerUser;
use crate::auth::access::{Action, authorize};
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
    let row = db::products::find(conn, id)?.ok_or(AppError::NotFound("product"))?;
    let seller = db::sellers::find(conn, row.seller_id)?.ok_or(AppError::NotFound("product"))?;
    Ok(Loaded {
        row,
        seller_active: seller.status == SellerStatus::Active.as_str(),
    })
}

pub fn view(conn: &mut DbConn, row: ProductRow) -> AppResult<ProductResponse> {
    let variants = db::variants::of_products(conn, &[row.id])?;
    ProductResponse::new(row, variants)
}

pub fn with_etag(
    mut response: actix_web::HttpResponseBuilder,
    product: &ProductResponse,
    version: i32,
) -> HttpResponse {
    response
        .insert_header((header::ETAG, etag::for_version(version)))
        .json(product)
}

pub fn categories(conn: &mut DbConn) -> AppResult<Vec<String>> {
    Ok(db::categories::slugs(conn)?)
}

/// Loads a product the seller is about to change: 404 if the seller may not see it, 403 if
/// it may see but not change it, 409 if it is archived.
pub fn load_for_change(conn: &mut DbConn, id: Uuid, seller: &SellerUser) -> AppResult<Loaded> {
    let loaded = load(conn, id)?;
    authorize(
        &seller_viewer(seller),
        loaded.row.seller_id,
        loaded.public(),
        Action::Modify,
        "product",
    )?;
    if loaded.row.status == ProductStatus::Archived.as_str() {
        return Err(AppError::Conflict("the product is archived".to_owned()));
    }
    Ok(loaded)
}
