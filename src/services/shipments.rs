//! Consignments: the seller dispatches units to a hotel (own → in transit), the hotel
//! receives them (in transit → shelf; a shortfall → missing, recorded but not charged).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::access::{Actor, authorize_party};
use crate::db::consignments::{ConsignmentRow, LineRow};
use crate::db::shelf::LotRow;
use crate::db::stock::{Movement, record};
use crate::db::variants::VariantRow;
use crate::db::{self, DbConn, Tx};
use crate::domain::label::LabelCode;
use crate::domain::money::PriceIdr;
use crate::domain::product::ProductStatus;
use crate::domain::stock::{Location, Reason};
use crate::domain::validation::Violations;
use crate::domain::webhook::{Audience, EventType};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::webhooks;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"product_id": "01934f6e-8000-7000-8000-000000000001", "variant_id": "01934f6e-8000-7000-8000-000000000002",
    "quantity": 10, "unit_price_idr": 185555, "quantity_received": 9, "shortfall": 1,
    "label_code": "7K3QZ0M1XB"}))]
pub struct ConsignmentLine {
    pub product_id: Uuid,
    pub variant_id: Uuid,
    pub quantity: i32,
    pub unit_price_idr: i64,
    /// `null` until received.
    pub quantity_received: Option<i32>,
    /// Dispatched but not received: recorded as missing, not charged to the hotel.
    pub shortfall: Option<i32>,
    /// On every unit's shelf label, as the QR code `KRY1:{label_code}`; `GET
    /// /v1/labels/{label_code}` reads it back.
    pub label_code: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-c000-7000-8000-000000000001", "agreement_id": "01934f6e-a000-7000-8000-000000000001",
    "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11", "hotel_id": "01934f6e-9000-7000-8000-000000000001", "status": "received",
    "dispatched_at": "2026-11-25T01:30:00Z", "received_at": "2026-11-25T07:45:00Z",
    "items": [{"product_id": "01934f6e-8000-7000-8000-000000000001", "variant_id": "01934f6e-8000-7000-8000-000000000002",
        "quantity": 10, "unit_price_idr": 185555, "quantity_received": 9, "shortfall": 1,
        "label_code": "7K3QZ0M1XB"}]}))]
pub struct ConsignmentResponse {
    pub id: Uuid,
    pub agreement_id: Uuid,
    pub seller_id: Uuid,
    pub hotel_id: Uuid,
    /// `dispatched` or `received`.
    pub status: String,
    pub dispatched_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub items: Vec<ConsignmentLine>,
}

/// A consignment as the API shows it to its seller, its hotel and admins.
pub fn view(row: ConsignmentRow, lines: Vec<LineRow>) -> ConsignmentResponse {
    ConsignmentResponse {
        id: row.id,
        agreement_id: row.agreement_id,
        seller_id: row.seller_id,
        hotel_id: row.hotel_id,
        status: row.status,
        dispatched_at: row.dispatched_at,
        received_at: row.received_at.map(|t| t.0),
        items: lines
            .into_iter()
            .map(|l| ConsignmentLine {
                product_id: l.product_id,
                variant_id: l.variant_id,
                quantity: l.quantity,
                unit_price_idr: l.unit_price_idr,
                quantity_received: l.quantity_received,
                shortfall: l.quantity_received.map(|r| l.quantity - r),
                label_code: l.label_code,
            })
            .collect(),
    }
}

/// A line as the seller sends it: a variant, or a product that has exactly one.
pub struct DispatchItem {
    pub product_id: Option<Uuid>,
    pub variant_id: Option<Uuid>,
    pub quantity: i64,
    pub unit_price: PriceIdr,
}

/// Finds the seller's variant a line names; problems are recorded against `items[i]`.
fn resolve(
    conn: &mut DbConn,
    seller_id: Uuid,
    item: &DispatchItem,
    i: usize,
    v: &mut Violations,
) -> AppResult<Option<VariantRow>> {
    let variant = match (item.variant_id, item.product_id) {
        (Some(variant_id), _) => db::variants::find(conn, variant_id)?,
        (None, Some(product_id)) => {
            let variants = db::variants::of_products(conn, &[product_id])?;
            if variants.len() > 1 {
                v.add(
                    format!("items[{i}].variant_id"),
                    "is required: the product has several variants",
                );
                return Ok(None);
            }
            variants.into_iter().next()
        }
        (None, None) => {
            v.add(
                format!("items[{i}].variant_id"),
                "is required (or product_id of a single-variant product)",
            );
            return Ok(None);
        }
    };
    let variant = variant.filter(|v| v.seller_id == seller_id);
    let product = match &variant {
        Some(variant) => db::products::find(conn, variant.product_id)?,
        None => None,
    };
    match (variant, product) {
        (Some(variant), Some(product)) if product.status != ProductStatus::Archived.as_str() => {
            if item.product_id.is_some_and(|p| p != variant.product_id) {
                v.add(
                    format!("items[{i}].variant_id"),
                    "is not a variant of product_id",
                );
                return Ok(None);
            }
            Ok(Some(variant))
        }
        _ => {
            v.add(
                format!("items[{i}]"),
                "names no variant of your active products",
            );
            Ok(None)
        }
    }
}

pub fn dispatch(
    conn: &mut Tx<'_>,
    seller_id: Uuid,
    actor: Uuid,
    agreement_id: Uuid,
    items: &[DispatchItem],
) -> AppResult<ConsignmentRow> {
    dispatch_at(conn, seller_id, actor, agreement_id, items, now())
}

/// [`dispatch`] dated `at` (an import of older records).
pub fn dispatch_at(
    conn: &mut Tx<'_>,
    seller_id: Uuid,
    actor: Uuid,
    agreement_id: Uuid,
    items: &[DispatchItem],
    at: DateTime<Utc>,
) -> AppResult<ConsignmentRow> {
    let agreement = db::agreements::find(conn, agreement_id)?
        .filter(|a| a.seller_id == seller_id)
        .ok_or(AppError::NotFound("agreement"))?;
    // Checked and held in one statement: an agreement ended by a racing request cannot
    // receive this consignment.
    if !db::agreements::hold_active(conn, agreement_id)? {
        let status =
            db::agreements::find(conn, agreement_id)?.map_or(agreement.status, |a| a.status);
        return Err(AppError::Conflict(format!(
            "the agreement is {status}; consignments need an active one"
        )));
    }
    let mut v = Violations::new();
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(variant) = resolve(conn, seller_id, item, i, &mut v)? {
            if lines
                .iter()
                .any(|(l, _): &(VariantRow, &DispatchItem)| l.id == variant.id)
            {
                v.add(
                    format!("items[{i}]"),
                    "names a variant already on another line",
                );
            } else {
                lines.push((variant, item));
            }
        }
    }
    v.finish()?;
    let t = at;
    let consignment = ConsignmentRow {
        id: new_id(),
        agreement_id,
        seller_id,
        hotel_id: agreement.hotel_id,
        status: "dispatched".to_owned(),
        dispatched_at: t,
        received_at: None,
    };
    db::consignments::insert(conn, consignment.clone())?;
    // Variant order keeps row locks in one order across requests (no deadlocks).
    lines.sort_by_key(|(variant, _)| variant.id);
    for (variant, item) in lines {
        record(
            conn,
            &Movement {
                product_id: variant.product_id,
                variant_id: variant.id,
                from: Some(Location::Own),
                to: Location::InTransit {
                    consignment_id: consignment.id,
                },
                quantity: item.quantity,
                reason: Reason::Dispatch,
                note: None,
                reference_id: Some(consignment.id),
                actor_id: Some(actor),
                at: t,
            },
        )?;
        let label_code = fresh_label_code(conn)?.as_str().to_owned();
        db::consignments::insert_line(
            conn,
            LineRow {
                id: new_id(),
                consignment_id: consignment.id,
                product_id: variant.product_id,
                variant_id: variant.id,
                quantity: item.quantity as i32,
                unit_price_idr: item.unit_price.get(),
                quantity_received: None,
                label_code,
            },
        )?;
    }
    announce(conn, EventType::ConsignmentDispatched, consignment.clone())?;
    Ok(consignment)
}

/// A label code no line has had. Fifty random bits make a repeat all but impossible; one is
/// still checked for, and the unique index stands behind the check.
fn fresh_label_code(conn: &mut DbConn) -> AppResult<LabelCode> {
    for _ in 0..4 {
        let code = LabelCode::generate();
        if !db::consignments::label_code_taken(conn, code.as_str())? {
            return Ok(code);
        }
    }
    Err(AppError::internal("no fresh label code in four draws"))
}

/// Loads a consignment the viewer is party to (404 otherwise).
pub fn load(
    conn: &mut DbConn,
    viewer: &Actor,
    id: Uuid,
) -> AppResult<(ConsignmentRow, Vec<LineRow>)> {
    let row = db::consignments::find(conn, id)?.ok_or(AppError::NotFound("consignment"))?;
    authorize_party(viewer, row.seller_id, row.hotel_id, "consignment")?;
    let lines = db::consignments::lines(conn, id)?;
    Ok((row, lines))
}

/// Whether the viewer may receive the consignment: 404 unless it is a party, 403 unless it
/// is the receiving hotel.
pub fn may_receive(conn: &mut DbConn, viewer: &Actor, id: Uuid) -> AppResult<()> {
    let row = db::consignments::find(conn, id)?.ok_or(AppError::NotFound("consignment"))?;
    authorize_party(viewer, row.seller_id, row.hotel_id, "consignment")?;
    receiving_hotel(viewer, &row)
}

fn receiving_hotel(viewer: &Actor, consignment: &ConsignmentRow) -> AppResult<()> {
    if viewer.hotel_id == Some(consignment.hotel_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the receiving hotel receives a consignment".to_owned(),
        ))
    }
}

/// Receives a consignment. `received` lists (variant, units received) for every line; `None`
/// means everything arrived.
pub fn receive(
    conn: &mut Tx<'_>,
    viewer: &Actor,
    id: Uuid,
    received: Option<&[(Uuid, i64)]>,
) -> AppResult<ConsignmentRow> {
    receive_at(conn, viewer, id, received, now())
}

/// [`receive`] dated `at` (an import of older records): not before the dispatch.
pub fn receive_at(
    conn: &mut Tx<'_>,
    viewer: &Actor,
    id: Uuid,
    received: Option<&[(Uuid, i64)]>,
    at: DateTime<Utc>,
) -> AppResult<ConsignmentRow> {
    let (consignment, lines) = load(conn, viewer, id)?;
    receiving_hotel(viewer, &consignment)?;
    let actor = viewer
        .user_id()
        .ok_or_else(|| AppError::internal("anonymous viewer"))?;
    let mut counts = Vec::with_capacity(lines.len());
    let mut v = Violations::new();
    match received {
        None => counts.extend(lines.iter().map(|l| (l, i64::from(l.quantity)))),
        Some(items) => {
            for (i, (variant_id, n)) in items.iter().enumerate() {
                match lines.iter().find(|l| l.variant_id == *variant_id) {
                    None => v.add(
                        format!("items[{i}].variant_id"),
                        "is not in this consignment",
                    ),
                    Some(_) if items[..i].iter().any(|(w, _)| w == variant_id) => {
                        v.add(format!("items[{i}].variant_id"), "is listed twice")
                    }
                    Some(line) if *n < 0 || *n > i64::from(line.quantity) => v.add(
                        format!("items[{i}].quantity_received"),
                        format!("must be between 0 and the {} dispatched", line.quantity),
                    ),
                    Some(line) => counts.push((line, *n)),
                }
            }
            for line in &lines {
                if !items.iter().any(|(w, _)| *w == line.variant_id) {
                    v.add(
                        "items",
                        format!("must list variant {} of this consignment", line.variant_id),
                    );
                }
            }
        }
    }
    v.finish()?;
    if at < consignment.dispatched_at {
        return Err(AppError::Conflict(
            "a consignment is received after it was dispatched".to_owned(),
        ));
    }
    let t = at;
    if !db::consignments::mark_received(conn, id, t)? {
        return Err(AppError::Conflict(
            "the consignment has already been received".to_owned(),
        ));
    }
    let transit = Location::InTransit { consignment_id: id };
    let shelf = Location::Shelf {
        agreement_id: consignment.agreement_id,
        hotel_id: consignment.hotel_id,
    };
    counts.sort_by_key(|(line, _)| line.variant_id);
    for (line, got) in counts {
        let short = i64::from(line.quantity) - got;
        for (to, quantity, reason) in [
            (shelf, got, Reason::Receive),
            (Location::Missing, short, Reason::ReceiveShortfall),
        ] {
            if quantity > 0 {
                record(
                    conn,
                    &Movement {
                        product_id: line.product_id,
                        variant_id: line.variant_id,
                        from: Some(transit),
                        to,
                        quantity,
                        reason,
                        note: None,
                        reference_id: Some(id),
                        actor_id: Some(actor),
                        at: t,
                    },
                )?;
            }
        }
        db::consignments::set_received_quantity(conn, line.id, got as i32)?;
        if got > 0 {
            db::shelf::insert(
                conn,
                LotRow {
                    id: new_id(),
                    agreement_id: consignment.agreement_id,
                    hotel_id: consignment.hotel_id,
                    seller_id: consignment.seller_id,
                    product_id: line.product_id,
                    variant_id: line.variant_id,
                    consignment_id: id,
                    unit_price_idr: line.unit_price_idr,
                    quantity_received: got as i32,
                    quantity_remaining: got as i32,
                    received_at: t,
                },
            )?;
        }
    }
    let row = db::consignments::find(conn, id)?.ok_or(AppError::NotFound("consignment"))?;
    announce(conn, EventType::ConsignmentReceived, row.clone())?;
    Ok(row)
}

/// The webhook event of a consignment's step, for its seller, its hotel and admins.
fn announce(conn: &mut Tx<'_>, kind: EventType, row: ConsignmentRow) -> AppResult<()> {
    let audience = Audience::both(row.seller_id, row.hotel_id);
    let lines = db::consignments::lines(conn, row.id)?;
    webhooks::emit(conn, kind, audience, &view(row, lines))
}
