//! Registration, login, token refresh and logout.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::accounts::UserResponse;
use super::body::Body;
use crate::accounts::{Registration, insert_account};
use crate::auth::{Authorised, password, refresh};
use crate::db::{self, DbConn};
use crate::domain::account::{Email, Role};
use crate::error::{AppError, AppResult, Problem};
use crate::services::sessions::{self, Tokens};
use crate::state::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "sri@batikmalang.id", "password": "kawung-indigo-2026", "name": "Sri Wahyuni", "role": "seller"}))]
pub struct RegisterRequest {
    #[schema(required = true, nullable = false)]
    pub email: Option<String>,
    /// 10 to 128 characters.
    #[schema(required = true, nullable = false)]
    pub password: Option<String>,
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    /// `buyer`, `seller` or `hotel`.
    #[schema(required = true, nullable = false)]
    pub role: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "sri@batikmalang.id", "password": "kawung-indigo-2026"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "ZdRIznySFkm7OpS5fEQDk0vhTz5MzEUc75WaBLnbRQQ"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTkzNGY2ZS03ZDFhLTdjM2UtOWE1NS0xZjBlM2MyYjRhMTAiLCJyb2xlIjoic2VsbGVyIiwiaXNzIjoia3JpeWEiLCJhdWQiOiJrcml5YS1hcGkiLCJpYXQiOjE3OTUxNDQ1MDAsImV4cCI6MTc5NTE0NTQwMH0.B8HE8nCebhJNWARj8u-zS1_Sl2HwWr-MxeEoKs2wPxs",
    "refresh_token": "ZdRIznySFkm7OpS5fEQDk0vhTz5MzEUc75WaBLnbRQQ", "token_type": "Bearer", "expires_in": 900}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Single use: each refresh returns a new one.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// The client's address for rate limiting: the connecting peer, or, behind `hops` trusted
/// proxies, the address the outermost of them saw (the `hops`-th `X-Forwarded-For` entry
/// from the right; entries further left are the client's own claims and are ignored).
fn client_ip(req: &HttpRequest, hops: usize) -> std::net::IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    if hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    forwarded
        .len()
        .checked_sub(hops)
        .and_then(|i| forwarded[i].parse().ok())
        .unwrap_or(peer)
}

/// Create an account. Sellers and hotels start `pending` until an admin approves them.
#[utoipa::path(tag = "auth", request_body = RegisterRequest, responses(
    (status = 201, body = UserResponse),
    (status = 409, description = "The e-mail is already registered", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
) -> AppResult<HttpResponse> {
    state
        .auth_limiter
        .check(&client_ip(&req, state.trusted_proxy_hops))?;
    let body: RegisterRequest = body.json(&Authorised::public()).await?;
    let role = match body.role.as_deref() {
        None => Err("is required".to_owned()),
        Some(r) => Role::parse_self_service(r),
    };
    let reg = Registration::parse(
        body.email.as_deref(),
        body.password.as_deref(),
        body.name.as_deref(),
        role,
    )?;
    let (reg, hash) = web::block(move || {
        let hash = password::hash(reg.password.expose());
        (reg, hash)
    })
    .await?;
    let hash = hash.map_err(AppError::internal)?;
    let user = state
        .db(move |conn| {
            let id = insert_account(conn, &reg, &hash)?;
            load_user(conn, id)
        })
        .await?;
    Ok(HttpResponse::Created().json(user))
}

pub fn load_user(conn: &mut DbConn, id: Uuid) -> AppResult<UserResponse> {
    let user = db::users::find(conn, id)?.ok_or(AppError::NotFound("user"))?;
    let seller = db::sellers::find_by_user(conn, id)?;
    let hotel = db::hotels::find_by_user(conn, id)?;
    UserResponse::new(user, seller.as_ref(), hotel.as_ref())
}

impl From<Tokens> for TokenResponse {
    fn from(t: Tokens) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "Bearer".to_owned(),
            expires_in: t.expires_in,
        }
    }
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized("the e-mail or password is wrong".to_owned())
}

/// Sign in with e-mail and password.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Wrong e-mail or password", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
) -> AppResult<web::Json<TokenResponse>> {
    state
        .auth_limiter
        .check(&client_ip(&req, state.trusted_proxy_hops))?;
    let body: LoginRequest = body.json(&Authorised::public()).await?;
    let email = Email::parse(&body.email).map_err(|_| bad_credentials())?;
    let user = state
        .db(move |conn| Ok(db::users::find_by_email(conn, email.as_str())?))
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = web::block(move || password::verify(&body.password, stored.as_deref())).await?;
    let user = match user {
        Some(user) if ok => user,
        _ => return Err(bad_credentials()),
    };
    let role = Role::parse(&user.role).map_err(AppError::internal)?;
    let st = state.clone();
    let tokens = state
        .db(move |conn| sessions::sign_in(&st, conn, user.id, role))
        .await?;
    Ok(web::Json(tokens.into()))
}

/// Exchange a refresh token for a new pair.
///
/// Each refresh token works once: presenting a used one again revokes every token of its
/// sign-in.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "Unknown, expired, revoked or reused token", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/auth/refresh")]
pub async fn refresh_tokens(
    state: web::Data<AppState>,
    body: Body,
) -> AppResult<web::Json<TokenResponse>> {
    let body: RefreshRequest = body.json(&Authorised::public()).await?;
    let digest = refresh::digest(body.refresh_token.trim());
    let st = state.clone();
    let rotation = state
        .db(move |conn| sessions::rotate(&st, conn, &digest))
        .await?;
    match rotation {
        Some(tokens) => Ok(web::Json(tokens.into())),
        None => Err(AppError::Unauthorized(
            "the refresh token is not valid; sign in again".to_owned(),
        )),
    }
}

/// Sign out: revokes the refresh token and every token rotated from it.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Signed out (also when the token was already invalid)"),
))]
#[post("/v1/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: Body) -> AppResult<HttpResponse> {
    let body: RefreshRequest = body.json(&Authorised::public()).await?;
    let digest = refresh::digest(body.refresh_token.trim());
    state
        .db(move |conn| sessions::sign_out(conn, &digest))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
