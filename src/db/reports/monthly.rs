//! Each seller's sales per month.

use diesel::prelude::*;
use diesel::sql_types::Text;
use uuid::Uuid;

use super::{Param, SalesSums, load, sales_columns, sales_sql};
use crate::db::DbConn;
use crate::db::portable::DbId;
use crate::db::portable::sql_types::Id;
use crate::domain::consignment::Period;

/// One seller's sales in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerMonth {
    pub seller_id: Uuid,
    /// `YYYY-MM` in Western Indonesia Time.
    pub month: String,
    /// Completed order parts.
    pub online_count: i64,
    /// Their items (shipping is the courier's, not a sale); exact, however large.
    pub online_idr: i128,
    /// Hotel sale lines.
    pub hotel_count: i64,
    pub hotel_idr: i128,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Id)]
    seller_id: DbId,
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(embed)]
    sums: SalesSums,
}

/// Every seller's sales per month from `from` to `to` (both included), months without sales
/// left out.
pub fn monthly_sales(conn: &mut DbConn, from: Period, to: Period) -> QueryResult<Vec<SellerMonth>> {
    let rows: Vec<Row> = load(
        conn,
        |d| {
            format!(
                "SELECT f.seller_id AS seller_id, {} AS month, {} \
                 FROM ({}) f GROUP BY f.seller_id, f.month ORDER BY month, seller_id",
                d.month_label("f.month"),
                sales_columns(),
                sales_sql(d, 1, 2, None, true)
            )
        },
        &[Param::Time(from.start()), Param::Time(to.end())],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| SellerMonth {
            seller_id: r.seller_id.0,
            month: r.month,
            online_count: r.sums.online_count,
            online_idr: r.sums.online_idr(),
            hotel_count: r.sums.hotel_count,
            hotel_idr: r.sums.hotel_idr(),
        })
        .collect())
}
