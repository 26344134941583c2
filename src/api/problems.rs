//! Turns every error response actix makes on its own (unknown route, wrong method, bad path
//! or query, a refused CORS preflight) into a problem document, so clients see one error
//! format.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, header};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::allow;
use crate::error::{AppError, PROBLEM_JSON};

/// Wraps responses whose status is 4xx/5xx but whose body is not already a problem.
pub fn normalize<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let error = match res.status().as_u16() {
            400 if is_preflight(res.request()) => AppError::BadRequest(
                "this origin, method or header may not be used from a browser here".to_owned(),
            ),
            400 => AppError::BadRequest("the request is malformed".to_owned()),
            401 => AppError::Unauthorized("authentication required".to_owned()),
            403 => AppError::Forbidden("not allowed".to_owned()),
            404 => AppError::NotFound("resource"),
            405 => AppError::MethodNotAllowed {
                allow: allow::header_value(&allow::methods_for(res.request().path())),
            },
            413 => AppError::PayloadTooLarge("the request is too large".to_owned()),
            415 => AppError::UnsupportedMediaType("unsupported media type".to_owned()),
            422 => AppError::invalid("body", "the request could not be processed"),
            429 => AppError::RateLimited {
                retry_after_secs: 60,
            },
            503 => AppError::Unavailable("the service is unavailable".to_owned()),
            status if status < 500 => {
                AppError::BadRequest("the request could not be processed".to_owned())
            }
            _ => AppError::internal(format!("status {} without a problem body", res.status())),
        };
        let (req, original) = res.into_parts();
        let mut response = error.error_response();
        // The original's other headers still hold (CORS, `Vary`, `Retry-After`…); only its
        // body and the headers describing it are replaced.
        let own: Vec<_> = response.headers().keys().cloned().collect();
        for (name, value) in original.headers() {
            if !own.contains(name) && name != header::CONTENT_LENGTH {
                response.headers_mut().append(name.clone(), value.clone());
            }
        }
        Ok(ErrorHandlerResponse::Response(ServiceResponse::new(
            req,
            response.map_into_right_body(),
        )))
    })
}

fn is_preflight(req: &HttpRequest) -> bool {
    req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// The fallback service: 405 (with `Allow`) when the path exists for other methods, else
/// 404.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    let methods = allow::methods_for(req.path());
    let error = if methods.is_empty() {
        AppError::NotFound("resource")
    } else {
        AppError::MethodNotAllowed {
            allow: allow::header_value(&methods),
        }
    };
    error.error_response()
}

/// Path parameters that do not parse (an id that is not an id) name nothing that exists.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| AppError::NotFound("resource").into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        let message = match &err {
            actix_web::error::QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        AppError::invalid("query", message).into()
    })
}
