//! The answer to a request that made something: 201 with a `Location` naming it.

use actix_web::http::header;
use actix_web::{HttpResponse, HttpResponseBuilder};

/// A 201 whose `Location` is `location` (a path on this API); add its headers and body.
pub fn created(location: impl Into<String>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location.into()));
    response
}
