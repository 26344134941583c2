//! A seller's own stock: restocks and corrections, and the per-variant stock view.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::stock::{Movement, record};
use crate::db::variants::VariantRow;
use crate::db::{self, DbConn, Tx};
use crate::domain::now;
use crate::domain::stock::{Location, LocationKind, Reason};
use crate::error::{AppError, AppResult};

/// Adds units to (positive `delta`) or removes them from (negative) the seller's own stock.
pub fn adjust(
    conn: &mut Tx<'_>,
    variant: &VariantRow,
    delta: i64,
    note: &str,
    actor: Uuid,
) -> AppResult<()> {
    adjust_at(conn, variant, delta, note, actor, now())
}

/// [`adjust`] dated `at`: an import of older records dates its movements as they happened.
pub fn adjust_at(
    conn: &mut Tx<'_>,
    variant: &VariantRow,
    delta: i64,
    note: &str,
    actor: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let (from, to, reason) = if delta > 0 {
        (None, Location::Own, Reason::Restock)
    } else {
        (
            Some(Location::Own),
            Location::AdjustedOut,
            Reason::Correction,
        )
    };
    record(
        conn,
        &Movement {
            product_id: variant.product_id,
            variant_id: variant.id,
            from,
            to,
            quantity: delta
                .checked_abs()
                .ok_or_else(|| AppError::invalid("delta", "is out of range"))?,
            reason,
            note: Some(note.to_owned()),
            reference_id: None,
            actor_id: Some(actor),
            at,
        },
    )?;
    Ok(())
}

#[derive(Serialize, ToSchema, Debug, PartialEq, Eq)]
pub struct LocationQuantity {
    /// `own`, `in_transit` or `hotel`.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hotel_id: Option<Uuid>,
    pub quantity: i64,
}

#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001",
    "locations": [{"location": "own", "quantity": 14}, {"location": "in_transit", "quantity": 0},
        {"location": "hotel", "hotel_id": "01934f6e-9000-7000-8000-000000000001", "quantity": 6}],
    "reserved": 1, "sold": 2, "sold_online": 3, "missing": 2, "adjusted_out": 0, "total": 21}))]
pub struct VariantStock {
    pub variant_id: Uuid,
    pub sku: String,
    /// Where the units still held are.
    pub locations: Vec<LocationQuantity>,
    /// Held for online orders in progress (left own stock, not yet sold).
    pub reserved: i64,
    /// Sold at hotels.
    pub sold: i64,
    /// Sold through completed online orders.
    pub sold_online: i64,
    pub missing: i64,
    pub adjusted_out: i64,
    /// Units still held: own + in transit + on hotel shelves + reserved.
    pub total: i64,
}

#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"product_id": "01934f6e-8000-7000-8000-000000000001",
    "variants": [{"variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001",
        "locations": [{"location": "own", "quantity": 14}, {"location": "in_transit", "quantity": 0},
            {"location": "hotel", "hotel_id": "01934f6e-9000-7000-8000-000000000001", "quantity": 6}],
        "reserved": 1, "sold": 2, "sold_online": 3, "missing": 2, "adjusted_out": 0, "total": 21}]}))]
pub struct ProductStock {
    pub product_id: Uuid,
    pub variants: Vec<VariantStock>,
}

/// Every variant's units by place, from the balances.
pub fn product_stock(conn: &mut DbConn, product_id: Uuid) -> AppResult<ProductStock> {
    let variants = db::variants::of_products(conn, &[product_id])?;
    let ids: Vec<Uuid> = variants.iter().map(|v| v.id).collect();
    let balances = db::stock_levels::balances_of(conn, &ids)?;
    let mut out = Vec::with_capacity(variants.len());
    for v in variants {
        let mut own = 0;
        let mut transit = 0;
        let mut hotels: BTreeMap<Uuid, i64> = BTreeMap::new();
        let (mut sold, mut missing, mut adjusted_out) = (0, 0, 0);
        let (mut reserved, mut sold_online) = (0, 0);
        for b in balances.iter().filter(|b| b.variant_id == v.id) {
            match LocationKind::parse(&b.kind) {
                Some(LocationKind::Own) => own += b.quantity,
                Some(LocationKind::InTransit) => transit += b.quantity,
                Some(LocationKind::Shelf) => {
                    let hotel = b
                        .hotel_id
                        .ok_or_else(|| AppError::internal("shelf balance without hotel"))?;
                    *hotels.entry(hotel.0).or_default() += b.quantity;
                }
                Some(LocationKind::Sold) => sold += b.quantity,
                Some(LocationKind::Missing) => missing += b.quantity,
                Some(LocationKind::AdjustedOut) => adjusted_out += b.quantity,
                Some(LocationKind::Reserved) => reserved += b.quantity,
                Some(LocationKind::SoldOnline) => sold_online += b.quantity,
                None => {
                    return Err(AppError::internal(format!(
                        "unknown location kind {}",
                        b.kind
                    )));
                }
            }
        }
        let mut locations = vec![
            LocationQuantity {
                location: "own".into(),
                hotel_id: None,
                quantity: own,
            },
            LocationQuantity {
                location: "in_transit".into(),
                hotel_id: None,
                quantity: transit,
            },
        ];
        let shelves: i64 = hotels.values().sum();
        locations.extend(
            hotels
                .into_iter()
                .filter(|(_, q)| *q > 0)
                .map(|(hotel_id, quantity)| LocationQuantity {
                    location: "hotel".into(),
                    hotel_id: Some(hotel_id),
                    quantity,
                }),
        );
        out.push(VariantStock {
            variant_id: v.id,
            sku: v.sku,
            locations,
            reserved,
            sold,
            sold_online,
            missing,
            adjusted_out,
            total: own + transit + shelves + reserved,
        });
    }
    Ok(ProductStock {
        product_id,
        variants: out,
    })
}
