//! Request ids: every response carries `X-Request-Id` (the caller's, when it sent a sane
//! one, e.g. from a proxy; otherwise the id the request's log span has), and so does every
//! problem document, so a report from a client can be found in the logs.

use actix_web::Error;
use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled, if any (for problem documents).
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The caller's id: 1–128 characters of letters, digits, `-`, `_`, `.`, `:`.
fn incoming(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(HEADER)?.to_str().ok()?;
    let ok = (1..=128).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| value.to_owned())
}

/// Middleware: runs the request with its id known, and echoes the id.
pub async fn echo(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = incoming(&req)
        .or_else(|| req.extensions().get::<RequestId>().map(|r| r.to_string()))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let mut res = CURRENT.scope(id.clone(), next.call(req)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    Ok(res)
}

/// The log span of a request: tracing-actix-web's, plus the caller's id when it sent one.
pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let client_request_id = incoming(request).unwrap_or_default();
        tracing_actix_web::root_span!(request, client_request_id = %client_request_id)
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
