//! The caller as services take it (an [`Actor`]): built once per request by its extractor,
//! or from a seller's or hotel's own extractor.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::access::Actor;
use super::extractors::state;
use super::{AuthUser, HotelUser, SellerUser};
use crate::db::{self, DbConn};
use crate::domain::account::Role;
use crate::error::{AppError, AppResult};

/// A signed-in caller (401 otherwise) with the seller or hotel it acts for.
impl FromRequest for Actor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload).into_inner();
        let checked = user.and_then(|user| Ok((user, state(req)?.clone())));
        Box::pin(async move {
            let (user, state) = checked?;
            state.db(move |conn| actor_of(conn, Some(user))).await
        })
    }
}

pub fn actor_of(conn: &mut DbConn, user: Option<AuthUser>) -> AppResult<Actor> {
    let seller_id = match user {
        Some(u) if u.role == Role::Seller => db::sellers::find_by_user(conn, u.id)?.map(|s| s.id),
        _ => None,
    };
    let hotel_id = match user {
        Some(u) if u.role == Role::Hotel => db::hotels::find_by_user(conn, u.id)?.map(|h| h.id),
        _ => None,
    };
    Ok(Actor {
        user,
        seller_id,
        hotel_id,
    })
}

pub fn seller_actor(seller: &SellerUser) -> Actor {
    Actor {
        user: Some(AuthUser {
            id: seller.user_id,
            role: Role::Seller,
        }),
        seller_id: Some(seller.seller_id),
        hotel_id: None,
    }
}

pub fn hotel_actor(hotel: &HotelUser) -> Actor {
    Actor {
        user: Some(AuthUser {
            id: hotel.user_id,
            role: Role::Hotel,
        }),
        seller_id: None,
        hotel_id: Some(hotel.hotel_id),
    }
}
