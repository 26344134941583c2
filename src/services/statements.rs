//! Monthly settlement statements of an agreement: what the hotel sold, the commission it
//! keeps, what it owes for units missing at its counts, and the net it pays the seller.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::access::Actor;
use crate::db::agreements::AgreementRow;
use crate::db::statements::StatementRow;
use crate::db::{self, DbConn, Tx, write_tx};
use crate::domain::consignment::{Period, commission_idr, net_idr, wib};
use crate::domain::money::{TOO_LARGE, line_idr, sum_idr};
use crate::domain::now;
use crate::domain::stock::Location;
use crate::domain::webhook::{Audience, EventType};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::webhooks;

#[derive(Serialize, Deserialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"sold_at": "2026-11-27T03:15:00Z", "variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001",
    "title": "Kalung Daun Jati Electroforming", "quantity": 1, "unit_price_idr": 185555, "gross_idr": 185555,
    "commission_bps": 1750}))]
pub struct StatementSaleLine {
    pub sold_at: DateTime<Utc>,
    pub variant_id: Uuid,
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub unit_price_idr: i64,
    pub gross_idr: i64,
    pub commission_bps: i32,
}

#[derive(Serialize, Deserialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"counted_at": "2026-11-30T09:00:00Z", "variant_id": "01934f6e-8000-7000-8000-000000000002",
    "sku": "DJ-KAL-001", "missing": 1, "charge_idr": 185555}))]
pub struct MissingCharge {
    pub counted_at: DateTime<Utc>,
    pub variant_id: Uuid,
    pub sku: String,
    pub missing: i64,
    pub charge_idr: i64,
}

#[derive(Serialize, Deserialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"agreement_id": "01934f6e-a000-7000-8000-000000000001", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "hotel_id": "01934f6e-9000-7000-8000-000000000001", "period": "2026-11", "period_start": "2026-10-31T17:00:00Z",
    "period_end": "2026-11-30T17:00:00Z", "status": "closed",
    "lines": [
        {"sold_at": "2026-11-27T03:15:00Z", "variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001",
            "title": "Kalung Daun Jati Electroforming", "quantity": 1, "unit_price_idr": 185555, "gross_idr": 185555,
            "commission_bps": 1750},
        {"sold_at": "2026-11-29T11:40:00Z", "variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001",
            "title": "Kalung Daun Jati Electroforming", "quantity": 1, "unit_price_idr": 185555, "gross_idr": 185555,
            "commission_bps": 1750}],
    "gross_idr": 371110, "commission_idr": 64944,
    "missing_charges": [{"counted_at": "2026-11-30T09:00:00Z", "variant_id": "01934f6e-8000-7000-8000-000000000002",
        "sku": "DJ-KAL-001", "missing": 1, "charge_idr": 185555}],
    "missing_charges_idr": 185555, "net_idr": 491721, "opening_shelf_units": 0, "closing_shelf_units": 6,
    "closed_at": "2026-12-01T02:00:00Z", "paid_at": null, "payout_reference": null}))]
pub struct Statement {
    pub agreement_id: Uuid,
    pub seller_id: Uuid,
    pub hotel_id: Uuid,
    /// `YYYY-MM`, in Western Indonesia Time (UTC+7).
    pub period: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// `open`, `closed` or `paid`.
    pub status: String,
    pub lines: Vec<StatementSaleLine>,
    pub gross_idr: i64,
    /// Σ(gross × rate) / 10 000, rounded half-up once for the statement.
    pub commission_idr: i64,
    pub missing_charges: Vec<MissingCharge>,
    pub missing_charges_idr: i64,
    /// What the hotel owes the seller: gross − commission + missing charges.
    pub net_idr: i64,
    /// Units on the agreement's shelf when the month began and ended.
    pub opening_shelf_units: i64,
    pub closing_shelf_units: i64,
    pub closed_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub payout_reference: Option<String>,
}

fn too_large() -> AppError {
    AppError::invalid("period", format!("the month's sales {TOO_LARGE}"))
}

/// Computes a month's statement from the sale lines, count charges and ledger.
fn compute(conn: &mut DbConn, agreement: &AgreementRow, period: Period) -> AppResult<Statement> {
    let (start, end) = (period.start(), period.end());
    let mut lines = Vec::new();
    for l in db::hotel_sales::lines_between(conn, agreement.id, start, end)? {
        let variant =
            db::variants::find(conn, l.variant_id)?.ok_or(AppError::NotFound("variant"))?;
        let product =
            db::products::find(conn, l.product_id)?.ok_or(AppError::NotFound("product"))?;
        lines.push(StatementSaleLine {
            sold_at: l.sold_at,
            variant_id: l.variant_id,
            sku: variant.sku,
            title: product.title,
            quantity: i64::from(l.quantity),
            unit_price_idr: l.unit_price_idr,
            gross_idr: line_idr(i64::from(l.quantity), l.unit_price_idr).ok_or_else(too_large)?,
            commission_bps: l.commission_bps,
        });
    }
    let mut missing_charges = Vec::new();
    for c in db::stock_counts::charges_between(conn, agreement.id, start, end)? {
        let variant =
            db::variants::find(conn, c.variant_id)?.ok_or(AppError::NotFound("variant"))?;
        missing_charges.push(MissingCharge {
            counted_at: c.counted_at,
            variant_id: c.variant_id,
            sku: variant.sku,
            missing: i64::from(c.missing),
            charge_idr: c.charge_idr,
        });
    }
    let gross_idr = sum_idr(lines.iter().map(|l| l.gross_idr)).ok_or_else(too_large)?;
    let commission = commission_idr(lines.iter().map(|l| (l.gross_idr, l.commission_bps)));
    let missing_charges_idr =
        sum_idr(missing_charges.iter().map(|c| c.charge_idr)).ok_or_else(too_large)?;
    let net_idr = net_idr(gross_idr, commission, missing_charges_idr).ok_or_else(too_large)?;
    let shelf = Location::Shelf {
        agreement_id: agreement.id,
        hotel_id: agreement.hotel_id,
    };
    Ok(Statement {
        agreement_id: agreement.id,
        seller_id: agreement.seller_id,
        hotel_id: agreement.hotel_id,
        period: period.to_string(),
        period_start: start,
        period_end: end,
        status: "open".to_owned(),
        lines,
        gross_idr,
        commission_idr: commission,
        missing_charges,
        missing_charges_idr,
        net_idr,
        opening_shelf_units: db::stock_levels::quantity_at(conn, &shelf, start)?,
        closing_shelf_units: db::stock_levels::quantity_at(conn, &shelf, end)?,
        closed_at: None,
        paid_at: None,
        payout_reference: None,
    })
}

fn frozen(row: StatementRow) -> AppResult<Statement> {
    let mut statement: Statement =
        serde_json::from_value(row.snapshot).map_err(AppError::internal)?;
    statement.status = if row.paid_at.is_some() {
        "paid"
    } else {
        "closed"
    }
    .to_owned();
    statement.closed_at = Some(row.closed_at);
    statement.paid_at = row.paid_at.map(|t| t.0);
    statement.payout_reference = row.payout_reference;
    Ok(statement)
}

/// The statement as it stands: frozen if closed, computed now if open.
pub fn get(
    conn: &mut DbConn,
    viewer: &Actor,
    agreement_id: Uuid,
    period: Period,
) -> AppResult<Statement> {
    let agreement = super::agreements::load(conn, viewer, agreement_id)?;
    match db::statements::find(conn, agreement_id, &period.to_string())? {
        Some(row) => frozen(row),
        None => compute(conn, &agreement, period),
    }
}

/// Freezes a month: its figures stop changing, and later sales dated in it are refused.
pub fn close(
    conn: &mut DbConn,
    viewer: &Actor,
    agreement_id: Uuid,
    period: Period,
) -> AppResult<Statement> {
    write_tx(conn, |tx| close_in(tx, viewer, agreement_id, period))
}

fn close_in(
    conn: &mut Tx<'_>,
    viewer: &Actor,
    agreement_id: Uuid,
    period: Period,
) -> AppResult<Statement> {
    let agreement = super::agreements::load(conn, viewer, agreement_id)?;
    if !viewer.is_admin() && viewer.seller_id != Some(agreement.seller_id) {
        return Err(AppError::Forbidden(
            "the seller (or an admin) closes a statement".to_owned(),
        ));
    }
    // An open month still takes sales; closing it early would refuse the hotel's sales for
    // the rest of the month.
    if period.end() > now() {
        return Err(AppError::Conflict(format!(
            "{period} is not over yet; it can be closed from {}",
            period
                .end()
                .with_timezone(&wib())
                .format("%Y-%m-%d %H:%M WIB")
        )));
    }
    // Sales dated in the month may be committing now: wait for them, and hold later ones
    // off until the month is closed (they then see it closed and are refused), so none is
    // left out of the figures.
    db::stock::hold_shelf_of(conn, agreement_id)?;
    let statement = compute(conn, &agreement, period)?;
    let t = now();
    let row = StatementRow {
        agreement_id,
        period: period.to_string(),
        snapshot: serde_json::to_value(&statement).map_err(AppError::internal)?,
        net_idr: statement.net_idr,
        closed_at: t,
        closed_by: viewer
            .user_id()
            .ok_or_else(|| AppError::internal("anonymous viewer"))?,
        paid_at: None,
        paid_by: None,
        payout_reference: None,
    };
    db::statements::insert(conn, row).map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Conflict(format!("the statement for {period} is already closed"))
        } else {
            e.into()
        }
    })?;
    let statement = get(conn, viewer, agreement_id, period)?;
    let audience = Audience::both(agreement.seller_id, agreement.hotel_id);
    webhooks::emit(conn, EventType::StatementClosed, audience, &statement)?;
    Ok(statement)
}

/// The agreement, if the viewer may record its payouts: 404 unless it is a party, 403 for
/// the hotel (it owes the payout and cannot mark its own debt paid).
pub fn may_record_paid(
    conn: &mut DbConn,
    viewer: &Actor,
    agreement_id: Uuid,
) -> AppResult<AgreementRow> {
    let agreement = super::agreements::load(conn, viewer, agreement_id)?;
    if viewer.is_admin() || viewer.seller_id == Some(agreement.seller_id) {
        Ok(agreement)
    } else {
        Err(AppError::Forbidden(
            "the seller who received the payout (or an admin) records it".to_owned(),
        ))
    }
}

/// Records that the hotel paid the seller the statement's net (the seller or an admin).
pub fn paid(
    conn: &mut DbConn,
    viewer: &Actor,
    agreement_id: Uuid,
    period: Period,
    reference: Option<String>,
) -> AppResult<Statement> {
    write_tx(conn, |tx| {
        paid_in(tx, viewer, agreement_id, period, reference)
    })
}

fn paid_in(
    conn: &mut Tx<'_>,
    viewer: &Actor,
    agreement_id: Uuid,
    period: Period,
    reference: Option<String>,
) -> AppResult<Statement> {
    let agreement = may_record_paid(conn, viewer, agreement_id)?;
    let key = period.to_string();
    let row = db::statements::find(conn, agreement_id, &key)?.ok_or_else(|| {
        AppError::Conflict(format!("the statement for {period} is not closed yet"))
    })?;
    if row.paid_at.is_some() {
        return Err(AppError::Conflict(format!(
            "the payout for {period} is already recorded"
        )));
    }
    let by = viewer
        .user_id()
        .ok_or_else(|| AppError::internal("anonymous viewer"))?;
    if !db::statements::mark_paid(conn, agreement_id, &key, by, reference, now())? {
        return Err(AppError::Conflict(format!(
            "the payout for {period} is already recorded"
        )));
    }
    let statement = get(conn, viewer, agreement_id, period)?;
    let audience = Audience::both(agreement.seller_id, agreement.hotel_id);
    webhooks::emit(conn, EventType::StatementPaid, audience, &statement)?;
    Ok(statement)
}
