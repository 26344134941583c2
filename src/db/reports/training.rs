//! A training's participants against the comparison group: the active sellers of the
//! training's sector who took no training at all.
//!
//! A participant counts as the seller the city office linked it to (named when added, or
//! confirmed). A seller whose WhatsApp number merely matches a participant not linked yet (and
//! not turned down for it) is in neither group until the office decides.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use uuid::Uuid;

use super::{Dialect, Param, exact, exact_sum, load, sales_sql};
use crate::db::DbConn;
use crate::db::portable::DbId;
use crate::db::portable::sql_types::Id;
use crate::domain::report::MonthRange;

/// The group a seller is in: `p` for the training's participants, `c` for the comparison.
const MEMBERS: &str = "\
    SELECT DISTINCT 'p' AS grp, tp.seller_id AS id \
    FROM training_participants tp \
    WHERE tp.training_id = {training} AND tp.seller_id IS NOT NULL \
    UNION ALL \
    SELECT 'c', s.id FROM sellers s \
    WHERE s.status = 'active' AND s.sector = {sector} \
      AND NOT EXISTS (SELECT 1 FROM training_participants tp WHERE tp.seller_id = s.id) \
      AND (s.whatsapp IS NULL OR NOT EXISTS ( \
            SELECT 1 FROM training_participants tp \
            WHERE tp.seller_id IS NULL AND tp.whatsapp = s.whatsapp \
              AND (tp.rejected_seller_id IS NULL OR tp.rejected_seller_id <> s.id)))";

/// `WITH members AS (…)`: parameters `training` and `sector`.
fn with_members(d: Dialect, training: usize, sector: usize) -> String {
    format!(
        "WITH members AS ({})",
        MEMBERS
            .replace("{training}", &d.param(training))
            .replace("{sector}", &d.param(sector))
    )
}

/// What a training's report is computed from.
pub struct TrainingFigures {
    /// Sellers the city office linked to the training's participants.
    pub participant_sellers: i64,
    pub comparison_sellers: i64,
    pub with_published_product: i64,
    pub with_first_sale: i64,
    /// Each group member's sales per month, members without sales left out.
    pub sales: Vec<MemberMonth>,
    pub mentees: i64,
    pub mentees_sales_idr: i128,
}

#[derive(Debug, Clone)]
pub struct MemberMonth {
    /// `p` or `c`.
    pub grp: String,
    pub seller_id: DbId,
    pub month: String,
    pub sales_idr: i128,
}

#[derive(QueryableByName)]
struct MemberMonthRow {
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = Id)]
    seller_id: DbId,
    #[diesel(sql_type = Text)]
    month: String,
    #[diesel(sql_type = BigInt)]
    sales_idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    sales_idr_lo: i64,
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    participant_sellers: i64,
    #[diesel(sql_type = BigInt)]
    comparison_sellers: i64,
    #[diesel(sql_type = BigInt)]
    with_published_product: i64,
    #[diesel(sql_type = BigInt)]
    with_first_sale: i64,
    #[diesel(sql_type = BigInt)]
    mentees: i64,
}

#[derive(QueryableByName)]
struct Amount {
    #[diesel(sql_type = BigInt)]
    idr_hi: i64,
    #[diesel(sql_type = BigInt)]
    idr_lo: i64,
}

/// Whether seller `col` sold anything at a hotel or online before parameter `before`.
fn sold_before(col: &str, before: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM hotel_sale_lines l \
                  JOIN consignment_agreements a ON a.id = l.agreement_id \
                  WHERE a.seller_id = {col} AND l.sold_at < {before}) \
          OR EXISTS (SELECT 1 FROM order_parts p \
                  JOIN order_part_events e ON e.part_id = p.id AND e.status = 'completed' \
                  WHERE p.seller_id = {col} AND p.status = 'completed' AND e.at < {before}))"
    )
}

/// The figures of `training` (of `sector`, begun at `started`) over `range`.
pub fn figures(
    conn: &mut DbConn,
    training: Uuid,
    sector: &str,
    started: chrono::DateTime<chrono::Utc>,
    range: MonthRange,
) -> QueryResult<TrainingFigures> {
    let members = [Param::Id(training), Param::Text(sector.to_owned())];
    let counts: Vec<Counts> = load(
        conn,
        |d| {
            let never = "'9999-12-31T00:00:00Z'";
            let never = match d {
                Dialect::Pg => format!("CAST({never} AS TIMESTAMPTZ)"),
                Dialect::Sqlite => never.to_owned(),
            };
            let started = d.param(3);
            format!(
                "{} SELECT \
                   (SELECT COUNT(*) FROM members WHERE grp = 'p') AS participant_sellers, \
                   (SELECT COUNT(*) FROM members WHERE grp = 'c') AS comparison_sellers, \
                   (SELECT COUNT(*) FROM members m WHERE m.grp = 'p' AND EXISTS ( \
                      SELECT 1 FROM products pr \
                      WHERE pr.seller_id = m.id AND pr.status = 'published')) \
                     AS with_published_product, \
                   (SELECT COUNT(*) FROM members m WHERE m.grp = 'p' \
                      AND NOT {} AND {}) AS with_first_sale, \
                   (SELECT COUNT(*) FROM sellers s WHERE s.mentor_seller_id IN \
                      (SELECT id FROM members WHERE grp = 'p')) AS mentees",
                with_members(d, 1, 2),
                sold_before("m.id", &started),
                sold_before("m.id", &never),
            )
        },
        &[members[0].clone(), members[1].clone(), Param::Time(started)],
    )?;
    let counts = counts.into_iter().next().expect("one row of counts");
    let range_params = [
        members[0].clone(),
        members[1].clone(),
        Param::Time(range.from.start()),
        Param::Time(range.to.end()),
    ];
    let sales: Vec<MemberMonthRow> = load(
        conn,
        |d| {
            format!(
                "{} SELECT m.grp AS grp, f.seller_id AS seller_id, {} AS month, {} \
                 FROM ({}) f JOIN members m ON m.id = f.seller_id \
                 GROUP BY m.grp, f.seller_id, f.month",
                with_members(d, 1, 2),
                d.month_label("f.month"),
                exact_sum("f.idr", "sales_idr"),
                sales_sql(d, 3, 4, Some("IN (SELECT id FROM members)"), true)
            )
        },
        &range_params,
    )?;
    let sales = sales
        .into_iter()
        .map(|r| MemberMonth {
            grp: r.grp,
            seller_id: r.seller_id,
            month: r.month,
            sales_idr: exact(r.sales_idr_hi, r.sales_idr_lo),
        })
        .collect();
    let mentees: Vec<Amount> = load(
        conn,
        |d| {
            format!(
                "{} SELECT {} FROM ({}) f \
                 JOIN sellers s ON s.id = f.seller_id \
                 WHERE s.mentor_seller_id IN (SELECT id FROM members WHERE grp = 'p')",
                with_members(d, 1, 2),
                exact_sum("f.idr", "idr"),
                sales_sql(
                    d,
                    3,
                    4,
                    Some(
                        "IN (SELECT s.id FROM sellers s WHERE s.mentor_seller_id IN \
                         (SELECT id FROM members WHERE grp = 'p'))"
                    ),
                    false
                )
            )
        },
        &range_params,
    )?;
    Ok(TrainingFigures {
        participant_sellers: counts.participant_sellers,
        comparison_sellers: counts.comparison_sellers,
        with_published_product: counts.with_published_product,
        with_first_sale: counts.with_first_sale,
        sales,
        mentees: counts.mentees,
        mentees_sales_idr: mentees
            .into_iter()
            .next()
            .map_or(0, |a| exact(a.idr_hi, a.idr_lo)),
    })
}
