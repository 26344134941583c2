//! The city's months: sales by sector and kecamatan, sellers, listings, the best sellers.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{
    Param, ProductSales, SalesSums, exact, exact_order, exact_sum, load, sales_columns, sales_sql,
};
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
    #[diesel(embed)]
    pub sums: SalesSums,
}

fn range_params(range: MonthRange) -> [Param; 2] {
    [Param::Time(range.from.start()), Param::Time(range.to.end())]
}

pub fn sales_cells(conn: &mut DbConn, range: MonthRange) -> QueryResult<Vec<SalesCell>> {
    load(
        conn,
        |d| {
            format!(
                "SELECT {} AS month, s.sector AS sector, s.kecamatan AS kecamatan, {} \
                 FROM ({}) f JOIN sellers s ON s.id = f.seller_id \
                 GROUP BY f.month, s.sector, s.kecamatan",
                d.month_label("f.month"),
                sales_columns(),
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
    super::top_products(
        conn,
        |d| sales_sql(d, 1, 2, None, false),
        &range_params(range),
        limit,
    )
}

/// A seller's sales over the report's months.
#[derive(Debug, Clone)]
pub struct SellerSales {
    pub seller_id: DbId,
    pub name: String,
    pub sales_idr: i128,
}

#[derive(QueryableByName)]
struct SellerSalesRow {
    #[diesel(sql_type = Id)]
    seller_id: DbId,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    sales_idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    sales_idr_lo: i64,
}

/// The `limit` sellers who sold for most (ties by id).
pub fn top_sellers(
    conn: &mut DbConn,
    range: MonthRange,
    limit: usize,
) -> QueryResult<Vec<SellerSales>> {
    let rows: Vec<SellerSalesRow> = load(
        conn,
        |d| {
            format!(
                "SELECT t.seller_id AS seller_id, s.business_name AS name, \
                    t.sales_idr_hi AS sales_idr_hi, t.sales_idr_lo AS sales_idr_lo \
                 FROM (SELECT f.seller_id AS seller_id, {} \
                       FROM ({}) f GROUP BY f.seller_id \
                       ORDER BY {} DESC, f.seller_id LIMIT {limit}) t \
                 JOIN sellers s ON s.id = t.seller_id",
                exact_sum("f.idr", "sales_idr"),
                sales_sql(d, 1, 2, None, false),
                exact_order("f.idr"),
            )
        },
        &range_params(range),
    )?;
    let mut out: Vec<SellerSales> = rows
        .into_iter()
        .map(|r| SellerSales {
            seller_id: r.seller_id,
            name: r.name,
            sales_idr: exact(r.sales_idr_hi, r.sales_idr_lo),
        })
        .collect();
    out.sort_by(|a, b| {
        b.sales_idr
            .cmp(&a.sales_idr)
            .then(a.seller_id.0.cmp(&b.seller_id.0))
    });
    Ok(out)
}
