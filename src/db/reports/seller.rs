//! One seller's own figures: months online and per hotel, best products, stock on shelves.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use uuid::Uuid;

use super::{Param, ProductSales, SalesSums, exact, exact_sum, load, sales_columns, sales_sql};
use crate::db::DbConn;
use crate::db::portable::DbId;
use crate::db::portable::sql_types::Id;
use crate::domain::report::MonthRange;

/// The seller's sales of one month at one hotel, or online (`hotel_id` null).
#[derive(QueryableByName, Debug, Clone)]
pub struct ChannelMonth {
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Nullable<Id>)]
    pub hotel_id: Option<DbId>,
    #[diesel(sql_type = Nullable<Text>)]
    pub hotel_name: Option<String>,
    #[diesel(embed)]
    pub sums: SalesSums,
}

fn params(seller: Uuid, range: MonthRange) -> [Param; 3] {
    [
        Param::Time(range.from.start()),
        Param::Time(range.to.end()),
        Param::Id(seller),
    ]
}

pub fn channel_months(
    conn: &mut DbConn,
    seller: Uuid,
    range: MonthRange,
) -> QueryResult<Vec<ChannelMonth>> {
    load(
        conn,
        |d| {
            format!(
                "SELECT {} AS month, f.hotel_id AS hotel_id, h.name AS hotel_name, {} \
                 FROM ({}) f LEFT JOIN hotels h ON h.id = f.hotel_id \
                 GROUP BY f.month, f.hotel_id, h.name \
                 ORDER BY month, hotel_name",
                d.month_label("f.month"),
                sales_columns(),
                sales_sql(d, 1, 2, Some(&format!("= {}", d.param(3))), true)
            )
        },
        &params(seller, range),
    )
}

pub fn top_products(
    conn: &mut DbConn,
    seller: Uuid,
    range: MonthRange,
    limit: usize,
) -> QueryResult<Vec<ProductSales>> {
    super::top_products(
        conn,
        |d| sales_sql(d, 1, 2, Some(&format!("= {}", d.param(3))), false),
        &params(seller, range),
        limit,
    )
}

/// Units of one variant on one hotel's shelf now.
#[derive(Debug, Clone)]
pub struct ShelfStock {
    pub hotel_id: DbId,
    pub hotel_name: String,
    pub product_id: DbId,
    pub title: String,
    pub variant_id: DbId,
    pub sku: String,
    pub units: i64,
    /// At the consignment price of each lot.
    pub value_idr: i128,
}

#[derive(QueryableByName)]
struct ShelfStockRow {
    #[diesel(sql_type = Id)]
    hotel_id: DbId,
    #[diesel(sql_type = Text)]
    hotel_name: String,
    #[diesel(sql_type = Id)]
    product_id: DbId,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Id)]
    variant_id: DbId,
    #[diesel(sql_type = Text)]
    sku: String,
    #[diesel(sql_type = BigInt)]
    units: i64,
    #[diesel(sql_type = BigInt)]
    value_idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    value_idr_lo: i64,
}

pub fn on_shelves(conn: &mut DbConn, seller: Uuid) -> QueryResult<Vec<ShelfStock>> {
    let rows: Vec<ShelfStockRow> = load(
        conn,
        |d| {
            format!(
                "SELECT l.hotel_id AS hotel_id, h.name AS hotel_name, l.product_id AS product_id, \
                    pr.title AS title, l.variant_id AS variant_id, v.sku AS sku, \
                    CAST(SUM(l.quantity_remaining) AS BIGINT) AS units, {} \
                 FROM shelf_lots l \
                 JOIN hotels h ON h.id = l.hotel_id \
                 JOIN products pr ON pr.id = l.product_id \
                 JOIN product_variants v ON v.id = l.variant_id \
                 WHERE l.seller_id = {} AND l.quantity_remaining > 0 \
                 GROUP BY l.hotel_id, h.name, l.product_id, pr.title, l.variant_id, v.sku \
                 ORDER BY hotel_name, title, sku",
                exact_sum("l.quantity_remaining * l.unit_price_idr", "value_idr"),
                d.param(1)
            )
        },
        &[Param::Id(seller)],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| ShelfStock {
            hotel_id: r.hotel_id,
            hotel_name: r.hotel_name,
            product_id: r.product_id,
            title: r.title,
            variant_id: r.variant_id,
            sku: r.sku,
            units: r.units,
            value_idr: exact(r.value_idr_hi, r.value_idr_lo),
        })
        .collect())
}
