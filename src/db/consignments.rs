//! Consignments (shipments to a hotel) and their lines.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::{consignment_lines, consignments};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = consignments)]
#[diesel(treat_none_as_default_value = false)]
pub struct ConsignmentRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub agreement_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub hotel_id: Uuid,
    pub status: String,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub dispatched_at: DateTime<Utc>,
    pub received_at: Option<DbTime>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = consignment_lines)]
#[diesel(treat_none_as_default_value = false)]
pub struct LineRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub consignment_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub quantity: i32,
    pub unit_price_idr: i64,
    pub quantity_received: Option<i32>,
    /// Printed on every unit of the line as the QR code `KRY1:{code}`; unique for ever.
    pub label_code: String,
}

pub fn insert(conn: &mut DbConn, consignment: ConsignmentRow) -> QueryResult<()> {
    diesel::insert_into(consignments::table)
        .values(consignment)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_line(conn: &mut DbConn, line: LineRow) -> QueryResult<()> {
    diesel::insert_into(consignment_lines::table)
        .values(line)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<ConsignmentRow>> {
    consignments::table
        .find(DbId(id))
        .select(ConsignmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn lines(conn: &mut DbConn, consignment_id: Uuid) -> QueryResult<Vec<LineRow>> {
    consignment_lines::table
        .filter(consignment_lines::consignment_id.eq(DbId(consignment_id)))
        .order(consignment_lines::id)
        .select(LineRow::as_select())
        .load(conn)
}

/// Whether any line, of any consignment, ever had this label code.
pub fn label_code_taken(conn: &mut DbConn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        consignment_lines::table.filter(consignment_lines::label_code.eq(code)),
    ))
    .get_result(conn)
}

/// The line a label code names, with its consignment.
pub fn find_by_label(
    conn: &mut DbConn,
    code: &str,
) -> QueryResult<Option<(LineRow, ConsignmentRow)>> {
    consignment_lines::table
        .inner_join(consignments::table)
        .filter(consignment_lines::label_code.eq(code))
        .select((LineRow::as_select(), ConsignmentRow::as_select()))
        .first(conn)
        .optional()
}

/// Marks a dispatched consignment received; false if it already was (a concurrent receive).
pub fn mark_received(conn: &mut DbConn, id: Uuid, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        consignments::table
            .filter(consignments::id.eq(DbId(id)))
            .filter(consignments::status.eq("dispatched")),
    )
    .set((
        consignments::status.eq("received"),
        consignments::received_at.eq(DbTime(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn set_received_quantity(conn: &mut DbConn, line_id: Uuid, quantity: i32) -> QueryResult<()> {
    diesel::update(consignment_lines::table.find(DbId(line_id)))
        .set(consignment_lines::quantity_received.eq(quantity))
        .execute(conn)
        .map(|_| ())
}
