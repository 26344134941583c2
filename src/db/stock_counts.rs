//! Stock counts at hotels and the shortfalls they found.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::{stock_count_lines, stock_counts};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = stock_counts)]
#[diesel(treat_none_as_default_value = false)]
pub struct CountRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub hotel_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub recorded_by: Uuid,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub counted_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = stock_count_lines)]
#[diesel(treat_none_as_default_value = false)]
pub struct CountLineRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub count_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub agreement_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub expected: i32,
    pub counted: i32,
    pub missing: i32,
    pub charge_idr: i64,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub counted_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, count: CountRow, lines: Vec<CountLineRow>) -> QueryResult<()> {
    diesel::insert_into(stock_counts::table)
        .values(count)
        .execute(conn)?;
    for line in lines {
        diesel::insert_into(stock_count_lines::table)
            .values(line)
            .execute(conn)?;
    }
    Ok(())
}

/// Shortfalls charged to an agreement's hotel in `[from, to)`.
pub fn charges_between(
    conn: &mut DbConn,
    agreement_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<CountLineRow>> {
    stock_count_lines::table
        .filter(stock_count_lines::agreement_id.eq(DbId(agreement_id)))
        .filter(stock_count_lines::missing.gt(0))
        .filter(stock_count_lines::counted_at.ge(DbTime(from)))
        .filter(stock_count_lines::counted_at.lt(DbTime(to)))
        .order((stock_count_lines::counted_at, stock_count_lines::id))
        .select(CountLineRow::as_select())
        .load(conn)
}
