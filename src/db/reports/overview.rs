//! The city's months: sales by sector and kecamatan, sellers, listings, the best sellers.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{Param, ProductSales, SALES_COLUMNS, load, sales_sql, top_products_sql};
use crate::db::DbConn;
use crate::db::portable::DbId;
use crate::db::portable::sql_types::Id;
use crate::domain::report::MonthRange;

/// Sales of one month by the sellers of one sector in one kecamatan (either may be unset).
#[derive(QueryableByName, Debug, Clone)]
pub struct SalesCell {
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub sector: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kecamatan: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub online_count: i64,
    #[diesel(sql_type = BigInt)]
    pub online_idr: i64,
    #[diesel(sql_type = BigInt)]
    pub hotel_count: i64,
    #[diesel(sql_type = BigInt)]
    pub hotel_idr: i64,
}

fn range_params(range: MonthRange) -> [Param; 2] {
    [Param::Time(range.from.start()), Param::Time(range.to.end())]
}

pub fn sales_cells(conn: &mut DbConn, range: MonthRange) -> QueryResult<Vec<SalesCell>> {
    load(
        conn,
        |d| {
            format!(
                "SELECT {} AS month, s.sector AS sector, s.kecamatan AS kecamatan, \
                    {SALES_COLUMNS} \
                 FROM ({}) f JOIN sellers s ON s.id = f.seller_id \
                 GROUP BY f.month, s.sector, s.kecamatan",
                d.month_label("f.month"),
                sales_sql(d, 1, 2, None, true)
            )
        },
        &range_params(range),
    )
}

/// Sellers who registered in one month (`month` is null for those before the range), of one
/// sector and kecamatan: how many, and how many of them are active now.
#[derive(QueryableByName, Debug, Clone)]
pub struct SellerCell {
    #[diesel(sql_type = Nullable<Text>)]
    pub month: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub sector: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub kecamatan: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub registered: i64,
    #[diesel(sql_type = BigInt)]
    pub active: i64,
}

pub fn seller_cells(conn: &mut DbConn, range: MonthRange) -> QueryResult<Vec<SellerCell>> {
    load(
        conn,
        |d| {
            let (from, to) = (d.param(1), d.param(2));
            let month = d.month("created_at");
            format!(
                "SELECT CASE WHEN created_at < {from} THEN NULL ELSE {month} END AS month, \
                    sector, kecamatan, CAST(COUNT(*) AS BIGINT) AS registered, \
                    CAST(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS active \
                 FROM sellers WHERE created_at < {to} \
                 GROUP BY 1, sector, kecamatan"
            )
        },
        &range_params(range),
    )
}

/// Products listed now, by the month they were published (null before the range).
#[derive(QueryableByName, Debug, Clone)]
pub struct ListingCell {
    #[diesel(sql_type = Nullable<Text>)]
    pub month: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub listings: i64,
}

pub fn listing_cells(conn: &mut DbConn, range: MonthRange) -> QueryResult<Vec<ListingCell>> {
    load(
        conn,
        |d| {
            let (from, to) = (d.param(1), d.param(2));
            let month = d.month("published_at");
            format!(
                "SELECT CASE WHEN published_at < {from} THEN NULL ELSE {month} END AS month, \
                    CAST(COUNT(*) AS BIGINT) AS listings \
                 FROM products WHERE status = 'published' AND published_at < {to} \
                 GROUP BY 1"
            )
        },
        &range_params(range),
    )
}

pub fn top_products(
    conn: &mut DbConn,
    range: MonthRange,
    limit: usize,
) -> QueryResult<Vec<ProductSales>> {
    load(
        conn,
        |d| top_products_sql(&sales_sql(d, 1, 2, None, false), limit),
        &range_params(range),
    )
}

/// A seller's sales over the report's months.
#[derive(QueryableByName, Debug, Clone)]
pub struct SellerSales {
    #[diesel(sql_type = Id)]
    pub seller_id: DbId,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = BigInt)]
    pub sales_idr: i64,
}

pub fn top_sellers(
    conn: &mut DbConn,
    range: MonthRange,
    limit: usize,
) -> QueryResult<Vec<SellerSales>> {
    load(
        conn,
        |d| {
            format!(
                "SELECT t.seller_id AS seller_id, s.business_name AS name, \
                    t.sales_idr AS sales_idr \
                 FROM (SELECT f.seller_id AS seller_id, CAST(SUM(f.idr) AS BIGINT) AS sales_idr \
                       FROM ({}) f GROUP BY f.seller_id \
                       ORDER BY sales_idr DESC, seller_id LIMIT {limit}) t \
                 JOIN sellers s ON s.id = t.seller_id \
                 ORDER BY t.sales_idr DESC, t.seller_id",
                sales_sql(d, 1, 2, None, false)
            )
        },
        &range_params(range),
    )
}
