//! Who is asking, as the access checks need it: the account and its seller or hotel.

use crate::auth::access::Viewer;
use crate::auth::{AuthUser, HotelUser, SellerUser};
use crate::db::{self, DbConn};
use crate::domain::account::Role;
use crate::error::AppResult;

pub fn viewer_of(conn: &mut DbConn, user: Option<AuthUser>) -> AppResult<Viewer> {
    let seller_id = match user {
        Some(u) if u.role == Role::Seller => db::sellers::find_by_user(conn, u.id)?.map(|s| s.id),
        _ => None,
    };
    let hotel_id = match user {
        Some(u) if u.role == Role::Hotel => db::hotels::find_by_user(conn, u.id)?.map(|h| h.id),
        _ => None,
    };
    Ok(Viewer {
        user,
        seller_id,
        hotel_id,
    })
}

pub fn seller_viewer(seller: &SellerUser) -> Viewer {
    Viewer {
        user: Some(AuthUser {
            id: seller.user_id,
            role: Role::Seller,
        }),
        seller_id: Some(seller.seller_id),
        hotel_id: None,
    }
}

pub fn hotel_viewer(hotel: &HotelUser) -> Viewer {
    Viewer {
        user: Some(AuthUser {
            id: hotel.user_id,
            role: Role::Hotel,
        }),
        seller_id: None,
        hotel_id: Some(hotel.hotel_id),
    }
}
