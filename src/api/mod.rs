//! The HTTP API: one module per resource, DTOs with their OpenAPI schemas, and the one
//! function that registers every route (and so every path in the OpenAPI document).

pub mod access;
pub mod accounts;
pub mod admin;
pub mod agreements;
pub mod allow;
pub mod auth;
pub mod body;
pub mod categories;
pub mod consignments;
pub mod constraints;
pub mod cors;
pub mod created;
pub mod error_response;
pub mod etag;
pub mod health;
pub mod hotel_shelf;
pub mod hotels;
pub mod idempotency;
pub mod images;
pub mod json;
pub mod labels;
pub mod lines;
pub mod me;
pub mod metrics;
pub mod negotiate;
pub mod order_parts;
pub mod orders;
pub mod pagination;
pub mod problems;
pub mod product_dto;
pub mod product_lookup;
pub mod product_status;
pub mod products;
pub mod read_cache;
pub mod reports;
pub mod request_id;
pub mod search;
pub mod sellers;
pub mod statements;
pub mod stock;
pub mod trainings;
pub mod variants;
pub mod webhooks;

use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kriya API",
        description = "Marketplace backend for Malang's IKM craft makers: sellers, products, \
            partner-hotel consignment and search. Errors are RFC 9457 problem documents; \
            money is integer rupiah (`*_idr`).",
        license(name = "MIT"),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Accounts and tokens"),
        (name = "sellers", description = "Seller profiles"),
        (name = "categories", description = "The taxonomy"),
        (name = "products", description = "Products and their variants"),
        (name = "admin", description = "Moderation by the crafts council"),
        (name = "hotels", description = "PHRI partner hotels"),
        (name = "consignment", description = "Agreements, consignments, shelf sales, returns, counts and statements"),
        (name = "orders", description = "Online orders: checkout, each seller's part, confirmation, payment, shipping"),
        (name = "stock", description = "The stock ledger of a product"),
        (name = "images", description = "Product photos and their renditions"),
        (name = "search", description = "Catalogue search"),
        (name = "trainings", description = "The city office's trainings and their participants (admins)"),
        (name = "reports", description = "Reports as JSON, CSV or SVG charts: the city's overview and trainings (admins), a seller's own"),
        (name = "webhooks", description = "Standard Webhooks endpoints, their secrets and delivery log"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Adds the errors every operation of a kind can give, so no operation forgets them:
/// malformed/oversized/wrong-type bodies on those that take JSON, 401 on those that need a
/// token, 404 on those with path parameters (`problems::path_config`: an id that does not
/// parse names nothing), 422 on those with query parameters (`problems::query_config`).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    crate::error::PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                if op.request_body.is_some() {
                    add("400", "The body is not valid JSON");
                    add("413", "The body is larger than 1 MiB");
                    add("415", "The body is not `application/json`");
                    add("422", "Invalid fields, each named in `errors`");
                }
                if op.security.is_some() {
                    add("401", "No, malformed or expired bearer token");
                }
                let takes = |place: ParameterIn| {
                    op.parameters
                        .iter()
                        .flatten()
                        .any(|p| p.parameter_in == place)
                };
                let (in_path, in_query) = (takes(ParameterIn::Path), takes(ParameterIn::Query));
                if in_path {
                    add("404", "No such resource, or an id that is not one");
                }
                if in_query {
                    add("422", "Invalid query parameters, each named in `errors`");
                }
            }
        }
    }
}

/// Every documented route. Order matters where paths overlap (`/sellers/me` before
/// `/sellers/{id}`).
fn register(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(auth::register)
        .service(auth::login)
        .service(auth::refresh_tokens)
        .service(auth::logout)
        .service(me::me)
        .service(reports::get_my_report)
        .service(sellers::get_my_seller)
        .service(sellers::put_my_seller)
        .service(sellers::list_sellers)
        .service(sellers::get_seller)
        .service(admin::approve_seller)
        .service(admin::suspend_seller)
        .service(admin::approve_hotel)
        .service(admin::suspend_hotel)
        .service(hotels::register_hotel)
        .service(hotels::list_hotels)
        .service(hotels::my_hotel)
        .service(hotels::get_hotel)
        .service(hotel_shelf::record_sale)
        .service(hotel_shelf::record_return)
        .service(hotel_shelf::record_count)
        .service(hotel_shelf::get_shelf)
        .service(agreements::propose)
        .service(agreements::list_agreements)
        .service(agreements::get_agreement)
        .service(agreements::accept)
        .service(agreements::end)
        .service(statements::get_statement)
        .service(statements::close_statement)
        .service(statements::mark_paid)
        .service(consignments::dispatch)
        .service(consignments::get_consignment)
        .service(consignments::receive)
        .service(labels::get_labels)
        .service(labels::get_label)
        .service(orders::place_order)
        .service(orders::list_orders)
        .service(orders::get_order)
        .service(order_parts::list_parts)
        .service(order_parts::get_part)
        .service(order_parts::confirm)
        .service(order_parts::mark_paid)
        .service(order_parts::ship)
        .service(order_parts::received)
        .service(order_parts::cancel)
        .service(order_parts::decline)
        .service(categories::list_categories)
        .service(products::create_product)
        .service(products::list_products)
        .service(products::get_product)
        .service(products::update_product)
        .service(product_status::archive_product)
        .service(product_status::publish_product)
        .service(product_status::unpublish_product)
        .service(variants::add_variant)
        .service(variants::update_variant)
        .service(stock::get_stock)
        .service(stock::list_movements)
        .service(stock::adjust)
        .service(images::upload_image)
        .service(images::reorder_images)
        .service(images::delete_image)
        .service(search::search)
        .service(trainings::create_training)
        .service(trainings::list_trainings)
        .service(trainings::get_training)
        .service(trainings::update_training)
        .service(trainings::add_participants)
        .service(trainings::list_participants)
        .service(trainings::link_participant)
        .service(trainings::unlink_participant)
        .service(reports::get_overview)
        .service(reports::get_training_report)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::get_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_secret)
        .service(webhooks::test_webhook)
        .service(webhooks::list_deliveries)
        .service(webhooks::redeliver)
        .service(metrics::scrape)
        .service(images::get_rendition);
}

/// The OpenAPI document, built from the same registration the server uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    // Paths arrive with the registration, after the derive's own modifiers have run.
    CommonErrors.modify(&mut doc);
    doc
}

pub fn openapi_json() -> String {
    openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

async fn serve_openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}

/// Routes, extractor settings and the fallback for an actix `App`.
pub fn configure_app(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(json::JSON_LIMIT))
        .app_data(problems::path_config())
        .app_data(problems::query_config())
        .route("/v1/openapi.json", web::get().to(serve_openapi))
        // Swagger UI, built into the binary (nothing is fetched at build or run time).
        .route("/docs", web::get().to(docs_redirect))
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/v1/openapi.json")),
        );
    register(&mut ServiceConfig::new(cfg));
    cfg.default_service(web::to(problems::fallback));
}
