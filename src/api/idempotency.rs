//! `Idempotency-Key` on POSTs that money or stock depend on. The key is claimed inside the
//! operation's own transaction, before any work: a second request with the key waits for
//! the first (PostgreSQL's unique index; SQLite's write lock) and then replays its stored
//! response with `Idempotent-Replayed: true`. The same key with a different request is 409.
//! A request that fails stores nothing, so retrying it runs it again.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::idempotency::KeyRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::now;
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";

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

enum Outcome {
    Fresh(String),
    Stored(KeyRow),
}

enum TxError {
    App(AppError),
    /// Another request holds the key.
    Raced,
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        TxError::App(e.into())
    }
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
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Serialize + Send + 'static,
{
    let key = key.0;
    let hash = fingerprint.clone();
    let code = i32::from(status.as_u16());
    let outcome = state
        .db(move |conn| {
            let attempt = write_tx(conn, |conn| {
                if let Some(k) = &key {
                    if let Some(row) = db::idempotency::find(conn, user_id, k)? {
                        return Ok(Outcome::Stored(row));
                    }
                    let claim = KeyRow {
                        user_id,
                        key: k.clone(),
                        request_hash: hash.clone(),
                        status_code: 0,
                        response_body: String::new(),
                        created_at: now(),
                    };
                    if let Err(e) = db::idempotency::insert(conn, claim) {
                        return Err(if is_unique_violation(&e) {
                            TxError::Raced
                        } else {
                            e.into()
                        });
                    }
                }
                let value = op(conn).map_err(TxError::App)?;
                let body = serde_json::to_string(&value)
                    .map_err(|e| TxError::App(AppError::internal(e)))?;
                if let Some(k) = &key {
                    db::idempotency::complete(conn, user_id, k, code, &body)?;
                }
                Ok(Outcome::Fresh(body))
            });
            match attempt {
                Ok(outcome) => Ok(outcome),
                Err(TxError::App(e)) => Err(e),
                Err(TxError::Raced) => {
                    let k = key.as_deref().unwrap_or_default();
                    db::idempotency::find(conn, user_id, k)?
                        .map(Outcome::Stored)
                        .ok_or_else(|| {
                            AppError::Conflict(
                                "a request with this Idempotency-Key is in progress".to_owned(),
                            )
                        })
                }
            }
        })
        .await?;
    match outcome {
        Outcome::Fresh(body) => Ok(HttpResponse::build(status)
            .content_type("application/json")
            .body(body)),
        Outcome::Stored(row) if row.request_hash != fingerprint => Err(AppError::Conflict(
            format!("this {HEADER} was used for a different request"),
        )),
        Outcome::Stored(row) => {
            let status =
                StatusCode::from_u16(row.status_code as u16).map_err(AppError::internal)?;
            Ok(HttpResponse::build(status)
                .content_type("application/json")
                .insert_header(("Idempotent-Replayed", "true"))
                .body(row.response_body))
        }
    }
}
