//! Sign-in sessions: a pair of an access token and a single-use refresh token, rotated on
//! each refresh; a refresh token used twice ends its whole sign-in.

use chrono::Duration;
use uuid::Uuid;

use crate::auth::refresh;
use crate::db::refresh_tokens::NewRefreshToken;
use crate::db::{self, DbConn, write_tx};
use crate::domain::account::Role;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A new pair of tokens.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// Starts a sign-in of `user_id` (whose password was checked): a new family of refresh
/// tokens.
pub fn sign_in(
    state: &AppState,
    conn: &mut DbConn,
    user_id: Uuid,
    role: Role,
) -> AppResult<Tokens> {
    write_tx(conn, |conn| issue(state, conn, user_id, role, new_id()))
}

/// Exchanges the refresh token whose digest is `digest` for a new pair; `None` when the
/// token is unknown, expired, revoked or reused (a reuse revokes its whole sign-in).
pub fn rotate(state: &AppState, conn: &mut DbConn, digest: &str) -> AppResult<Option<Tokens>> {
    write_tx(conn, |conn| {
        let t = now();
        let Some(token) = db::refresh_tokens::find_by_hash(conn, digest)? else {
            return Ok(None);
        };
        if token.revoked_at.is_some() || token.expires_at <= t {
            return Ok(None);
        }
        if !db::refresh_tokens::consume(conn, token.id, t)? {
            // Reuse of a rotated token: whoever holds the family may be an attacker.
            db::refresh_tokens::revoke_family(conn, token.family_id, t)?;
            tracing::warn!(user_id = %token.user_id, "refresh token reused; sign-in revoked");
            return Ok(None);
        }
        let user = db::users::find(conn, token.user_id)?.ok_or(AppError::NotFound("user"))?;
        let role = Role::parse(&user.role).map_err(AppError::internal)?;
        issue(state, conn, user.id, role, token.family_id).map(Some)
    })
}

/// Ends the sign-in of the refresh token whose digest is `digest` (nothing when unknown).
pub fn sign_out(conn: &mut DbConn, digest: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        if let Some(token) = db::refresh_tokens::find_by_hash(conn, digest)? {
            db::refresh_tokens::revoke_family(conn, token.family_id, now())?;
        }
        Ok(())
    })
}

/// Issues an access token and a refresh token in `family_id`.
fn issue(
    state: &AppState,
    conn: &mut DbConn,
    user_id: Uuid,
    role: Role,
    family_id: Uuid,
) -> AppResult<Tokens> {
    let refresh_token = refresh::generate();
    let t = now();
    db::refresh_tokens::insert(
        conn,
        NewRefreshToken {
            id: new_id(),
            user_id,
            family_id,
            token_hash: &refresh::digest(&refresh_token),
            expires_at: t + Duration::days(state.refresh_token_ttl_days as i64),
            created_at: t,
        },
    )?;
    Ok(Tokens {
        access_token: state.jwt.issue(user_id, role).map_err(AppError::internal)?,
        refresh_token,
        expires_in: state.jwt.ttl_secs,
    })
}
