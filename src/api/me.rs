//! The signed-in account.

use actix_web::{get, web};

use super::accounts::UserResponse;
use super::auth::load_user;
use crate::auth::AuthUser;
use crate::error::{AppResult, Problem};
use crate::state::AppState;

/// The signed-in account.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = UserResponse),
    (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<UserResponse>> {
    let user = state.db(move |conn| load_user(conn, user.id)).await?;
    Ok(web::Json(user))
}
