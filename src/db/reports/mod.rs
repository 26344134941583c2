//! The figures reports are made of, aggregated in SQL from the rows statements and orders
//! use: hotel sale lines by `sold_at`, completed order parts by the time they completed
//! (their lines). Months are Western Indonesia Time, like statements: a fixed +7 h, as
//! Indonesia keeps no daylight saving time.
//!
//! One query text serves both databases; [`Dialect`] supplies what differs (how a month is
//! named, how parameters are written) and [`load`] binds the same parameters on either.

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

/// The aggregate columns every sales report shows, over rows of [`sales_sql`] named `f`.
pub const SALES_COLUMNS: &str = "\
    CAST(SUM(f.parts) AS BIGINT) AS online_count, \
    CAST(SUM(CASE WHEN f.online = 1 THEN f.idr ELSE 0 END) AS BIGINT) AS online_idr, \
    CAST(SUM(1 - f.online) AS BIGINT) AS hotel_count, \
    CAST(SUM(CASE WHEN f.online = 0 THEN f.idr ELSE 0 END) AS BIGINT) AS hotel_idr";

/// A product's sales over a report's months.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct ProductSales {
    #[diesel(sql_type = Id)]
    pub product_id: DbId,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Id)]
    pub seller_id: DbId,
    #[diesel(sql_type = BigInt)]
    pub units: i64,
    #[diesel(sql_type = BigInt)]
    pub sales_idr: i64,
}

/// The `limit` products that sold for most (ties by id), from `sales` (a [`sales_sql`]).
pub fn top_products_sql(sales: &str, limit: usize) -> String {
    format!(
        "SELECT t.product_id AS product_id, pr.title AS title, pr.seller_id AS seller_id, \
            t.units AS units, t.sales_idr AS sales_idr \
         FROM (SELECT f.product_id AS product_id, CAST(SUM(f.units) AS BIGINT) AS units, \
                CAST(SUM(f.idr) AS BIGINT) AS sales_idr \
               FROM ({sales}) f GROUP BY f.product_id \
               ORDER BY sales_idr DESC, product_id LIMIT {limit}) t \
         JOIN products pr ON pr.id = t.product_id \
         ORDER BY t.sales_idr DESC, t.product_id"
    )
}
