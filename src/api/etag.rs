//! Entity tags: `ETag` out; `If-Match` in for optimistic concurrency, `If-None-Match` in
//! for revalidating a read.

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

/// The `If-None-Match` header, if sent and readable.
pub fn if_none_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Whether `If-None-Match` names `current` (or is `*`): the client's copy is current and the
/// answer is 304. Compared weakly, as RFC 9110 asks for this header.
pub fn none_match_hits(if_none_match: Option<&str>, current: &str) -> bool {
    let Some(value) = if_none_match else {
        return false;
    };
    let current = current.trim_start_matches("W/");
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == current)
}
