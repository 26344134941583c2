//! Sales recorded at a hotel's shop, and goods a hotel returns.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::appends::Appends;
use super::portable::{DbId, DbTime};
use super::schema::{hotel_returns, hotel_sale_lines, hotel_sales};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = hotel_sales)]
#[diesel(treat_none_as_default_value = false)]
pub struct SaleRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub hotel_id: Uuid,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub sold_at: DateTime<Utc>,
    pub total_idr: i64,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub recorded_by: Uuid,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = hotel_sale_lines)]
#[diesel(treat_none_as_default_value = false)]
pub struct SaleLineRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub sale_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub agreement_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub quantity: i32,
    pub unit_price_idr: i64,
    pub commission_bps: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub sold_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = hotel_returns)]
#[diesel(treat_none_as_default_value = false)]
pub struct ReturnRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub hotel_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub agreement_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub recorded_by: Uuid,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

/// Gathers the sale's rows into `later`.
pub fn insert_sale(
    conn: &mut DbConn,
    later: &mut Appends,
    sale: SaleRow,
    lines: Vec<SaleLineRow>,
) -> QueryResult<()> {
    later.add(conn, diesel::insert_into(hotel_sales::table).values(sale))?;
    for line in lines {
        later.add(
            conn,
            diesel::insert_into(hotel_sale_lines::table).values(line),
        )?;
    }
    Ok(())
}

pub fn insert_return(conn: &mut DbConn, row: ReturnRow) -> QueryResult<()> {
    diesel::insert_into(hotel_returns::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Sale lines of an agreement sold in `[from, to)`, in time order.
pub fn lines_between(
    conn: &mut DbConn,
    agreement_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<SaleLineRow>> {
    hotel_sale_lines::table
        .filter(hotel_sale_lines::agreement_id.eq(DbId(agreement_id)))
        .filter(hotel_sale_lines::sold_at.ge(DbTime(from)))
        .filter(hotel_sale_lines::sold_at.lt(DbTime(to)))
        .order((hotel_sale_lines::sold_at, hotel_sale_lines::id))
        .select(SaleLineRow::as_select())
        .load(conn)
}
