//! Shelf lots: what a hotel received per consignment line, taken oldest first.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, HasSqlType, Integer, Text};
use uuid::Uuid;

use super::DbConn;
use super::agreements::{Terms, terms_in};
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
    take_reading(conn, agreement_id, variant_id, quantity, received_by, None)
}

/// [`take`]; with `terms`, each lot's take also reads its agreement's terms for the period
/// into it (on PostgreSQL).
fn take_reading(
    conn: &mut DbConn,
    agreement_id: Uuid,
    variant_id: Uuid,
    quantity: i64,
    received_by: DateTime<Utc>,
    mut terms: Option<(&str, &mut Option<Terms>)>,
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
        if !take_from(conn, &lot, n, terms.as_mut().map(|(p, t)| (*p, &mut **t)))? {
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
///
/// Also returns the agreement's [`Terms`] for `period`, read after the units left the shelf
/// balance (so a statement closed by whoever held that balance is seen): on PostgreSQL in
/// the same statement as a lot's take, on SQLite by one more query.
pub fn take_planned(
    conn: &mut DbConn,
    agreement_id: Uuid,
    variant_id: Uuid,
    planned: &[(&LotRow, i64)],
    received_by: DateTime<Utc>,
    period: &str,
) -> QueryResult<(Vec<Taken>, Terms)> {
    let mut terms = None;
    let mut left: i64 = planned.iter().map(|(_, n)| n).sum();
    let mut taken = Vec::new();
    for (lot, n) in planned {
        if !take_from(conn, lot, *n, Some((period, &mut terms)))? {
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
        let rest = take_reading(
            conn,
            agreement_id,
            variant_id,
            left,
            received_by,
            Some((period, &mut terms)),
        )?;
        taken.extend(rest);
    }
    let terms = match terms {
        Some(terms) => terms,
        None => terms_in(conn, agreement_id, period)?.ok_or(diesel::result::Error::NotFound)?,
    };
    Ok((taken, terms))
}

/// Takes `n` units from a lot if it still holds them; with `terms`, on PostgreSQL the same
/// statement reads the lot's agreement's terms for the period into it.
fn take_from(
    conn: &mut DbConn,
    lot: &LotRow,
    n: i64,
    terms: Option<(&str, &mut Option<Terms>)>,
) -> QueryResult<bool> {
    // No lot holds more than an i32.
    let Ok(n) = i32::try_from(n) else {
        return Ok(false);
    };
    let id = DbId(lot.id);
    if let (DbConn::Pg(c), Some((period, terms))) = (&mut *conn, terms) {
        let read: Option<(i32, DbId, bool)> = TakeLotReadingTerms {
            id,
            n,
            period: period.to_owned(),
        }
        .get_result(c)
        .optional()?;
        let Some((commission_bps, seller_id, closed)) = read else {
            return Ok(false);
        };
        *terms = Some(Terms {
            commission_bps,
            seller_id: seller_id.0,
            closed,
        });
        return Ok(true);
    }
    Ok(prepared::execute(conn, TakeLot { id, n })? == 1)
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

/// [`TakeLot`] returning the lot's agreement's rate, seller and whether its statement for
/// `period` is closed (PostgreSQL: an `UPDATE` in a `WITH`). One statement, so its snapshot
/// is taken after the shelf balance's take.
struct TakeLotReadingTerms {
    id: DbId,
    n: i32,
    period: String,
}
prepared::fixed_query_id!(TakeLotReadingTerms);

impl Query for TakeLotReadingTerms {
    type SqlType = (Integer, Id, Bool);
}

impl QueryFragment<Pg> for TakeLotReadingTerms {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "WITH taken AS (UPDATE shelf_lots SET quantity_remaining = quantity_remaining - ",
        );
        out.push_bind_param::<Integer, _>(&self.n)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Id, _>(&self.id)?;
        out.push_sql(" AND quantity_remaining >= ");
        out.push_bind_param::<Integer, _>(&self.n)?;
        out.push_sql(
            " RETURNING agreement_id) SELECT a.commission_bps, a.seller_id, EXISTS (SELECT 1 \
             FROM statements s WHERE s.agreement_id = a.id AND s.period = ",
        );
        out.push_bind_param::<Text, _>(&self.period)?;
        out.push_sql(") FROM taken JOIN consignment_agreements a ON a.id = taken.agreement_id");
        Ok(())
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
