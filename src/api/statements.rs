//! Monthly settlement statements of an agreement, as JSON or CSV.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::negotiate::accepts;
use crate::auth::access::Actor;
use crate::domain::consignment::Period;
use crate::domain::text::bounded;
use crate::error::{AppError, AppResult, Problem};
use crate::services::statements::{self, Statement};
use crate::spreadsheet::CsvTable;
use crate::state::AppState;

fn period(raw: &str) -> AppResult<Period> {
    Period::parse(raw).map_err(|m| AppError::invalid("period", m))
}

/// One table: a row per sale line and per missing charge, then the totals.
fn to_csv(s: &Statement) -> AppResult<String> {
    let mut t = CsvTable::new();
    let fail = |e: csv::Error| AppError::internal(e);
    t.row([
        "kind",
        "date",
        "sku",
        "title",
        "quantity",
        "unit_price_idr",
        "commission_bps",
        "amount_idr",
    ])
    .map_err(fail)?;
    for l in &s.lines {
        t.row([
            "sale",
            &l.sold_at.to_rfc3339(),
            &l.sku,
            &l.title,
            &l.quantity.to_string(),
            &l.unit_price_idr.to_string(),
            &l.commission_bps.to_string(),
            &l.gross_idr.to_string(),
        ])
        .map_err(fail)?;
    }
    for c in &s.missing_charges {
        t.row([
            "missing_charge",
            &c.counted_at.to_rfc3339(),
            &c.sku,
            "",
            &c.missing.to_string(),
            "",
            "",
            &c.charge_idr.to_string(),
        ])
        .map_err(fail)?;
    }
    for (kind, amount) in [
        ("gross", s.gross_idr),
        ("commission", s.commission_idr),
        ("missing_charges", s.missing_charges_idr),
        ("net", s.net_idr),
        ("opening_shelf_units", s.opening_shelf_units),
        ("closing_shelf_units", s.closing_shelf_units),
    ] {
        t.row([kind, &s.period, "", "", "", "", "", &amount.to_string()])
            .map_err(fail)?;
    }
    t.finish().map_err(AppError::internal)
}

/// A month's settlement statement (the agreement's seller, its hotel and admins). Send
/// `Accept: text/csv` for CSV. Months run in Western Indonesia Time (UTC+7).
#[utoipa::path(tag = "consignment", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Agreement id"), ("period" = String, Path, description = "`YYYY-MM`", pattern = "^2[0-9]{3}-(?:0[1-9]|1[0-2])$")),
    responses(
    (status = 200, description = "The statement; CSV with `Accept: text/csv`", content((Statement = "application/json"), (String = "text/csv"))),
    (status = 404, description = "No such agreement visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The period is not `YYYY-MM`", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/consignment-agreements/{id}/statements/{period}")]
pub async fn get_statement(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Actor,
    path: web::Path<(Uuid, String)>,
) -> AppResult<HttpResponse> {
    let (id, raw) = path.into_inner();
    let period = period(&raw)?;
    let statement = state
        .db(move |conn| statements::get(conn, &viewer, id, period))
        .await?;
    if accepts(&req, "text/csv") {
        let filename = format!("statement-{id}-{}.csv", statement.period);
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ))
            .body(to_csv(&statement)?));
    }
    Ok(HttpResponse::Ok().json(statement))
}

/// Close a month once it is over (the seller or an admin): its figures freeze, and sales
/// dated in it are refused from then on.
#[utoipa::path(tag = "consignment", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Agreement id"), ("period" = String, Path, description = "`YYYY-MM`", pattern = "^2[0-9]{3}-(?:0[1-9]|1[0-2])$")),
    responses(
    (status = 200, body = Statement),
    (status = 403, description = "The hotel (the seller closes)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such agreement visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already closed, or the month is not over", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The period is not `YYYY-MM`", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignment-agreements/{id}/statements/{period}/close")]
pub async fn close_statement(
    state: web::Data<AppState>,
    viewer: Actor,
    path: web::Path<(Uuid, String)>,
) -> AppResult<web::Json<Statement>> {
    let (id, raw) = path.into_inner();
    let period = period(&raw)?;
    let statement = state
        .db(move |conn| statements::close(conn, &viewer, id, period))
        .await?;
    Ok(web::Json(statement))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reference": "BCA transfer 2026-12-02 #8841"}))]
pub struct PaidRequest {
    /// A bank transfer reference or similar.
    pub reference: Option<String>,
}

/// Record that the hotel paid the seller a closed statement's net: the seller who received
/// it or an admin, never the hotel that owes it.
#[utoipa::path(tag = "consignment", security(("bearer" = [])), request_body(content = Option<PaidRequest>, description = "Optional: no body at all is the same as `{}`"),
    params(("id" = Uuid, Path, description = "Agreement id"), ("period" = String, Path, description = "`YYYY-MM`", pattern = "^2[0-9]{3}-(?:0[1-9]|1[0-2])$")),
    responses(
    (status = 200, body = Statement),
    (status = 403, description = "The hotel (the payee records the payout)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such agreement visible to the caller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not closed yet, or already paid", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/consignment-agreements/{id}/statements/{period}/paid")]
pub async fn mark_paid(
    state: web::Data<AppState>,
    viewer: Actor,
    path: web::Path<(Uuid, String)>,
    body: Body,
) -> AppResult<web::Json<Statement>> {
    let (id, raw) = path.into_inner();
    let ok = access::check(&state, move |conn| {
        statements::may_record_paid(conn, &viewer, id).map(|_| ())
    })
    .await?;
    let period = period(&raw)?;
    let body: PaidRequest = body.optional_json(&ok).await?;
    let reference = body
        .reference
        .as_deref()
        .map(|r| bounded(r, 1, 200, false))
        .transpose()
        .map_err(|m| AppError::invalid("reference", m))?;
    let statement = state
        .db(move |conn| statements::paid(conn, &viewer, id, period, reference))
        .await?;
    Ok(web::Json(statement))
}
