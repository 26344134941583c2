//! Extractors that authenticate the caller and check its role, so a handler that takes a
//! `SellerUser` cannot be reached by anyone else.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use uuid::Uuid;

use super::Authorised;
use crate::db;
use crate::domain::account::Role;
use crate::domain::seller::SellerStatus;
use crate::error::AppError;
use crate::state::AppState;

/// Any signed-in caller.
#[derive(Clone, Copy, Debug)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
}

pub(super) fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state missing"))
}

/// `Ok(None)` when no `Authorization` header is sent; a header that is not a valid bearer
/// token is an error, never silently anonymous.
fn authenticate(req: &HttpRequest) -> Result<Option<AuthUser>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let unauthorized =
        || AppError::Unauthorized("the bearer token is missing, malformed or expired".to_owned());
    let value = value.to_str().map_err(|_| unauthorized())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(unauthorized)?;
    let claims = state(req)?
        .jwt
        .verify(token.trim())
        .map_err(|_| unauthorized())?;
    Ok(Some(AuthUser {
        id: claims.sub,
        role: claims.role,
    }))
}

fn require_role(req: &HttpRequest, role: Role) -> Result<AuthUser, AppError> {
    let user = AuthUser::from_req(req)?;
    if user.role == role {
        Ok(user)
    } else {
        Err(AppError::Forbidden(format!(
            "this needs a {} account",
            role.as_str()
        )))
    }
}

impl AuthUser {
    /// For operations that accounts of some roles may use (a buyer checks out; sellers,
    /// hotels and admins keep webhooks): 403 for any other.
    pub fn require_role_in(&self, roles: &[Role]) -> Result<Authorised, AppError> {
        if roles.contains(&self.role) {
            Ok(Authorised::granted())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(AppError::Forbidden(format!(
                "this needs a {} account",
                names.join(" or ")
            )))
        }
    }

    fn from_req(req: &HttpRequest) -> Result<Self, AppError> {
        authenticate(req)?.ok_or_else(|| {
            AppError::Unauthorized("sign in first: send `Authorization: Bearer <token>`".to_owned())
        })
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_req(req))
    }
}

/// The caller if signed in, `None` if anonymous.
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(MaybeUser))
    }
}

/// A signed-in admin.
pub struct AdminUser(pub AuthUser);

impl AdminUser {
    /// Admins may use every admin operation.
    pub fn authorised(&self) -> Authorised {
        Authorised::granted()
    }
}

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(require_role(req, Role::Admin).map(AdminUser))
    }
}

/// A signed-in seller with its seller profile (in any status; handlers that need an active
/// seller check `status`).
#[derive(Clone, Copy, Debug)]
pub struct SellerUser {
    pub user_id: Uuid,
    pub seller_id: Uuid,
    pub status: SellerStatus,
}

impl SellerUser {
    /// For operations every seller may use, approved or not (its own profile).
    pub fn authorised(&self) -> Authorised {
        Authorised::granted()
    }

    pub fn require_active(&self) -> Result<Authorised, AppError> {
        match self.status {
            SellerStatus::Active => Ok(Authorised::granted()),
            SellerStatus::Pending => Err(AppError::Forbidden(
                "the seller account is awaiting approval by an admin".to_owned(),
            )),
            SellerStatus::Suspended => Err(AppError::Forbidden(
                "the seller account is suspended".to_owned(),
            )),
        }
    }
}

impl FromRequest for SellerUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked =
            require_role(req, Role::Seller).and_then(|user| Ok((user, state(req)?.clone())));
        Box::pin(async move {
            let (user, state) = checked?;
            let seller = state
                .db(move |conn| Ok(db::sellers::find_by_user(conn, user.id)?))
                .await?
                .ok_or_else(|| {
                    AppError::Forbidden("this account has no seller profile".to_owned())
                })?;
            Ok(SellerUser {
                user_id: user.id,
                seller_id: seller.id,
                status: SellerStatus::parse(&seller.status).map_err(AppError::internal)?,
            })
        })
    }
}

/// A signed-in hotel account with its hotel profile (in any status; handlers that need an
/// active hotel check `status`).
#[derive(Clone, Copy, Debug)]
pub struct HotelUser {
    pub user_id: Uuid,
    pub hotel_id: Uuid,
    pub status: SellerStatus,
}

impl HotelUser {
    pub fn require_active(&self) -> Result<Authorised, AppError> {
        match self.status {
            SellerStatus::Active => Ok(Authorised::granted()),
            SellerStatus::Pending => Err(AppError::Forbidden(
                "the hotel is awaiting approval by an admin".to_owned(),
            )),
            SellerStatus::Suspended => {
                Err(AppError::Forbidden("the hotel is suspended".to_owned()))
            }
        }
    }
}

impl FromRequest for HotelUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked =
            require_role(req, Role::Hotel).and_then(|user| Ok((user, state(req)?.clone())));
        Box::pin(async move {
            let (user, state) = checked?;
            let hotel = state
                .db(move |conn| Ok(db::hotels::find_by_user(conn, user.id)?))
                .await?
                .ok_or_else(|| {
                    AppError::Forbidden("register the hotel first (POST /v1/hotels)".to_owned())
                })?;
            Ok(HotelUser {
                user_id: user.id,
                hotel_id: hotel.id,
                status: SellerStatus::parse(&hotel.status).map_err(AppError::internal)?,
            })
        })
    }
}

/// A signed-in account that is the hotel role, whether or not it has registered its hotel.
pub struct HotelAccount(pub AuthUser);

impl HotelAccount {
    /// For what a hotel account may do before its hotel exists (registering it).
    pub fn authorised(&self) -> Authorised {
        Authorised::granted()
    }
}

impl FromRequest for HotelAccount {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(require_role(req, Role::Hotel).map(HotelAccount))
    }
}
