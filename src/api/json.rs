//! JSON request bodies: the media type checked (415), the size bounded (413), syntax errors
//! as 400 and type errors as 422 naming the field's path. `OptionalJson` also takes no body
//! at all, for requests whose fields are all optional.

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::AppError;

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 1024 * 1024;

pub struct Json<T>(pub T);

/// Whether the request says its body is JSON (`application/json` or `…+json`).
pub fn is_json(req: &HttpRequest) -> bool {
    let Some(ct) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { "body".to_owned() } else { path };
                AppError::invalid(field, strip_position(&inner.to_string()))
            }
            _ => AppError::BadRequest(format!("the body is not valid JSON: {inner}")),
        }
    })
}

/// For `Option<Option<T>>` fields: tells a field sent as `null` (clear it) from a field left
/// out (keep it). Use with `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// serde_json appends " at line 1 column 17"; the field path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The body, at most `JSON_LIMIT` bytes.
fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<web::Bytes, AppError>> + 'static {
    let body = web::Bytes::from_request(req, payload);
    async move {
        body.await.map_err(|e| match e.as_error::<PayloadError>() {
            Some(PayloadError::Overflow) => {
                AppError::PayloadTooLarge(format!("the body is larger than {JSON_LIMIT} bytes"))
            }
            _ => match e.as_response_error().status_code().as_u16() {
                413 => {
                    AppError::PayloadTooLarge(format!("the body is larger than {JSON_LIMIT} bytes"))
                }
                _ => AppError::BadRequest("the body could not be read".to_owned()),
            },
        })
    }
}

fn not_json() -> AppError {
    AppError::UnsupportedMediaType("send the body as `Content-Type: application/json`".to_owned())
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !is_json(req) {
            return Box::pin(async { Err(not_json()) });
        }
        let body = read_body(req, payload);
        Box::pin(async move { parse(&body.await?).map(Json) })
    }
}

/// The body of a handler that takes the raw `web::Payload`, read and parsed only once the
/// handler has checked who may send it (the `Json` extractor reads it before the handler
/// runs): the same media type, size and syntax checks as `Json`.
pub async fn read<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, AppError> {
    if !is_json(req) {
        return Err(not_json());
    }
    let mut payload = payload.into_inner();
    let bytes = read_body(req, &mut payload).await?;
    parse(&bytes)
}

/// A JSON body whose fields are all optional: no body at all (no `Content-Type`, or
/// `Content-Length: 0`) means the same as `{}`, so a client need not invent one.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let body = read_body(req, payload);
        Box::pin(async move {
            let bytes = body.await?;
            if bytes.is_empty() {
                Ok(OptionalJson(T::default()))
            } else if json {
                parse(&bytes).map(OptionalJson)
            } else {
                Err(not_json())
            }
        })
    }
}
