//! The figures reports are made of, aggregated in SQL: sales per seller and month (Western
//! Indonesia Time, like statements) from the rows statements and orders use: hotel sale lines
//! by `sold_at`, completed order parts by the time they completed.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use uuid::Uuid;

use super::DbConn;
use super::portable::sql_types::{Id, Instant};
use super::portable::{DbId, DbTime};
use crate::domain::consignment::Period;

/// One seller's sales in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerMonth {
    pub seller_id: Uuid,
    /// `YYYY-MM` in Western Indonesia Time.
    pub month: String,
    /// Completed order parts.
    pub online_count: i64,
    /// Their items (shipping is the courier's, not a sale).
    pub online_idr: i64,
    /// Hotel sale lines.
    pub hotel_count: i64,
    pub hotel_idr: i64,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Id)]
    seller_id: DbId,
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    online_count: i64,
    #[diesel(sql_type = BigInt)]
    online_idr: i64,
    #[diesel(sql_type = BigInt)]
    hotel_count: i64,
    #[diesel(sql_type = BigInt)]
    hotel_idr: i64,
}

/// The same query for both databases, but for how a month is named in WIB (a fixed +7 h:
/// Indonesia keeps no daylight saving time).
fn monthly_sql(month_of: impl Fn(&str) -> String, p1: &str, p2: &str) -> String {
    let (sold, done) = (month_of("l.sold_at"), month_of("e.at"));
    format!(
        "SELECT seller_id, month, \
            CAST(SUM(online_count) AS BIGINT) AS online_count, \
            CAST(SUM(online_idr) AS BIGINT) AS online_idr, \
            CAST(SUM(hotel_count) AS BIGINT) AS hotel_count, \
            CAST(SUM(hotel_idr) AS BIGINT) AS hotel_idr \
         FROM ( \
            SELECT a.seller_id AS seller_id, {sold} AS month, \
                CAST(0 AS BIGINT) AS online_count, CAST(0 AS BIGINT) AS online_idr, \
                CAST(COUNT(*) AS BIGINT) AS hotel_count, \
                CAST(SUM(l.quantity * l.unit_price_idr) AS BIGINT) AS hotel_idr \
            FROM hotel_sale_lines l JOIN consignment_agreements a ON a.id = l.agreement_id \
            WHERE l.sold_at >= {p1} AND l.sold_at < {p2} \
            GROUP BY a.seller_id, {sold} \
            UNION ALL \
            SELECT p.seller_id, {done}, CAST(COUNT(*) AS BIGINT), \
                CAST(SUM(p.items_idr) AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT) \
            FROM order_parts p \
            JOIN order_part_events e ON e.part_id = p.id AND e.status = 'completed' \
            WHERE p.status = 'completed' AND e.at >= {p1} AND e.at < {p2} \
            GROUP BY p.seller_id, {done} \
         ) t \
         GROUP BY seller_id, month \
         ORDER BY month, seller_id"
    )
}

/// Every seller's sales per month from `from` to `to` (both included), months without sales
/// left out.
pub fn monthly_sales(conn: &mut DbConn, from: Period, to: Period) -> QueryResult<Vec<SellerMonth>> {
    let (start, end) = (DbTime(from.start()), DbTime(to.end()));
    let rows: Vec<Row> = match conn {
        DbConn::Pg(c) => {
            let sql = monthly_sql(
                |col| {
                    format!("to_char(({col} AT TIME ZONE 'UTC') + INTERVAL '7 hours', 'YYYY-MM')")
                },
                "$1",
                "$2",
            );
            diesel::sql_query(sql)
                .bind::<Instant, _>(start)
                .bind::<Instant, _>(end)
                .load(c)?
        }
        DbConn::Sqlite(c) => {
            let sql = monthly_sql(
                |col| format!("strftime('%Y-%m', {col}, '+7 hours')"),
                "?1",
                "?2",
            );
            diesel::sql_query(sql)
                .bind::<Instant, _>(start)
                .bind::<Instant, _>(end)
                .load(c)?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| SellerMonth {
            seller_id: r.seller_id.0,
            month: r.month,
            online_count: r.online_count,
            online_idr: r.online_idr,
            hotel_count: r.hotel_count,
            hotel_idr: r.hotel_idr,
        })
        .collect())
}
