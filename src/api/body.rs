//! `Body`: a request body left unread until the caller is authorised. Every handler that
//! takes a body takes this extractor, which only keeps the stream; reading it needs an
//! `Authorised`, so a caller who may not use the operation gets its 401/403/404 before a
//! byte of the body is read, parsed or validated. (actix polls a handler's extractors
//! together, so a body extractor that read on its own would race the role check.)

use std::future::{Ready, ready};

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use super::json::{self, is_json, read_body};
use crate::auth::Authorised;
use crate::error::{AppError, AppResult};

pub struct Body {
    req: HttpRequest,
    payload: Payload,
}

impl FromRequest for Body {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(Ok(Body {
            req: req.clone(),
            payload: payload.take(),
        }))
    }
}

impl Body {
    /// The body as JSON of type `T`: 415 unless it says it is JSON, 413 beyond 1 MiB, 400
    /// for bad syntax, 422 naming the field for a wrong type.
    pub async fn json<T: DeserializeOwned>(mut self, _: &Authorised) -> AppResult<T> {
        if !is_json(&self.req) {
            return Err(json::not_json());
        }
        json::parse(&read_body(&self.req, &mut self.payload).await?)
    }

    /// For operations whose fields are all optional: no body at all (no `Content-Type`, or
    /// `Content-Length: 0`) means the same as `{}`, so a client need not invent one.
    pub async fn optional_json<T: DeserializeOwned + Default>(
        mut self,
        _: &Authorised,
    ) -> AppResult<T> {
        let bytes = read_body(&self.req, &mut self.payload).await?;
        if bytes.is_empty() {
            Ok(T::default())
        } else if is_json(&self.req) {
            json::parse(&bytes)
        } else {
            Err(json::not_json())
        }
    }

    /// The raw bytes (at most 1 MiB), for bodies in other formats (CSV).
    pub async fn bytes(mut self, _: &Authorised) -> AppResult<web::Bytes> {
        read_body(&self.req, &mut self.payload).await
    }

    /// A `multipart/form-data` body, read as its parts are taken.
    pub fn multipart(self, _: &Authorised) -> Multipart {
        Multipart::new(self.req.headers(), self.payload)
    }
}
