//! At most once per `Idempotency-Key`: the key is claimed inside the operation's own write
//! transaction, before any work. A second request with the key waits for the first
//! (PostgreSQL's unique index; SQLite's write lock) and then gets its stored answer. The same
//! key with a different request is 409. A request that fails stores nothing, so retrying it
//! runs it again.

use serde::Serialize;
use uuid::Uuid;

use crate::db::appends::Appends;
use crate::db::idempotency::KeyRow;
use crate::db::{self, DbConn, Tx, write_tx};
use crate::domain::now;
use crate::error::{AppError, AppResult};

pub const HEADER: &str = "Idempotency-Key";

/// Who asks, with which key, for what (a digest of method, path and body).
pub struct Claim {
    pub user_id: Uuid,
    pub key: Option<String>,
    pub fingerprint: String,
}

/// What a request under a key gets.
pub enum Once<T> {
    /// The operation ran now.
    Fresh(T),
    /// It had run before: the status and JSON body it answered then.
    Replayed { status: u16, body: String },
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

enum Outcome<T> {
    Fresh(T),
    Stored(KeyRow),
}

/// Runs `op` in one write transaction, at most once per key; `status` is what a fresh run
/// answers, stored with its JSON for replays. What `op` gathers into the [`Appends`] it is
/// given is written after it, in one statement with the stored answer.
pub fn once<T, F>(conn: &mut DbConn, claim: &Claim, status: u16, op: F) -> AppResult<Once<T>>
where
    F: FnOnce(&mut Tx<'_>, &mut Appends) -> AppResult<T>,
    T: Serialize,
{
    let attempt = write_tx(conn, |conn| {
        if let Some(k) = &claim.key {
            let row = KeyRow {
                user_id: claim.user_id,
                key: k.clone(),
                request_hash: claim.fingerprint.clone(),
                status_code: 0,
                response_body: String::new(),
                created_at: now(),
            };
            if !db::idempotency::claim(conn, row)? {
                return match db::idempotency::find(conn, claim.user_id, k)? {
                    Some(row) => Ok(Outcome::Stored(row)),
                    None => Err(TxError::Raced),
                };
            }
        }
        let mut later = Appends::new();
        let value = op(conn, &mut later).map_err(TxError::App)?;
        if let Some(k) = &claim.key {
            let body =
                serde_json::to_string(&value).map_err(|e| TxError::App(AppError::internal(e)))?;
            let code = i32::from(status);
            db::idempotency::complete_later(conn, &mut later, claim.user_id, k, code, body)?;
        }
        later.write(conn)?;
        Ok(Outcome::Fresh(value))
    });
    let stored = match attempt {
        Ok(Outcome::Fresh(value)) => return Ok(Once::Fresh(value)),
        Ok(Outcome::Stored(row)) => row,
        Err(TxError::App(e)) => return Err(e),
        Err(TxError::Raced) => {
            let k = claim.key.as_deref().unwrap_or_default();
            db::idempotency::find(conn, claim.user_id, k)?.ok_or_else(|| {
                AppError::Conflict("a request with this Idempotency-Key is in progress".to_owned())
            })?
        }
    };
    if stored.request_hash != claim.fingerprint {
        return Err(AppError::Conflict(format!(
            "this {HEADER} was used for a different request"
        )));
    }
    Ok(Once::Replayed {
        status: u16::try_from(stored.status_code).map_err(AppError::internal)?,
        body: stored.response_body,
    })
}
