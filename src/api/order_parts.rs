//! `/v1/order-parts`: one seller's part of an order, read and moved by that seller (and by
//! the order's buyer where SPEC lets it).

use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::pagination::{Page, PageRequest};
use crate::auth::{AuthUser, Authorised, SellerUser};
use crate::domain::order::{MAX_SHIPPING_IDR, PartStatus, Transition};
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::error::{AppResult, Problem};
use crate::services::orders::lifecycle::{self, Step};
use crate::services::orders::view::OrderPart;
use crate::services::orders::{self};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartListQuery {
    /// Only parts in this status.
    pub status: Option<String>,
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The calling seller's parts of orders, newest first.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(PartListQuery), responses(
    (status = 200, body = inline(Page<OrderPart>)),
    (status = 403, description = "Not a seller account", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown `status`, `limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/order-parts")]
pub async fn list_parts(
    state: web::Data<AppState>,
    seller: SellerUser,
    query: web::Query<PartListQuery>,
) -> AppResult<web::Json<Page<OrderPart>>> {
    let (page, status) = PageRequest::with_status(
        query.limit,
        query.cursor.as_deref(),
        query.status.as_deref(),
        PartStatus::parse,
    )?;
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| orders::parts_of_seller(conn, seller.seller_id, status, after, fetch))
        .await?;
    Ok(web::Json(page.finish(rows, |p| p.id, |p| p)))
}

/// One part: for its seller and for the order's buyer.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = OrderPart),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/order-parts/{id}")]
pub async fn get_part(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<OrderPart>> {
    let id = id.into_inner();
    let part = state
        .db(move |conn| orders::part_for(conn, &user, id))
        .await?;
    Ok(web::Json(part))
}

/// The caller may make this move on the part (before its body is read).
async fn may_take(
    state: &AppState,
    user: AuthUser,
    id: &Uuid,
    transition: Transition,
) -> AppResult<Authorised> {
    let id = *id;
    access::check(state, move |conn| {
        lifecycle::may(conn, &user, id, transition)
    })
    .await
}

async fn run_step(
    state: web::Data<AppState>,
    user: AuthUser,
    id: Uuid,
    step: Step,
) -> AppResult<web::Json<OrderPart>> {
    let part = state
        .db(move |conn| lifecycle::step(conn, &user, id, step))
        .await?;
    Ok(web::Json(part))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"shipping_idr": 18000, "note": "JNE REG, 2–3 hari"}))]
pub struct ConfirmRequest {
    /// The shipping cost (ongkir) the buyer pays on top, 0–10 000 000.
    #[schema(required = true, nullable = false)]
    pub shipping_idr: Option<i64>,
    /// For the buyer (up to 500 characters).
    pub note: Option<String>,
}

/// The seller confirms the part and quotes shipping: `awaiting_confirmation` →
/// `awaiting_payment`.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ConfirmRequest, responses(
    (status = 200, body = OrderPart),
    (status = 403, description = "The buyer of the order (only the seller confirms)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The part is not awaiting confirmation (`detail` names its status)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/order-parts/{id}/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<OrderPart>> {
    let body: ConfirmRequest = body
        .json(&may_take(&state, user, &id, Transition::Confirm).await?)
        .await?;
    let mut v = Violations::new();
    let shipping_idr = v.require("shipping_idr", body.shipping_idr, |s| {
        if (0..=MAX_SHIPPING_IDR).contains(&s) {
            Ok(s)
        } else {
            Err(format!("must be between 0 and {MAX_SHIPPING_IDR}"))
        }
    });
    let note = v.check_opt("note", body.note.as_deref(), |n| bounded(n, 1, 500, true));
    v.finish()?;
    let step = Step::Confirm {
        shipping_idr: shipping_idr.unwrap_or_default(),
        note: note.flatten(),
    };
    run_step(state, user, id.into_inner(), step).await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reference": "BCA transfer 02/12 14:05, a.n. Sri Wahyuni"}))]
pub struct MarkPaidRequest {
    /// How the money arrived (bank transfer, QRIS reference), 1–200 characters.
    #[schema(required = true, nullable = false)]
    pub reference: Option<String>,
}

/// The seller records that the buyer's payment arrived: `awaiting_payment` → `paid`.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = MarkPaidRequest, responses(
    (status = 200, body = OrderPart),
    (status = 403, description = "The buyer of the order (only the seller records a payment)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The part is not awaiting payment", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/order-parts/{id}/mark-paid")]
pub async fn mark_paid(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<OrderPart>> {
    let body: MarkPaidRequest = body
        .json(&may_take(&state, user, &id, Transition::MarkPaid).await?)
        .await?;
    let mut v = Violations::new();
    let reference = v.require("reference", body.reference, |r| bounded(&r, 1, 200, false));
    v.finish()?;
    let step = Step::MarkPaid {
        reference: reference.unwrap_or_default(),
    };
    run_step(state, user, id.into_inner(), step).await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"courier": "JNE REG", "tracking_number": "CGK1234567890"}))]
pub struct ShipRequest {
    /// 1–50 characters.
    #[schema(required = true, nullable = false)]
    pub courier: Option<String>,
    /// The courier's receipt number (resi), 1–50 characters.
    #[schema(required = true, nullable = false)]
    pub tracking_number: Option<String>,
}

/// The seller hands the parcel to a courier: `paid` → `shipped`.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = ShipRequest, responses(
    (status = 200, body = OrderPart),
    (status = 403, description = "The buyer of the order (only the seller ships)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The part is not paid", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/order-parts/{id}/ship")]
pub async fn ship(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<OrderPart>> {
    let body: ShipRequest = body
        .json(&may_take(&state, user, &id, Transition::Ship).await?)
        .await?;
    let mut v = Violations::new();
    let courier = v.require("courier", body.courier, |c| bounded(&c, 1, 50, false));
    let tracking = v.require("tracking_number", body.tracking_number, |t| {
        bounded(&t, 1, 50, false)
    });
    v.finish()?;
    let step = Step::Ship {
        courier: courier.unwrap_or_default(),
        tracking_number: tracking.unwrap_or_default(),
    };
    run_step(state, user, id.into_inner(), step).await
}

/// The buyer got the parcel: `shipped` → `completed`; the units are sold. (A part shipped 14
/// days ago completes on its own.)
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = OrderPart),
    (status = 403, description = "The seller (only the buyer marks a parcel received)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The part is not shipped", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/order-parts/{id}/received")]
pub async fn received(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<OrderPart>> {
    run_step(state, user, id.into_inner(), Step::Received).await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Stok habis terjual di pameran"}))]
pub struct CancelRequest {
    /// Why, for the other side (1–500 characters).
    #[schema(required = true, nullable = false)]
    pub reason: Option<String>,
}

/// Cancels the part: by the buyer until it is paid, by the seller until it is shipped. The
/// reserved units go back to the seller's own stock.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CancelRequest, responses(
    (status = 200, body = OrderPart),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Too late for the caller to cancel (paid, for the buyer; shipped, for the seller), or already ended", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/order-parts/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<OrderPart>> {
    let body: CancelRequest = body
        .json(&may_take(&state, user, &id, Transition::Cancel).await?)
        .await?;
    let mut v = Violations::new();
    let reason = v.require("reason", body.reason, |r| bounded(&r, 1, 500, true));
    v.finish()?;
    let step = Step::Cancel {
        reason: reason.unwrap_or_default(),
    };
    run_step(state, user, id.into_inner(), step).await
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Stok disiapkan untuk pameran; mohon maaf"}))]
pub struct DeclineRequest {
    /// Why, for the buyer (1–500 characters).
    #[schema(required = true, nullable = false)]
    pub reason: Option<String>,
}

/// The seller declines a part it will not take, at once: `awaiting_confirmation` →
/// `cancelled`, the reason kept as `cancel_reason`, the history's step marked `declined`,
/// and the reserved units back in the seller's own stock (an `order_part.cancelled`
/// webhook event). Once confirmed, a part is cancelled instead. Who may decline is checked
/// before the body is read.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = DeclineRequest, responses(
    (status = 200, body = OrderPart),
    (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The buyer of the order (only the seller declines)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such part of the caller's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The part is not awaiting confirmation (`detail` names its status)", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Over 1 MiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not `application/json`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "No `reason`, or not 1–500 characters", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/order-parts/{id}/decline")]
pub async fn decline(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<OrderPart>> {
    let body: DeclineRequest = body
        .json(&may_take(&state, user, &id, Transition::Decline).await?)
        .await?;
    let id = id.into_inner();
    let mut v = Violations::new();
    let reason = v.require("reason", body.reason, |r| bounded(&r, 1, 500, true));
    v.finish()?;
    let step = Step::Decline {
        reason: reason.unwrap_or_default(),
    };
    run_step(state, user, id, step).await
}
