//! `Idempotency-Key` on POSTs that money or stock depend on: the header, the request's
//! fingerprint, and the answer (a replay carries `Idempotent-Replayed: true`). The rule
//! itself is `services::idempotency`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::services::idempotency::{self, Claim, Once};
use crate::state::AppState;

pub use crate::services::idempotency::HEADER;

/// The `Idempotency-Key` header, if sent: 1–255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(v) => match v.to_str() {
                Ok(s)
                    if (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(IdempotencyKey(Some(s.to_owned())))
                }
                _ => Err(AppError::BadRequest(format!(
                    "{HEADER} must be 1 to 255 visible ASCII characters"
                ))),
            },
        };
        ready(parsed)
    }
}

/// What the request is, for telling a replay from a different request with the same key.
pub fn fingerprint<B: Serialize>(req: &HttpRequest, body: &B) -> String {
    let body = serde_json::to_string(body).unwrap_or_default();
    hex::encode(Sha256::digest(format!(
        "{} {}\n{body}",
        req.method(),
        req.path()
    )))
}

/// Runs `op` in one write transaction, at most once per key, and answers with `status` and
/// its result as JSON (or the stored answer of the first request with this key).
pub async fn run<T, F>(
    state: &AppState,
    user_id: Uuid,
    key: IdempotencyKey,
    fingerprint: String,
    status: StatusCode,
    op: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut Tx<'_>) -> AppResult<T> + Send + 'static,
    T: Serialize + Send + 'static,
{
    let claim = Claim {
        user_id,
        key: key.0,
        fingerprint,
    };
    let code = status.as_u16();
    let once = state
        .db(move |conn| idempotency::once(conn, &claim, code, |conn, _| op(conn)))
        .await?;
    render(status, once)
}

/// The answer to a request under a key: the fresh result with `status`, or the stored one.
pub fn render<T: Serialize>(status: StatusCode, once: Once<T>) -> AppResult<HttpResponse> {
    match once {
        Once::Fresh(value) => Ok(HttpResponse::build(status).json(value)),
        Once::Replayed { status, body } => {
            let status = StatusCode::from_u16(status).map_err(AppError::internal)?;
            Ok(HttpResponse::build(status)
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(body))
        }
    }
}
