//! Reports: the city's overview and a training's report (admins), a seller's own report.
//! Each answers JSON, CSV (`Accept: text/csv`) or an SVG line chart (`Accept: image/svg+xml`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::negotiate::accepts;
use crate::auth::{AuthUser, SellerUser};
use crate::charts::{LineChart, render_svg};
use crate::domain::consignment::Period;
use crate::domain::report::MonthRange;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::reports::overview::{self, Overview};
use crate::services::reports::seller::{self as seller_report, SellerReport};
use crate::services::reports::training::{self, DEFAULT_MONTHS, MAX_MONTHS, TrainingReport};
use crate::state::AppState;

/// What the caller asked for in `Accept`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Json,
    Csv,
    Svg,
}

fn format_of(req: &HttpRequest) -> Format {
    if accepts(req, "text/csv") {
        Format::Csv
    } else if accepts(req, "image/svg+xml") {
        Format::Svg
    } else {
        Format::Json
    }
}

/// The report in the format asked for; `csv` and `chart` are only called when needed.
async fn render<T: Serialize>(
    format: Format,
    report: T,
    filename: String,
    csv: impl FnOnce(&T) -> AppResult<String>,
    chart: impl FnOnce(&T) -> AppResult<LineChart>,
) -> AppResult<HttpResponse> {
    match format {
        Format::Json => Ok(HttpResponse::Ok().json(report)),
        Format::Csv => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}.csv\""),
            ))
            .body(csv(&report)?)),
        Format::Svg => {
            let chart = chart(&report)?;
            let svg = web::block(move || render_svg(&chart))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?;
            Ok(HttpResponse::Ok()
                .content_type("image/svg+xml; charset=utf-8")
                // The chart is a picture: nothing in it may run or load anything.
                .insert_header((
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'",
                ))
                .body(svg))
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MonthsQuery {
    /// First month, `YYYY-MM` (Western Indonesia Time).
    #[param(required = true, pattern = "^2[0-9]{3}-(?:0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`, at most 36 months after `from`.
    #[param(required = true, pattern = "^2[0-9]{3}-(?:0[1-9]|1[0-2])$")]
    pub to: Option<String>,
}

fn month_range(q: &MonthsQuery) -> AppResult<MonthRange> {
    let mut v = Violations::new();
    let from = v.require("from", q.from.as_deref(), Period::parse);
    let to = v.require("to", q.to.as_deref(), Period::parse);
    let (from, to) = v.finish_with((from, to))?;
    MonthRange::new(from, to).map_err(|m| AppError::invalid("to", m))
}

/// The city's months (admins): sellers, listings, online and hotel sales, by sector and by
/// kecamatan, and the products and sellers that sold most. Online sales are order parts by the
/// month they completed; hotel sales are sale lines by `sold_at`: the rows statements use.
/// `Accept: text/csv` gives a spreadsheet, `Accept: image/svg+xml` a line chart.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(MonthsQuery), responses(
    (status = 200, description = "The overview; CSV or an SVG chart by `Accept`", content((Overview = "application/json"), (String = "text/csv"), (String = "image/svg+xml"))),
    (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`from` or `to` missing, not `YYYY-MM`, out of order or too far apart; or a total beyond what an i64 holds, each such total named by its place in the report (`months[2].hotel_sales_idr`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admin/reports/overview")]
pub async fn get_overview(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<MonthsQuery>,
) -> AppResult<HttpResponse> {
    let range = month_range(&query)?;
    let report = state
        .db(move |conn| overview::overview(conn, &user, range))
        .await?;
    let name = format!("kriya-overview-{}-{}", report.from, report.to);
    render(
        format_of(&req),
        report,
        name,
        Overview::csv,
        Overview::chart,
    )
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AroundQuery {
    /// Months before and after the training's month, 1–12 (default 6).
    #[param(minimum = 1, maximum = 12)]
    pub months: Option<i32>,
}

/// Whether a training made a difference (admins): its participants' monthly sales against
/// the comparison group (active sellers of the training's sector who took no training), totals,
/// medians and averages per seller, from `months` before to `months` after the training's
/// month; how many participants list products and made their first sale since; what their
/// mentees sold.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Training id"), AroundQuery), responses(
    (status = 200, description = "The report; CSV or an SVG chart by `Accept`", content((TrainingReport = "application/json"), (String = "text/csv"), (String = "image/svg+xml"))),
    (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`months` outside 1–12; or a total beyond what an i64 holds, each such total named by its place in the report (`months[2].participants_total_idr`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admin/reports/trainings/{id}")]
pub async fn get_training_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: web::Query<AroundQuery>,
) -> AppResult<HttpResponse> {
    let months = query.months.unwrap_or(DEFAULT_MONTHS);
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(AppError::invalid(
            "months",
            format!("must be between 1 and {MAX_MONTHS}"),
        ));
    }
    let id = id.into_inner();
    let report = state
        .db(move |conn| training::report(conn, &user, id, months))
        .await?;
    let name = format!("kriya-training-{id}");
    render(
        format_of(&req),
        report,
        name,
        TrainingReport::csv,
        TrainingReport::chart,
    )
    .await
}

/// The calling seller's own months: online and at each hotel, its best products and what
/// lies on hotel shelves now, its trainings marked on the chart.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(MonthsQuery), responses(
    (status = 200, description = "The report; CSV or an SVG chart by `Accept`", content((SellerReport = "application/json"), (String = "text/csv"), (String = "image/svg+xml"))),
    (status = 401, description = "No or invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a seller", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "The account has no seller profile yet", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`from` or `to` missing, not `YYYY-MM`, out of order or too far apart; or a total beyond what an i64 holds, each such total named by its place in the report (`months[2].hotel_sales_idr`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/sellers/me/report")]
pub async fn get_my_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    seller: SellerUser,
    query: web::Query<MonthsQuery>,
) -> AppResult<HttpResponse> {
    let range = month_range(&query)?;
    let report = state
        .db(move |conn| seller_report::report(conn, seller.seller_id, range))
        .await?;
    let name = format!("kriya-{}-{}-{}", report.seller_id, report.from, report.to);
    render(
        format_of(&req),
        report,
        name,
        SellerReport::csv,
        SellerReport::chart,
    )
    .await
}
