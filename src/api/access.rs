//! Object checks run before a body is read: whether the caller may act on the object a path
//! names (its product, its hotel, its order part), answered 404 or 403 before anything of
//! the body is looked at. The service checks again inside its transaction.

use crate::auth::Authorised;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::state::AppState;

/// Runs `check` on the blocking pool; its success is the permit to read the body.
pub async fn check(
    state: &AppState,
    check: impl FnOnce(&mut DbConn) -> AppResult<()> + Send + 'static,
) -> AppResult<Authorised> {
    state.db(check).await?;
    Ok(Authorised::granted())
}
