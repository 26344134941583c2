//! Turns every error response actix makes on its own (unknown route, wrong method, bad path
//! or query) into a problem document, so clients see one error format.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

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
            400 => AppError::BadRequest("the request is malformed".to_owned()),
            401 => AppError::Unauthorized("authentication required".to_owned()),
            403 => AppError::Forbidden("not allowed".to_owned()),
            404 => AppError::NotFound("resource"),
            405 => AppError::MethodNotAllowed,
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
        let (req, _) = res.into_parts();
        let response = error.error_response().map_into_right_body();
        Ok(ErrorHandlerResponse::Response(ServiceResponse::new(
            req, response,
        )))
    })
}

/// The fallback service: 405 when the path exists for another method, else 404.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    let error = if req.resource_map().has_resource(req.path()) {
        AppError::MethodNotAllowed
    } else {
        AppError::NotFound("resource")
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
