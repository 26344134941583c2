//! What stock there is, read back: balances per place, the shelves that hold a product, the
//! movements of a product, and quantities at a past time. (Writing it is `db::stock`.)

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::{stock_balances, stock_movements};
use super::stock::{BalanceRow, MovementRow};
use crate::domain::stock::{Location, LocationKind};

/// The balance of one variant at one place (0 when it never held any).
pub fn balance(conn: &mut DbConn, variant_id: Uuid, at: &Location) -> QueryResult<i64> {
    Ok(stock_balances::table
        .filter(stock_balances::variant_id.eq(DbId(variant_id)))
        .filter(stock_balances::location.eq(at.key()))
        .select(stock_balances::quantity)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

pub fn balances_of(conn: &mut DbConn, variant_ids: &[Uuid]) -> QueryResult<Vec<BalanceRow>> {
    let ids: Vec<DbId> = variant_ids.iter().copied().map(DbId).collect();
    stock_balances::table
        .filter(stock_balances::variant_id.eq_any(ids))
        .order((stock_balances::variant_id, stock_balances::location))
        .select(BalanceRow::as_select())
        .load(conn)
}

/// Shelf balances of one variant at one hotel, oldest agreement first.
pub fn shelf_balances(
    conn: &mut DbConn,
    hotel_id: Uuid,
    variant_id: Uuid,
) -> QueryResult<Vec<BalanceRow>> {
    stock_balances::table
        .filter(stock_balances::hotel_id.eq(DbId(hotel_id)))
        .filter(stock_balances::variant_id.eq(DbId(variant_id)))
        .filter(stock_balances::kind.eq(LocationKind::Shelf.as_str()))
        .order(stock_balances::agreement_id)
        .select(BalanceRow::as_select())
        .load(conn)
}

/// A page of a product's movements, newest first.
pub fn movements_of_product(
    conn: &mut DbConn,
    product_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<MovementRow>> {
    let mut query = stock_movements::table
        .filter(stock_movements::product_id.eq(DbId(product_id)))
        .order(stock_movements::id.desc())
        .limit(limit)
        .select(MovementRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(stock_movements::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// Units on a shelf location at an instant, recomputed from the ledger.
pub fn quantity_at(
    conn: &mut DbConn,
    location: &Location,
    before: DateTime<Utc>,
) -> QueryResult<i64> {
    let key = location.key();
    let rows: Vec<(Option<String>, String, i64)> = stock_movements::table
        .filter(
            stock_movements::to_location
                .eq(&key)
                .or(stock_movements::from_location.eq(&key)),
        )
        .filter(stock_movements::created_at.lt(DbTime(before)))
        .select((
            stock_movements::from_location,
            stock_movements::to_location,
            stock_movements::quantity,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(from, to, q)| {
            if to == key {
                q
            } else if from.as_deref() == Some(&key) {
                -q
            } else {
                0
            }
        })
        .sum())
}

/// A partner hotel as a product's page names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShelfHotel {
    pub id: Uuid,
    pub name: String,
    pub kecamatan: String,
}

/// Units of each of these products on each active hotel's shelf, by product and then hotel
/// id, in one query.
pub fn shelf_holdings_at_active_hotels(
    conn: &mut DbConn,
    product_ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, ShelfHotel, i64)>> {
    use super::schema::{hotels, product_variants};
    let ids: Vec<DbId> = product_ids.iter().copied().map(DbId).collect();
    let rows: Vec<(DbId, DbId, String, String, i64)> = stock_balances::table
        .inner_join(product_variants::table.on(product_variants::id.eq(stock_balances::variant_id)))
        .inner_join(hotels::table.on(stock_balances::hotel_id.eq(hotels::id.nullable())))
        .filter(product_variants::product_id.eq_any(ids))
        .filter(stock_balances::kind.eq(LocationKind::Shelf.as_str()))
        .filter(stock_balances::quantity.gt(0))
        .filter(hotels::status.eq("active"))
        .select((
            product_variants::product_id,
            hotels::id,
            hotels::name,
            hotels::kecamatan,
            stock_balances::quantity,
        ))
        .load(conn)?;
    let mut sums: std::collections::BTreeMap<(Uuid, Uuid), (ShelfHotel, i64)> =
        std::collections::BTreeMap::new();
    for (product, hotel, name, kecamatan, q) in rows {
        sums.entry((product.0, hotel.0))
            .or_insert_with(|| {
                (
                    ShelfHotel {
                        id: hotel.0,
                        name,
                        kecamatan,
                    },
                    0,
                )
            })
            .1 += q;
    }
    Ok(sums
        .into_iter()
        .map(|((product, _), (hotel, q))| (product, hotel, q))
        .collect())
}

/// Those of these products with units in their seller's own stock.
pub fn products_with_own_stock(conn: &mut DbConn, product_ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    use super::schema::product_variants;
    let ids: Vec<DbId> = product_ids.iter().copied().map(DbId).collect();
    let rows: Vec<DbId> = stock_balances::table
        .inner_join(product_variants::table.on(product_variants::id.eq(stock_balances::variant_id)))
        .filter(product_variants::product_id.eq_any(ids))
        .filter(stock_balances::location.eq(Location::Own.key()))
        .filter(stock_balances::quantity.gt(0))
        .select(product_variants::product_id)
        .distinct()
        .load(conn)?;
    Ok(rows.into_iter().map(|id| id.0).collect())
}
