//! CORS for browser frontends on other origins (`KRIYA_CORS_ORIGINS`). Without configured
//! origins the middleware is off and no response carries CORS headers.

use actix_cors::Cors;
use actix_web::http::{Method, header};
use actix_web::middleware::Condition;

use crate::config::CorsOrigins;

/// How long a browser may reuse a preflight answer.
const MAX_AGE_SECS: usize = 3600;

pub fn middleware(origins: &CorsOrigins) -> Condition<Cors> {
    let cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            super::request_id::HEADER,
        ])
        // What a frontend must read: the version for `If-Match`, where a new resource is,
        // whether a retry was replayed, the id to quote in a report, when to retry.
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::HeaderName::from_static("idempotent-replayed"),
            super::request_id::HEADER,
            header::RETRY_AFTER,
        ])
        .max_age(MAX_AGE_SECS);
    // Tokens travel in `Authorization`, never in cookies, so credentials are never allowed
    // and `*` may be answered as it is.
    match origins {
        CorsOrigins::Any => Condition::new(true, cors.allow_any_origin().send_wildcard()),
        CorsOrigins::Listed(list) => Condition::new(
            !list.is_empty(),
            list.iter()
                .fold(cors, |cors, origin| cors.allowed_origin(origin)),
        ),
    }
}
