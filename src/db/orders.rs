//! Orders, their parts (one per seller), lines and each part's history.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::Integer;
use uuid::Uuid;

use super::DbConn;
use super::appends::Appends;
use super::portable::{DbId, DbJson, DbTime};
use super::prepared;
use super::schema::{order_lines, order_numbers, order_part_events, order_parts, orders, users};
use crate::domain::order::PartStatus;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = orders)]
#[diesel(treat_none_as_default_value = false)]
pub struct OrderRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    pub number: String,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub buyer_id: Uuid,
    pub recipient: String,
    pub phone: String,
    pub address: String,
    pub kelurahan: Option<String>,
    pub kecamatan: Option<String>,
    pub city: String,
    pub province: String,
    pub postal_code: String,
    pub note: Option<String>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = order_parts)]
#[diesel(treat_none_as_default_value = false)]
pub struct PartRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub order_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    pub status: String,
    pub items_idr: i64,
    pub shipping_idr: Option<i64>,
    pub payment_reference: Option<String>,
    pub courier: Option<String>,
    pub tracking_number: Option<String>,
    pub cancel_reason: Option<String>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub step_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = order_lines)]
#[diesel(treat_none_as_default_value = false)]
pub struct LineRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub part_id: Uuid,
    pub position: i32,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub sku: String,
    pub title: String,
    #[diesel(serialize_as = DbJson, deserialize_as = DbJson)]
    pub options: serde_json::Value,
    pub quantity: i64,
    pub unit_price_idr: i64,
    pub line_idr: i64,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = order_part_events)]
#[diesel(treat_none_as_default_value = false)]
pub struct EventRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub part_id: Uuid,
    pub status: String,
    pub actor: String,
    pub actor_id: Option<DbId>,
    pub note: Option<String>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub at: DateTime<Utc>,
    /// The seller declined the part (a cancellation before it was confirmed).
    pub declined: bool,
}

/// The next order number of `year`, taken in the caller's transaction. On PostgreSQL it
/// comes from the year's sequence (`next_order_number`, which creates it for the year's first
/// order): taking it locks nothing, so concurrent checkouts do not wait for each other's
/// commits, and a number is skipped only when the checkout that took it fails before its
/// commit. On SQLite, where one write transaction runs at a time anyway, the year's counter
/// row is bumped, so a rolled-back checkout gives its number back.
pub fn next_number(conn: &mut DbConn, year: i32) -> QueryResult<i32> {
    if let DbConn::Pg(c) = conn {
        return NextInSequence { year }.get_result(c);
    }
    if let Some(seq) = bump(conn, year)? {
        return Ok(seq);
    }
    let first = diesel::insert_into(order_numbers::table)
        .values((order_numbers::year.eq(year), order_numbers::last_seq.eq(1)))
        .on_conflict_do_nothing();
    let inserted = match conn {
        DbConn::Pg(c) => first.execute(c)?,
        DbConn::Sqlite(c) => first.execute(c)?,
    };
    if inserted == 1 {
        return Ok(1);
    }
    // Another checkout created the year's row first: count after it.
    bump(conn, year)?.ok_or(diesel::result::Error::NotFound)
}

/// `SELECT next_order_number(year)` (PostgreSQL), kept prepared (see `db::prepared`).
struct NextInSequence {
    year: i32,
}
prepared::fixed_query_id!(NextInSequence);

impl Query for NextInSequence {
    type SqlType = Integer;
}

impl QueryFragment<diesel::pg::Pg> for NextInSequence {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        out.push_sql("SELECT next_order_number(");
        out.push_bind_param::<Integer, _>(&self.year)?;
        out.push_sql(")");
        Ok(())
    }
}

/// Adds one to the year's counter, if it has one, and returns it.
fn bump(conn: &mut DbConn, year: i32) -> QueryResult<Option<i32>> {
    let stmt = Bump { year };
    match conn {
        DbConn::Pg(c) => stmt.get_result(c).optional(),
        DbConn::Sqlite(c) => stmt.get_result(c).optional(),
    }
}

/// `UPDATE order_numbers … RETURNING last_seq`, kept prepared (see `db::prepared`).
struct Bump {
    year: i32,
}
prepared::fixed_query_id!(Bump);

impl Query for Bump {
    type SqlType = Integer;
}

impl<DB> QueryFragment<DB> for Bump
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE order_numbers SET last_seq = last_seq + 1 WHERE year = ");
        out.push_bind_param::<Integer, _>(&self.year)?;
        out.push_sql(" RETURNING last_seq");
        Ok(())
    }
}

/// Gathers an order's rows into `later`: the order, then each part with its lines and first
/// event.
pub fn insert_later(
    conn: &mut DbConn,
    later: &mut Appends,
    order: OrderRow,
    parts: Vec<(PartRow, Vec<LineRow>, EventRow)>,
) -> QueryResult<()> {
    later.add(conn, diesel::insert_into(orders::table).values(order))?;
    for (part, lines, event) in parts {
        later.add(conn, diesel::insert_into(order_parts::table).values(part))?;
        for line in lines {
            later.add(conn, diesel::insert_into(order_lines::table).values(line))?;
        }
        later.add(
            conn,
            diesel::insert_into(order_part_events::table).values(event),
        )?;
    }
    Ok(())
}

/// Locks the buyer's account row until the transaction ends (PostgreSQL; SQLite runs one
/// write transaction at a time anyway), so that one buyer's checkouts read what it holds
/// one after the other. `FOR NO KEY UPDATE`: rows that merely refer to the account (its
/// refresh tokens, its idempotency keys) are not held up.
pub fn hold_buyer(conn: &mut DbConn, buyer_id: Uuid) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        users::table
            .find(DbId(buyer_id))
            .select(users::id)
            .for_no_key_update()
            .get_result::<DbId>(c)
            .optional()?;
    }
    Ok(())
}

/// One line of a buyer's part that still waits for the seller's confirmation or for
/// payment.
#[derive(Queryable, Debug)]
pub struct WaitingLine {
    #[diesel(deserialize_as = DbId)]
    pub part_id: Uuid,
    pub status: String,
    #[diesel(deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub quantity: i64,
}

/// The lines of a buyer's parts awaiting confirmation or payment: what it holds.
pub fn waiting_lines_of_buyer(conn: &mut DbConn, buyer_id: Uuid) -> QueryResult<Vec<WaitingLine>> {
    order_parts::table
        .inner_join(orders::table)
        .inner_join(order_lines::table)
        .filter(orders::buyer_id.eq(DbId(buyer_id)))
        .filter(
            order_parts::status
                .eq(PartStatus::AwaitingConfirmation.as_str())
                .or(order_parts::status.eq(PartStatus::AwaitingPayment.as_str())),
        )
        .select((
            order_parts::id,
            order_parts::status,
            order_lines::variant_id,
            order_lines::quantity,
        ))
        .load(conn)
}

pub fn insert_event(conn: &mut DbConn, row: EventRow) -> QueryResult<()> {
    diesel::insert_into(order_part_events::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_order(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<OrderRow>> {
    orders::table
        .find(DbId(id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_part(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<PartRow>> {
    order_parts::table
        .find(DbId(id))
        .select(PartRow::as_select())
        .first(conn)
        .optional()
}

/// A page of a buyer's orders, newest first.
pub fn orders_of_buyer(
    conn: &mut DbConn,
    buyer_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<OrderRow>> {
    let mut query = orders::table
        .filter(orders::buyer_id.eq(DbId(buyer_id)))
        .order(orders::id.desc())
        .limit(limit)
        .select(OrderRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(orders::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// A page of a seller's parts, newest first, optionally in one status.
pub fn parts_of_seller(
    conn: &mut DbConn,
    seller_id: Uuid,
    status: Option<&str>,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<PartRow>> {
    let mut query = order_parts::table
        .filter(order_parts::seller_id.eq(DbId(seller_id)))
        .order(order_parts::id.desc())
        .limit(limit)
        .select(PartRow::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(order_parts::status.eq(status.to_owned()));
    }
    if let Some(before) = before {
        query = query.filter(order_parts::id.lt(DbId(before)));
    }
    query.load(conn)
}

pub fn parts_of_orders(conn: &mut DbConn, order_ids: &[Uuid]) -> QueryResult<Vec<PartRow>> {
    let ids: Vec<DbId> = order_ids.iter().copied().map(DbId).collect();
    order_parts::table
        .filter(order_parts::order_id.eq_any(ids))
        .order(order_parts::id)
        .select(PartRow::as_select())
        .load(conn)
}

pub fn orders_by_ids(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<Vec<OrderRow>> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    orders::table
        .filter(orders::id.eq_any(ids))
        .select(OrderRow::as_select())
        .load(conn)
}

pub fn lines_of_parts(conn: &mut DbConn, part_ids: &[Uuid]) -> QueryResult<Vec<LineRow>> {
    let ids: Vec<DbId> = part_ids.iter().copied().map(DbId).collect();
    order_lines::table
        .filter(order_lines::part_id.eq_any(ids))
        .order((order_lines::part_id, order_lines::position))
        .select(LineRow::as_select())
        .load(conn)
}

pub fn events_of_parts(conn: &mut DbConn, part_ids: &[Uuid]) -> QueryResult<Vec<EventRow>> {
    let ids: Vec<DbId> = part_ids.iter().copied().map(DbId).collect();
    order_part_events::table
        .filter(order_part_events::part_id.eq_any(ids))
        .order((order_part_events::part_id, order_part_events::id))
        .select(EventRow::as_select())
        .load(conn)
}

/// What a transition writes on the part besides its status.
#[derive(AsChangeset, Default)]
#[diesel(table_name = order_parts)]
pub struct PartChanges {
    pub shipping_idr: Option<i64>,
    pub payment_reference: Option<String>,
    pub courier: Option<String>,
    pub tracking_number: Option<String>,
    pub cancel_reason: Option<String>,
}

/// Moves a part to `to` only if it is still in one of `from` and, when `step_at` is given,
/// its last step is still that one (compare and set, so two racing transitions or
/// replicas' sweeps never both win, and a sweep never undoes a step taken after it looked).
/// True when it moved.
pub fn move_part(
    conn: &mut DbConn,
    id: Uuid,
    from: &[&str],
    step_at: Option<DateTime<Utc>>,
    to: &str,
    at: DateTime<Utc>,
    changes: PartChanges,
) -> QueryResult<bool> {
    let from: Vec<String> = from.iter().map(|s| (*s).to_owned()).collect();
    let target = order_parts::table
        .filter(order_parts::id.eq(DbId(id)))
        .filter(order_parts::status.eq_any(from));
    let set = (
        order_parts::status.eq(to),
        order_parts::step_at.eq(DbTime(at)),
        changes,
    );
    let moved = match step_at {
        None => diesel::update(target).set(set).execute(conn)?,
        Some(listed) => diesel::update(target.filter(order_parts::step_at.eq(DbTime(listed))))
            .set(set)
            .execute(conn)?,
    };
    Ok(moved == 1)
}

/// Parts in `status` whose last step was before `before`, oldest step first: each id with
/// that step's time.
pub fn due_parts(
    conn: &mut DbConn,
    status: &str,
    before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, DateTime<Utc>)>> {
    let rows: Vec<(DbId, DbTime)> = order_parts::table
        .filter(order_parts::status.eq(status.to_owned()))
        .filter(order_parts::step_at.lt(DbTime(before)))
        .order(order_parts::step_at)
        .limit(limit)
        .select((order_parts::id, order_parts::step_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, at)| (id.0, at.0)).collect())
}
