//! Error policy: library and database code return `AppError` (or `diesel::QueryResult`,
//! converted with `?`); handlers return `AppResult`; `main` alone uses `anyhow`. An
//! `AppError` knows its status and its RFC 9457 problem document but nothing of HTTP
//! servers: `api::error_response` renders it. Internal details (SQL, paths) are logged,
//! never sent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub type AppResult<T> = Result<T, AppError>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON path (`variants[1].sku`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "urn:kriya:problem:validation", "title": "Invalid request fields",
    "status": 422, "detail": "2 fields are invalid",
    "errors": [{"field": "price_idr", "message": "must be greater than 0"}]}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The request's id, as in the `X-Request-Id` header: quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// Lines asking for more units than there are, each named with what is available.
    #[error("{} line(s) ask for more units than are available", .0.len())]
    InsufficientStock(Vec<FieldError>),
    /// A checkout would take the buyer past a fair-use limit (units of a variant, parts
    /// awaiting confirmation), each named with the limit and what the buyer holds.
    #[error("the order would pass what one buyer may hold at once")]
    OrderLimit(Vec<FieldError>),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{} invalid field(s)", .0.len())]
    Validation(Vec<FieldError>),
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The methods the path does answer, as the `Allow` header lists them.
    #[error("the method is not allowed here; this resource answers {allow}")]
    MethodNotAllowed { allow: String },
    #[error("{0}")]
    Unavailable(String),
    /// Details are logged when the response is rendered, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// A dependency (the database, the photo store, search) is down: the answer names which,
    /// the log keeps the detail. Client messages carry host names and ports, which are not
    /// for anonymous callers.
    pub fn dependency_down(name: &'static str, detail: impl std::fmt::Display) -> Self {
        tracing::warn!(dependency = name, error = %detail, "dependency unavailable");
        AppError::Unavailable(format!("the {name} is not reachable right now"))
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// 412: a conditional update found the `what` changed since the caller read it.
    pub fn changed_by_another(what: &str) -> Self {
        AppError::PreconditionFailed(format!(
            "the {what} was changed by another request; fetch it again"
        ))
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::BadRequest(_) => ("bad-request", "Malformed request"),
            AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            AppError::Forbidden(_) => ("forbidden", "Not allowed"),
            AppError::NotFound(_) => ("not-found", "Not found"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::InsufficientStock(_) => ("insufficient-stock", "Not enough stock"),
            AppError::OrderLimit(_) => ("order-limit", "Fair-use limit reached"),
            AppError::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            AppError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            AppError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            AppError::Validation(_) => ("validation", "Invalid request fields"),
            AppError::RateLimited { .. } => ("rate-limited", "Too many requests"),
            AppError::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            AppError::Unavailable(_) => ("unavailable", "Service unavailable"),
            AppError::Internal(_) => ("internal", "Internal error"),
        }
    }

    /// The problem document, quoting the request's id when there is one.
    pub fn problem(&self, request_id: Option<String>) -> Problem {
        let (slug, title) = self.slug_and_title();
        let detail = match self {
            AppError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            AppError::Validation(errors) => format!("{} field(s) are invalid", errors.len()),
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:kriya:problem:{slug}"),
            title: title.to_owned(),
            status: self.status(),
            detail,
            errors: match self {
                AppError::Validation(errors)
                | AppError::InsufficientStock(errors)
                | AppError::OrderLimit(errors) => Some(errors.clone()),
                _ => None,
            },
            request_id,
        }
    }
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) | AppError::InsufficientStock(_) | AppError::OrderLimit(_) => 409,
            AppError::PreconditionFailed(_) => 412,
            AppError::PayloadTooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Validation(_) => 422,
            AppError::RateLimited { .. } => 429,
            AppError::MethodNotAllowed { .. } => 405,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound("resource"),
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        tracing::warn!(error = %e, "database pool");
        AppError::Unavailable("the database is not reachable right now".to_owned())
    }
}

/// True when a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
