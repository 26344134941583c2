//! Shelf lots: what a hotel received per consignment line, taken oldest first.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Integer};
use uuid::Uuid;

use super::DbConn;
use super::portable::sql_types::Id;
use super::portable::{DbId, DbTime};
use super::prepared;
use super::schema::{hotels, shelf_lots};
use crate::domain::seller::SellerStatus;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = shelf_lots)]
#[diesel(treat_none_as_default_value = false)]
pub struct LotRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub agreement_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub hotel_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub consignment_id: Uuid,
    pub unit_price_idr: i64,
    pub quantity_received: i32,
    pub quantity_remaining: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub received_at: DateTime<Utc>,
}

/// Units taken from one lot.
#[derive(Clone, Copy, Debug)]
pub struct Taken {
    pub unit_price_idr: i64,
    pub quantity: i64,
    pub received_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, lot: LotRow) -> QueryResult<()> {
    diesel::insert_into(shelf_lots::table)
        .values(lot)
        .execute(conn)
        .map(|_| ())
}

/// Takes up to `quantity` units of a variant from an agreement's shelf, oldest lots first,
/// from lots received by `received_by` only. The caller has already taken the units from
/// the shelf balance (which serialises takers); it checks that the lots gave them all.
pub fn take(
    conn: &mut DbConn,
    agreement_id: Uuid,
    variant_id: Uuid,
    quantity: i64,
    received_by: DateTime<Utc>,
) -> QueryResult<Vec<Taken>> {
    let lots: Vec<LotRow> = shelf_lots::table
        .filter(shelf_lots::agreement_id.eq(DbId(agreement_id)))
        .filter(shelf_lots::variant_id.eq(DbId(variant_id)))
        .filter(shelf_lots::quantity_remaining.gt(0))
        .filter(shelf_lots::received_at.le(DbTime(received_by)))
        .order((shelf_lots::received_at, shelf_lots::id))
        .select(LotRow::as_select())
        .load(conn)?;
    let mut left = quantity;
    let mut taken = Vec::new();
    for lot in lots {
        if left == 0 {
            break;
        }
        let n = left.min(i64::from(lot.quantity_remaining));
        if !take_from(conn, &lot, n)? {
            return Err(diesel::result::Error::RollbackTransaction);
        }
        taken.push(Taken {
            unit_price_idr: lot.unit_price_idr,
            quantity: n,
            received_at: lot.received_at,
        });
        left -= n;
    }
    Ok(taken)
}

/// [`take`], trying first the lots the caller read earlier in its transaction: `planned` is
/// each lot with the units to take from it, oldest first, one guarded update a lot. Lots
/// only ever lose units and new ones are newer, so a plan read early never skips an older
/// lot; where a lot no longer holds what was planned (a racing taker got there first), the
/// lots are read again and the rest taken as [`take`] does.
pub fn take_planned(
    conn: &mut DbConn,
    agreement_id: Uuid,
    variant_id: Uuid,
    planned: &[(&LotRow, i64)],
    received_by: DateTime<Utc>,
) -> QueryResult<Vec<Taken>> {
    let mut left: i64 = planned.iter().map(|(_, n)| n).sum();
    let mut taken = Vec::new();
    for (lot, n) in planned {
        if !take_from(conn, lot, *n)? {
            break;
        }
        taken.push(Taken {
            unit_price_idr: lot.unit_price_idr,
            quantity: *n,
            received_at: lot.received_at,
        });
        left -= n;
    }
    if left > 0 {
        taken.extend(take(conn, agreement_id, variant_id, left, received_by)?);
    }
    Ok(taken)
}

/// Takes `n` units from a lot if it still holds them.
fn take_from(conn: &mut DbConn, lot: &LotRow, n: i64) -> QueryResult<bool> {
    // No lot holds more than an i32.
    let Ok(n) = i32::try_from(n) else {
        return Ok(false);
    };
    let take = TakeLot {
        id: DbId(lot.id),
        n,
    };
    Ok(prepared::execute(conn, take)? == 1)
}

/// `n` units leave a lot, if it still holds them.
struct TakeLot {
    id: DbId,
    n: i32,
}
prepared::fixed_query_id!(TakeLot);

impl<DB> QueryFragment<DB> for TakeLot
where
    DB: Backend + HasSqlType<Id>,
    DbId: ToSql<Id, DB>,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE shelf_lots SET quantity_remaining = quantity_remaining - ");
        out.push_bind_param::<Integer, _>(&self.n)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Id, _>(&self.id)?;
        out.push_sql(" AND quantity_remaining >= ");
        out.push_bind_param::<Integer, _>(&self.n)
    }
}

/// A variant's lots still holding units at a hotel (every agreement), oldest first.
pub fn lots_of_variant(
    conn: &mut DbConn,
    hotel_id: Uuid,
    variant_id: Uuid,
) -> QueryResult<Vec<LotRow>> {
    shelf_lots::table
        .filter(shelf_lots::hotel_id.eq(DbId(hotel_id)))
        .filter(shelf_lots::variant_id.eq(DbId(variant_id)))
        .filter(shelf_lots::quantity_remaining.gt(0))
        .order((shelf_lots::received_at, shelf_lots::id))
        .select(LotRow::as_select())
        .load(conn)
}

/// [`lots_of_variant`], when the hotel is `user_id`'s own and active; none when it is not.
/// A sale's first read: on the common path it also answers who may sell, in the same round
/// trip.
pub fn lots_of_variant_at_own_hotel(
    conn: &mut DbConn,
    user_id: Uuid,
    hotel_id: Uuid,
    variant_id: Uuid,
) -> QueryResult<Vec<LotRow>> {
    let own_and_active = hotels::table
        .filter(hotels::id.eq(DbId(hotel_id)))
        .filter(hotels::user_id.eq(DbId(user_id)))
        .filter(hotels::status.eq(SellerStatus::Active.as_str()));
    shelf_lots::table
        .filter(shelf_lots::hotel_id.eq(DbId(hotel_id)))
        .filter(shelf_lots::variant_id.eq(DbId(variant_id)))
        .filter(shelf_lots::quantity_remaining.gt(0))
        .filter(diesel::dsl::exists(own_and_active))
        .order((shelf_lots::received_at, shelf_lots::id))
        .select(LotRow::as_select())
        .load(conn)
}

/// Lots still holding units at a hotel, oldest first.
pub fn on_shelf(conn: &mut DbConn, hotel_id: Uuid) -> QueryResult<Vec<LotRow>> {
    shelf_lots::table
        .filter(shelf_lots::hotel_id.eq(DbId(hotel_id)))
        .filter(shelf_lots::quantity_remaining.gt(0))
        .order((shelf_lots::received_at, shelf_lots::id))
        .select(LotRow::as_select())
        .load(conn)
}
