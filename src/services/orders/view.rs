//! Orders and parts as the API shows them, loaded in a fixed number of queries whatever
//! the page holds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::orders::{EventRow, LineRow, OrderRow, PartRow};
use crate::db::{self, DbConn};
use crate::domain::order::{Actor, OrderStatus, PartStatus, order_status};
use crate::error::{AppError, AppResult};

/// Where the parcel goes.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq, Eq)]
#[schema(example = json!({"recipient": "Sri Wahyuni", "phone": "+6281234567890",
    "address": "Jl. Ijen No. 25", "kelurahan": "Oro-oro Dowo", "kecamatan": "Klojen",
    "city": "Malang", "province": "Jawa Timur", "postal_code": "65119"}))]
pub struct ShippingAddress {
    pub recipient: String,
    /// Normalised to `+62…`.
    pub phone: String,
    pub address: String,
    pub kelurahan: Option<String>,
    pub kecamatan: Option<String>,
    pub city: String,
    pub province: String,
    pub postal_code: String,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct OrderLine {
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    /// The product's title when ordered.
    pub title: String,
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    pub quantity: i64,
    /// Frozen when ordered.
    pub unit_price_idr: i64,
    pub line_idr: i64,
}

/// One step of a part's history.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct PartEvent {
    pub status: PartStatus,
    pub at: DateTime<Utc>,
    pub by: Actor,
    /// The payment reference, the courier and tracking number, or the reason given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `true` on the step where the seller declined the part (`POST
    /// /v1/order-parts/{id}/decline`: cancelled before it was confirmed); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub declined: bool,
}

#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct PartSeller {
    pub id: Uuid,
    pub name: String,
}

/// One seller's part of an order.
#[derive(Serialize, ToSchema, Clone, Debug)]
#[schema(example = json!({"id": "01934f6e-c000-7000-8000-000000000002",
    "order_id": "01934f6e-c000-7000-8000-000000000001", "order_number": "KRY-2026-000042",
    "seller": {"id": "01934f6e-7000-7000-8000-000000000001", "name": "Daun Abadi Electroforming"},
    "status": "awaiting_payment",
    "lines": [{"variant_id": "01934f6e-8000-7000-8000-000000000002",
        "product_id": "01934f6e-8000-7000-8000-000000000001", "sku": "DA-KAL-001",
        "title": "Kalung Daun Waru Lapis Tembaga", "options": {}, "quantity": 2,
        "unit_price_idr": 185000, "line_idr": 370000}],
    "items_idr": 370000, "shipping_idr": 18000, "total_idr": 388000,
    "payment_reference": null, "courier": null, "tracking_number": null, "cancel_reason": null,
    "created_at": "2026-12-02T03:00:00Z",
    "history": [{"status": "awaiting_confirmation", "at": "2026-12-02T03:00:00Z", "by": "buyer"},
        {"status": "awaiting_payment", "at": "2026-12-02T04:10:00Z", "by": "seller", "note": "ongkir JNE REG"}]}))]
pub struct OrderPart {
    pub id: Uuid,
    pub order_id: Uuid,
    pub order_number: String,
    pub seller: PartSeller,
    pub status: PartStatus,
    pub lines: Vec<OrderLine>,
    pub items_idr: i64,
    /// Quoted by the seller when confirming; `null` before.
    pub shipping_idr: Option<i64>,
    pub total_idr: i64,
    pub payment_reference: Option<String>,
    pub courier: Option<String>,
    pub tracking_number: Option<String>,
    pub cancel_reason: Option<String>,
    /// Where the parcel goes (for the seller to ship it).
    pub shipping: ShippingAddress,
    pub created_at: DateTime<Utc>,
    /// Every status the part took, oldest first.
    pub history: Vec<PartEvent>,
}

/// A buyer's checkout.
#[derive(Serialize, ToSchema, Clone, Debug)]
#[schema(example = json!({"id": "01934f6e-c000-7000-8000-000000000001", "number": "KRY-2026-000042",
    "status": "open", "items_idr": 370000, "shipping_idr": 18000, "total_idr": 388000,
    "shipping": {"recipient": "Sri Wahyuni", "phone": "+6281234567890", "address": "Jl. Ijen No. 25",
        "kelurahan": "Oro-oro Dowo", "kecamatan": "Klojen", "city": "Malang",
        "province": "Jawa Timur", "postal_code": "65119"},
    "note": null, "created_at": "2026-12-02T03:00:00Z", "parts": []}))]
pub struct Order {
    pub id: Uuid,
    /// `KRY-{year}-{6 digits}`, sequential per year (Western Indonesia Time).
    pub number: String,
    pub status: OrderStatus,
    /// Over the parts that are not cancelled or expired.
    pub items_idr: i64,
    /// Shipping quoted so far, over the parts that are not cancelled or expired.
    pub shipping_idr: i64,
    pub total_idr: i64,
    pub shipping: ShippingAddress,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub parts: Vec<OrderPart>,
}

fn status_of(row: &PartRow) -> AppResult<PartStatus> {
    PartStatus::parse(&row.status).map_err(AppError::internal)
}

fn address(o: &OrderRow) -> ShippingAddress {
    ShippingAddress {
        recipient: o.recipient.clone(),
        phone: o.phone.clone(),
        address: o.address.clone(),
        kelurahan: o.kelurahan.clone(),
        kecamatan: o.kecamatan.clone(),
        city: o.city.clone(),
        province: o.province.clone(),
        postal_code: o.postal_code.clone(),
    }
}

/// Builds the views of these parts (their orders given), in the parts' order.
fn parts(conn: &mut DbConn, rows: Vec<PartRow>, orders: &[OrderRow]) -> AppResult<Vec<OrderPart>> {
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let lines = db::orders::lines_of_parts(conn, &ids)?;
    let events = db::orders::events_of_parts(conn, &ids)?;
    let seller_ids: Vec<Uuid> = rows.iter().map(|p| p.seller_id).collect();
    let sellers: HashMap<Uuid, String> = db::sellers::by_ids(conn, &seller_ids)?
        .into_iter()
        .map(|s| (s.id, s.business_name))
        .collect();
    assemble_parts(rows, orders, lines, events, &sellers)
}

/// The views of parts from their rows: `lines` and `events` in order, `sellers` their
/// names by id.
fn assemble_parts(
    rows: Vec<PartRow>,
    orders: &[OrderRow],
    lines: Vec<LineRow>,
    events: Vec<EventRow>,
    sellers: &HashMap<Uuid, String>,
) -> AppResult<Vec<OrderPart>> {
    let mut lines_of: HashMap<Uuid, Vec<LineRow>> = HashMap::new();
    for l in lines {
        lines_of.entry(l.part_id).or_default().push(l);
    }
    let mut events_of: HashMap<Uuid, Vec<EventRow>> = HashMap::new();
    for e in events {
        events_of.entry(e.part_id).or_default().push(e);
    }
    let orders: HashMap<Uuid, &OrderRow> = orders.iter().map(|o| (o.id, o)).collect();
    rows.into_iter()
        .map(|p| {
            let order = orders
                .get(&p.order_id)
                .ok_or_else(|| AppError::internal("part without its order"))?;
            let history = events_of
                .remove(&p.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| {
                    Ok(PartEvent {
                        status: PartStatus::parse(&e.status).map_err(AppError::internal)?,
                        at: e.at,
                        by: Actor::parse(&e.actor)
                            .ok_or_else(|| AppError::internal("unknown actor"))?,
                        note: e.note,
                        declined: e.declined,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?;
            let total_idr = p
                .items_idr
                .checked_add(p.shipping_idr.unwrap_or(0))
                .ok_or_else(|| AppError::internal("part total overflows"))?;
            Ok(OrderPart {
                id: p.id,
                order_id: p.order_id,
                order_number: order.number.clone(),
                seller: PartSeller {
                    id: p.seller_id,
                    name: sellers.get(&p.seller_id).cloned().unwrap_or_default(),
                },
                status: status_of(&p)?,
                lines: lines_of
                    .remove(&p.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| OrderLine {
                        variant_id: l.variant_id,
                        product_id: l.product_id,
                        sku: l.sku,
                        title: l.title,
                        options: l.options,
                        quantity: l.quantity,
                        unit_price_idr: l.unit_price_idr,
                        line_idr: l.line_idr,
                    })
                    .collect(),
                items_idr: p.items_idr,
                shipping_idr: p.shipping_idr,
                total_idr,
                payment_reference: p.payment_reference,
                courier: p.courier,
                tracking_number: p.tracking_number,
                cancel_reason: p.cancel_reason,
                shipping: address(order),
                created_at: p.created_at,
                history,
            })
        })
        .collect()
}

/// Views of these orders with their parts, in the orders' order.
pub fn orders(conn: &mut DbConn, rows: Vec<OrderRow>) -> AppResult<Vec<Order>> {
    let ids: Vec<Uuid> = rows.iter().map(|o| o.id).collect();
    let part_rows = db::orders::parts_of_orders(conn, &ids)?;
    let parts = parts(conn, part_rows, &rows)?;
    assemble_orders(rows, parts)
}

/// The views of orders from their rows and their parts' views.
fn assemble_orders(rows: Vec<OrderRow>, parts: Vec<OrderPart>) -> AppResult<Vec<Order>> {
    let mut by_order: HashMap<Uuid, Vec<OrderPart>> = HashMap::new();
    for p in parts {
        by_order.entry(p.order_id).or_default().push(p);
    }
    rows.into_iter()
        .map(|o| {
            let parts = by_order.remove(&o.id).unwrap_or_default();
            let live = || {
                parts
                    .iter()
                    .filter(|p| !matches!(p.status, PartStatus::Cancelled | PartStatus::Expired))
            };
            let overflow = || AppError::internal("order total overflows");
            let items_idr =
                crate::domain::money::sum_idr(live().map(|p| p.items_idr)).ok_or_else(overflow)?;
            let shipping_idr =
                crate::domain::money::sum_idr(live().map(|p| p.shipping_idr.unwrap_or(0)))
                    .ok_or_else(overflow)?;
            Ok(Order {
                id: o.id,
                status: order_status(parts.iter().map(|p| p.status)),
                items_idr,
                shipping_idr,
                total_idr: items_idr.checked_add(shipping_idr).ok_or_else(overflow)?,
                shipping: address(&o),
                number: o.number,
                note: o.note,
                created_at: o.created_at,
                parts,
            })
        })
        .collect()
}

pub fn order(conn: &mut DbConn, row: OrderRow) -> AppResult<Order> {
    orders(conn, vec![row])?
        .pop()
        .ok_or_else(|| AppError::internal("order view missing"))
}

/// The view of an order being placed, from the rows it is about to write (no read): the
/// same as [`order`] gives once they are written.
pub fn placed(
    row: OrderRow,
    parts: Vec<PartRow>,
    lines: Vec<LineRow>,
    events: Vec<EventRow>,
    sellers: &HashMap<Uuid, String>,
) -> AppResult<Order> {
    let parts = assemble_parts(parts, std::slice::from_ref(&row), lines, events, sellers)?;
    assemble_orders(vec![row], parts)?
        .pop()
        .ok_or_else(|| AppError::internal("order view missing"))
}

/// Views of parts, loading their orders.
pub fn parts_with_orders(conn: &mut DbConn, rows: Vec<PartRow>) -> AppResult<Vec<OrderPart>> {
    let order_ids: Vec<Uuid> = rows.iter().map(|p| p.order_id).collect();
    let orders = db::orders::orders_by_ids(conn, &order_ids)?;
    parts(conn, rows, &orders)
}

pub fn part(conn: &mut DbConn, row: PartRow) -> AppResult<OrderPart> {
    parts_with_orders(conn, vec![row])?
        .pop()
        .ok_or_else(|| AppError::internal("part view missing"))
}
