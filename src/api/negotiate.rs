//! Which representation a caller asked for in `Accept`.

use actix_web::HttpRequest;
use actix_web::http::header;

/// Whether `Accept` names `media` (`text/csv`, `image/svg+xml`…), parameters aside.
pub fn accepts(req: &HttpRequest, media: &str) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.split(';').next().unwrap_or("").trim() == media)
        })
}
