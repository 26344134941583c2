//! Shelf labels: a consignment's printable sheet (PDF) or one label (SVG), and the look-up a
//! hotel's till makes when it scans one.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::access::Actor;
use crate::domain::label::LabelCode;
use crate::error::{AppError, AppResult, Problem};
use crate::labels;
use crate::services::labels::{self as label_service, LabelLookup};
use crate::state::AppState;

/// The formats a sheet of labels comes in.
fn label_format() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["pdf", "svg"]))
        .description(Some(
            "`pdf` (default): an A4 sheet, 3 × 8 labels of 70 × 36 mm, one per unit dispatched;\n\
             `svg`: the one label named by `code`.",
        ))
        .build()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LabelsQuery {
    /// `pdf` (default): an A4 sheet, 3 × 8 labels of 70 × 36 mm, one per unit dispatched;
    /// `svg`: the one label named by `code`.
    #[param(schema_with = label_format)]
    pub format: Option<String>,
    /// The label code of one line; required with `format=svg`.
    pub code: Option<String>,
    /// Only this line's labels (a consignment of more than 1 200 units is printed a variant at
    /// a time).
    pub variant_id: Option<Uuid>,
}

/// The shelf labels of a consignment (its seller, its hotel, admins): product title, options,
/// SKU, price in rupiah, the seller's name and a QR code holding `KRY1:{label_code}`, with the
/// code printed under it for typing by hand. Fonts are embedded; titles in any Latin, Greek
/// or Cyrillic script print as written (other scripts as `?`).
#[utoipa::path(tag = "consignment", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Consignment id"), LabelsQuery),
    responses(
    (status = 200, description = "A PDF sheet, or with `format=svg` one label", content((Vec<u8> = "application/pdf"), (String = "image/svg+xml"))),
    (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such consignment visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "An unknown `format`, `format=svg` without a `code` of this consignment, a `variant_id` not on it, or more than 1 200 labels", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/consignments/{id}/labels")]
pub async fn get_labels(
    state: web::Data<AppState>,
    viewer: Actor,
    id: web::Path<Uuid>,
    query: web::Query<LabelsQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let query = query.into_inner();
    match query.format.as_deref() {
        None | Some("pdf") => {
            let variant_id = query.variant_id;
            let sheet = state
                .db(move |conn| label_service::sheet(conn, &viewer, id, variant_id))
                .await?;
            let title = format!("Label rak Kriya, konsinyasi {id}");
            let pdf = web::block(move || labels::sheet(&sheet, &title))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type("application/pdf")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"kriya-labels-{id}.pdf\""),
                ))
                .insert_header((header::CACHE_CONTROL, "private, no-cache"))
                .body(pdf))
        }
        Some("svg") => {
            let code = match query.code.as_deref() {
                None => return Err(AppError::invalid("code", "is required with format=svg")),
                Some(raw) => LabelCode::parse(raw).map_err(|m| AppError::invalid("code", m))?,
            };
            let label = state
                .db(move |conn| label_service::single(conn, &viewer, id, &code))
                .await?;
            Ok(HttpResponse::Ok()
                .content_type("image/svg+xml; charset=utf-8")
                // A picture: nothing in it may run or load anything.
                .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'"))
                .insert_header((header::CACHE_CONTROL, "private, no-cache"))
                .body(labels::single(&label)))
        }
        Some(_) => Err(AppError::invalid("format", "must be pdf or svg")),
    }
}

/// What a scanned shelf label names (the hotel holding its consignment, its seller, admins;
/// anyone else gets 404, as for a code that names nothing): the variant, product, prices,
/// agreement, hotel and how many units of the variant the hotel's shelf holds now. The code may
/// be given as scanned (`KRY1:…`) or typed (any case, with a hyphen).
#[utoipa::path(tag = "consignment", security(("bearer" = [])),
    params(("code" = String, Path, description = "The label code, e.g. `7K3QZ0M1XB`")),
    responses(
    (status = 200, body = LabelLookup),
    (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such label visible to the caller", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/labels/{code}")]
pub async fn get_label(
    state: web::Data<AppState>,
    viewer: Actor,
    code: web::Path<String>,
) -> AppResult<web::Json<LabelLookup>> {
    let code = LabelCode::parse(&code).map_err(|_| AppError::NotFound("label"))?;
    let found = state
        .db(move |conn| label_service::lookup(conn, &viewer, &code))
        .await?;
    Ok(web::Json(found))
}
