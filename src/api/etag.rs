//! Entity tags for optimistic concurrency: `ETag` out, `If-Match` in.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::AppError;

pub fn for_version(version: i32) -> String {
    format!("\"v{version}\"")
}

/// The `If-Match` header, if sent.
pub fn if_match(req: &HttpRequest) -> Result<Option<String>, AppError> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                AppError::BadRequest("If-Match is not a valid header value".to_owned())
            })
        })
        .transpose()
}

/// Checks `If-Match` against the current version: absent passes, `*` passes, otherwise one
/// of the listed strong tags must be the current one (412 if not).
pub fn check_if_match(if_match: Option<&str>, current_version: i32) -> Result<(), AppError> {
    let Some(value) = if_match else {
        return Ok(());
    };
    let current = for_version(current_version);
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed(format!(
            "the resource has changed (its ETag is now {current}); fetch it again"
        )))
    }
}
