//! The figures reports are made of, aggregated in SQL from the rows statements and orders
//! use: hotel sale lines by `sold_at`, completed order parts by the time they completed
//! (their lines). Months are Western Indonesia Time, like statements: a fixed +7 h, as
//! Indonesia keeps no daylight saving time.
//!
//! One query text serves both databases; [`Dialect`] supplies what differs (how a month is
//! named, how parameters are written) and [`load`] binds the same parameters on either.
//!
//! Sums of amounts are exact however large ([`exact_sum`]): a total beyond what an i64 holds
//! reaches the report as an i128, which says so, instead of failing the query (PostgreSQL
//! cannot cast it back to BIGINT, SQLite's `SUM` stops at "integer overflow").

pub mod monthly;
pub mod overview;
pub mod seller;
pub mod training;

pub use monthly::{SellerMonth, monthly_sales};

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;
use uuid::Uuid;

use super::DbConn;
use super::portable::sql_types::{Id, Instant};
use super::portable::{DbId, DbTime};

/// What differs between the two databases in a report query.
#[derive(Clone, Copy)]
pub enum Dialect {
    Pg,
    Sqlite,
}

impl Dialect {
    /// A value naming the month (WIB) of an instant column, cheap to compute on every row and
    /// to group by; [`Dialect::month_label`] turns it into `YYYY-MM`.
    pub fn month_key(self, col: &str) -> String {
        match self {
            Dialect::Pg => {
                format!("date_trunc('month', ({col} AT TIME ZONE 'UTC') + INTERVAL '7 hours')")
            }
            Dialect::Sqlite => self.month(col),
        }
    }

    /// `YYYY-MM` of a [`Dialect::month_key`].
    pub fn month_label(self, key: &str) -> String {
        match self {
            Dialect::Pg => format!("to_char({key}, 'YYYY-MM')"),
            Dialect::Sqlite => key.to_owned(),
        }
    }

    /// `YYYY-MM` of an instant column in Western Indonesia Time.
    pub fn month(self, col: &str) -> String {
        match self {
            Dialect::Pg => {
                format!("to_char(({col} AT TIME ZONE 'UTC') + INTERVAL '7 hours', 'YYYY-MM')")
            }
            Dialect::Sqlite => format!("strftime('%Y-%m', {col}, '+7 hours')"),
        }
    }

    /// The `n`th bound parameter (1-based).
    pub fn param(self, n: usize) -> String {
        match self {
            Dialect::Pg => format!("${n}"),
            Dialect::Sqlite => format!("?{n}"),
        }
    }
}

/// A parameter of a report query.
#[derive(Clone, Debug)]
pub enum Param {
    Time(DateTime<Utc>),
    Id(Uuid),
    Text(String),
    Int(i64),
}

fn bind_all<'f, DB>(
    mut query: BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>,
    params: &[Param],
) -> BoxedSqlQuery<'f, DB, diesel::query_builder::SqlQuery>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<Id> + 'f,
    DB: diesel::sql_types::HasSqlType<Instant>,
    DbTime: diesel::serialize::ToSql<Instant, DB>,
    DbId: diesel::serialize::ToSql<Id, DB>,
    String: diesel::serialize::ToSql<Text, DB>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
{
    for p in params {
        query = match p.clone() {
            Param::Time(t) => query.bind::<Instant, _>(DbTime(t)),
            Param::Id(id) => query.bind::<Id, _>(DbId(id)),
            Param::Text(s) => query.bind::<Text, _>(s),
            Param::Int(i) => query.bind::<BigInt, _>(i),
        };
    }
    query
}

/// Runs the query `sql` writes for the connection's dialect with `params` bound in order.
pub fn load<R>(
    conn: &mut DbConn,
    sql: impl Fn(Dialect) -> String,
    params: &[Param],
) -> QueryResult<Vec<R>>
where
    R: QueryableByName<Pg> + QueryableByName<Sqlite> + 'static,
{
    match conn {
        DbConn::Pg(c) => bind_all(
            diesel::sql_query(sql(Dialect::Pg)).into_boxed::<Pg>(),
            params,
        )
        .load(c),
        DbConn::Sqlite(c) => bind_all(
            diesel::sql_query(sql(Dialect::Sqlite)).into_boxed::<Sqlite>(),
            params,
        )
        .load(c),
    }
}

/// Every sale from `from` (parameter `p_from`) until `to` (`p_to`), one row per hotel sale
/// line or completed order line: `seller_id`, `hotel_id` (null online), `product_id`, `month`
/// (a [`Dialect::month_key`]; null unless `by_month`), `online` (0 or
/// 1), `parts` (1 on an order part's first line, so summing it counts parts), `units`, `idr`.
/// `sellers` narrows it to the sellers a condition on the seller's id holds for (`= $3`,
/// `IN (SELECT …)`), so indexes find their rows instead of scanning everyone's.
pub fn sales_sql(
    d: Dialect,
    p_from: usize,
    p_to: usize,
    sellers: Option<&str>,
    by_month: bool,
) -> String {
    let (from, to) = (d.param(p_from), d.param(p_to));
    let (hotel_seller, online_seller) = match sellers {
        Some(condition) => (
            format!(" AND a.seller_id {condition}"),
            format!(" AND p.seller_id {condition}"),
        ),
        None => (String::new(), String::new()),
    };
    let (sold, done) = if by_month {
        (d.month_key("l.sold_at"), d.month_key("e.at"))
    } else {
        ("NULL".to_owned(), "NULL".to_owned())
    };
    format!(
        "SELECT a.seller_id AS seller_id, a.hotel_id AS hotel_id, l.product_id AS product_id, \
            {sold} AS month, 0 AS online, 0 AS parts, \
            CAST(l.quantity AS BIGINT) AS units, l.quantity * l.unit_price_idr AS idr \
         FROM hotel_sale_lines l JOIN consignment_agreements a ON a.id = l.agreement_id \
         WHERE l.sold_at >= {from} AND l.sold_at < {to}{hotel_seller} \
         UNION ALL \
         SELECT p.seller_id, NULL, ol.product_id, {done}, 1, \
            CASE WHEN ol.position = 0 THEN 1 ELSE 0 END, ol.quantity, ol.line_idr \
         FROM order_part_events e \
         JOIN order_parts p ON p.id = e.part_id \
         JOIN order_lines ol ON ol.part_id = p.id \
         WHERE e.status = 'completed' AND p.status = 'completed' \
            AND e.at >= {from} AND e.at < {to}{online_seller}"
    )
}

/// The divisor that splits an amount in two: `x = x / HALF * HALF + x % HALF` on both
/// databases (integer division truncates, the remainder takes the dividend's sign).
const HALF: &str = "4294967296";

/// `SUM(expr)` of an integer expression, exactly: two BIGINT columns, `{name}_hi` (the sum
/// of each value's part above 2^32) and `{name}_lo` (the sum of the rest), which [`exact`]
/// puts back together. Neither half can overflow before some 2^31 rows are summed, so the
/// query never fails for the size of its total. 0 over no rows.
pub fn exact_sum(expr: &str, name: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(({expr}) / {HALF}), 0) AS BIGINT) AS {name}_hi, \
         CAST(COALESCE(SUM(({expr}) % {HALF}), 0) AS BIGINT) AS {name}_lo"
    )
}

/// An expression that orders groups by `SUM(expr)` without failing when the sum does not
/// fit in a BIGINT (PostgreSQL computes it as NUMERIC; SQLite's integer product turns to a
/// REAL past 2^63, so only totals that large compare approximately).
pub fn exact_order(expr: &str) -> String {
    format!("(SUM(({expr}) / {HALF}) * {HALF} + SUM(({expr}) % {HALF}))")
}

/// The total of an [`exact_sum`] from its two columns.
pub fn exact(hi: i64, lo: i64) -> i128 {
    (i128::from(hi) << 32) + i128::from(lo)
}

/// The aggregate columns every sales report shows, over rows of [`sales_sql`] named `f`,
/// read as [`SalesSums`].
pub fn sales_columns() -> String {
    format!(
        "CAST(SUM(f.parts) AS BIGINT) AS online_count, {}, \
         CAST(SUM(1 - f.online) AS BIGINT) AS hotel_count, {}",
        exact_sum("CASE WHEN f.online = 1 THEN f.idr ELSE 0 END", "online_idr"),
        exact_sum("CASE WHEN f.online = 0 THEN f.idr ELSE 0 END", "hotel_idr"),
    )
}

/// The columns of [`sales_columns`].
#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalesSums {
    /// Completed order parts.
    #[diesel(sql_type = BigInt)]
    pub online_count: i64,
    #[diesel(sql_type = BigInt)]
    online_idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    online_idr_lo: i64,
    /// Hotel sale lines.
    #[diesel(sql_type = BigInt)]
    pub hotel_count: i64,
    #[diesel(sql_type = BigInt)]
    hotel_idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    hotel_idr_lo: i64,
}

impl SalesSums {
    /// Completed order parts' items (shipping is the courier's, not a sale).
    pub fn online_idr(&self) -> i128 {
        exact(self.online_idr_hi, self.online_idr_lo)
    }

    pub fn hotel_idr(&self) -> i128 {
        exact(self.hotel_idr_hi, self.hotel_idr_lo)
    }
}

/// A product's sales over a report's months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSales {
    pub product_id: DbId,
    pub title: String,
    pub seller_id: DbId,
    pub units: i128,
    pub sales_idr: i128,
}

#[derive(QueryableByName)]
struct ProductSalesRow {
    #[diesel(sql_type = Id)]
    product_id: DbId,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Id)]
    seller_id: DbId,
    #[diesel(sql_type = BigInt)]
    units_hi: i64,
    #[diesel(sql_type = BigInt)]
    units_lo: i64,
    #[diesel(sql_type = BigInt)]
    sales_idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    sales_idr_lo: i64,
}

/// The `limit` products that sold for most (ties by id), from `sales` (a [`sales_sql`]).
pub fn top_products(
    conn: &mut DbConn,
    sales: impl Fn(Dialect) -> String,
    params: &[Param],
    limit: usize,
) -> QueryResult<Vec<ProductSales>> {
    let rows: Vec<ProductSalesRow> = load(
        conn,
        |d| {
            format!(
                "SELECT t.product_id AS product_id, pr.title AS title, pr.seller_id AS seller_id, \
                    t.units_hi AS units_hi, t.units_lo AS units_lo, \
                    t.sales_idr_hi AS sales_idr_hi, t.sales_idr_lo AS sales_idr_lo \
                 FROM (SELECT f.product_id AS product_id, {}, {} \
                       FROM ({}) f GROUP BY f.product_id \
                       ORDER BY {} DESC, f.product_id LIMIT {limit}) t \
                 JOIN products pr ON pr.id = t.product_id",
                exact_sum("f.units", "units"),
                exact_sum("f.idr", "sales_idr"),
                sales(d),
                exact_order("f.idr"),
            )
        },
        params,
    )?;
    let mut out: Vec<ProductSales> = rows
        .into_iter()
        .map(|r| ProductSales {
            product_id: r.product_id,
            title: r.title,
            seller_id: r.seller_id,
            units: exact(r.units_hi, r.units_lo),
            sales_idr: exact(r.sales_idr_hi, r.sales_idr_lo),
        })
        .collect();
    out.sort_by(|a, b| {
        b.sales_idr
            .cmp(&a.sales_idr)
            .then(a.product_id.0.cmp(&b.product_id.0))
    });
    Ok(out)
}
