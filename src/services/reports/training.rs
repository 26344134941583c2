//! Whether a training made a difference: its participants' monthly sales against the
//! comparison group (the active sellers of the training's sector who took no training), from
//! `months` before to `months` after the training's month, and what their mentees sold.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Totals, TrainingMark, admins_only, csv_failed, range_of};
use crate::auth::AuthUser;
use crate::charts::{LineChart, Series, Stroke};
use crate::db::reports::training as q;
use crate::db::{self, DbConn, read_snapshot};
use crate::domain::consignment::{Period, day_start};
use crate::domain::report::{MonthRange, median_with_zeros};
use crate::error::{AppError, AppResult};
use crate::services::trainings::{self, Training};
use crate::spreadsheet::CsvTable;

/// The default and the largest `months` either side of the training.
pub const DEFAULT_MONTHS: i32 = 6;
pub const MAX_MONTHS: i32 = 12;

#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq)]
#[schema(example = json!({"month": "2021-03", "participants_total_idr": 5400000,
    "participants_median_idr": 150000, "participants_average_idr": 180000,
    "comparison_total_idr": 3100000, "comparison_median_idr": 0,
    "comparison_average_idr": 62000}))]
pub struct TrainingMonth {
    pub month: String,
    pub participants_total_idr: i64,
    /// Over every participant seller, those who sold nothing included (rounded down).
    pub participants_median_idr: i64,
    /// Total ÷ participant sellers, rounded down.
    pub participants_average_idr: i64,
    pub comparison_total_idr: i64,
    pub comparison_median_idr: i64,
    pub comparison_average_idr: i64,
}

#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq)]
#[schema(example = json!({"count": 4, "sales_idr": 1850000}))]
pub struct Mentees {
    /// Sellers who name a participant as their mentor.
    pub count: i64,
    /// What they sold over the report's months.
    pub sales_idr: i64,
}

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"training": {"id": "01934f6e-f000-7000-8000-000000000001",
    "title": "Pelatihan Electroforming bagi IKM Kota Malang", "sector": "electroforming-jewellery",
    "held_from": "2021-02-22", "held_to": "2021-02-24", "venue": "Hotel Santika Malang",
    "organiser": "Diskopindag Kota Malang", "participants": 30,
    "created_at": "2026-12-02T03:00:00Z", "updated_at": "2026-12-02T03:00:00Z"},
    "from": "2020-08", "to": "2021-08", "participants": 30, "linked_sellers": 22,
    "suggested_links": 3,
    "comparison_sellers": 41, "with_published_product": 18, "with_first_sale": 9,
    "months": [{"month": "2021-03", "participants_total_idr": 5400000,
    "participants_median_idr": 150000, "participants_average_idr": 180000,
    "comparison_total_idr": 3100000, "comparison_median_idr": 0,
    "comparison_average_idr": 62000}], "mentees": {"count": 4, "sales_idr": 1850000}}))]
pub struct TrainingReport {
    pub training: Training,
    pub from: String,
    pub to: String,
    /// People on the participant list.
    pub participants: i64,
    /// Sellers the city office linked them to (named, or confirmed): the participants'
    /// group of every figure below.
    pub linked_sellers: i64,
    /// Participants not linked yet whose WhatsApp number suggests a seller: counted in no
    /// figure until the office confirms (`POST /v1/admin/trainings/{id}/participants/{pid}/link`).
    pub suggested_links: i64,
    /// Active sellers of the training's sector who took no training (a seller whose number
    /// matches a participant not linked yet is left out until the office decides).
    pub comparison_sellers: i64,
    /// Linked sellers with a product listed now.
    pub with_published_product: i64,
    /// Linked sellers who had sold nothing before the training began and have sold since.
    pub with_first_sale: i64,
    pub months: Vec<TrainingMonth>,
    pub mentees: Mentees,
}

/// The report of training `id` (admins).
pub fn report(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    months: i32,
) -> AppResult<TrainingReport> {
    admins_only(caller)?;
    read_snapshot(conn, |conn| {
        let training = trainings::get(conn, caller, id)?;
        let centre = Period::of_date(training.held_from);
        let range = MonthRange::around(centre, months);
        let started = day_start(training.held_from);
        let f = q::figures(conn, id, &training.sector, started, range)?;
        let suggested_links = db::trainings::count_suggestions(conn, id)?;
        // Each member's months summed exactly; every figure must then fit the report.
        let mut per_month: HashMap<(&str, &str), Vec<i128>> = HashMap::new();
        for row in &f.sales {
            per_month
                .entry((row.grp.as_str(), row.month.as_str()))
                .or_default()
                .push(row.sales_idr);
        }
        let sizes = [
            ("p", "participants", f.participant_sellers as usize),
            ("c", "comparison", f.comparison_sellers as usize),
        ];
        let mut totals = Totals::default();
        let mut out = Vec::new();
        for (i, month) in range.months().into_iter().enumerate() {
            let label = month.to_string();
            let mut figures = [(0, 0, 0); 2];
            for (slot, (grp, name, size)) in sizes.iter().enumerate() {
                let values = per_month
                    .get(&(*grp, label.as_str()))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let total: i128 = values.iter().sum();
                let average = if *size == 0 { 0 } else { total / *size as i128 };
                let median = median_with_zeros(values, *size);
                figures[slot] = (
                    totals.fit(total, || format!("months[{i}].{name}_total_idr")),
                    totals.fit(median, || format!("months[{i}].{name}_median_idr")),
                    totals.fit(average, || format!("months[{i}].{name}_average_idr")),
                );
            }
            out.push(TrainingMonth {
                month: label,
                participants_total_idr: figures[0].0,
                participants_median_idr: figures[0].1,
                participants_average_idr: figures[0].2,
                comparison_total_idr: figures[1].0,
                comparison_median_idr: figures[1].1,
                comparison_average_idr: figures[1].2,
            });
        }
        let mentees_sales_idr = totals.fit(f.mentees_sales_idr, || "mentees.sales_idr".to_owned());
        totals.finish()?;
        Ok(TrainingReport {
            participants: training.participants,
            training,
            from: range.from.to_string(),
            to: range.to.to_string(),
            linked_sellers: f.participant_sellers,
            suggested_links,
            comparison_sellers: f.comparison_sellers,
            with_published_product: f.with_published_product,
            with_first_sale: f.with_first_sale,
            months: out,
            mentees: Mentees {
                count: f.mentees,
                sales_idr: mentees_sales_idr,
            },
        })
    })
}

impl TrainingReport {
    /// The figures, then the months.
    pub fn csv(&self) -> AppResult<String> {
        let mut t = CsvTable::sections();
        t.section("Training", ["field", "value"])
            .map_err(csv_failed)?;
        let t_ = &self.training;
        for (field, value) in [
            ("id", t_.id.to_string()),
            ("title", t_.title.clone()),
            ("sector", t_.sector.clone()),
            ("held_from", t_.held_from.to_string()),
            ("held_to", t_.held_to.to_string()),
            ("venue", t_.venue.clone()),
            ("organiser", t_.organiser.clone()),
            ("participants", self.participants.to_string()),
            ("linked_sellers", self.linked_sellers.to_string()),
            ("suggested_links", self.suggested_links.to_string()),
            ("comparison_sellers", self.comparison_sellers.to_string()),
            (
                "with_published_product",
                self.with_published_product.to_string(),
            ),
            ("with_first_sale", self.with_first_sale.to_string()),
            ("mentees", self.mentees.count.to_string()),
            ("mentees_sales_idr", self.mentees.sales_idr.to_string()),
        ] {
            t.row([field.to_owned(), value]).map_err(csv_failed)?;
        }
        t.section(
            "Months",
            [
                "month",
                "participants_total_idr",
                "participants_median_idr",
                "participants_average_idr",
                "comparison_total_idr",
                "comparison_median_idr",
                "comparison_average_idr",
            ],
        )
        .map_err(csv_failed)?;
        for m in &self.months {
            t.row([
                m.month.clone(),
                m.participants_total_idr.to_string(),
                m.participants_median_idr.to_string(),
                m.participants_average_idr.to_string(),
                m.comparison_total_idr.to_string(),
                m.comparison_median_idr.to_string(),
                m.comparison_average_idr.to_string(),
            ])
            .map_err(csv_failed)?;
        }
        t.finish().map_err(AppError::internal)
    }

    /// Per seller, participants against the comparison group: averages solid, medians dashed.
    pub fn chart(&self) -> AppResult<LineChart> {
        let range = range_of(&self.from, &self.to)?;
        let line = |name: &str, colour, stroke, f: &dyn Fn(&TrainingMonth) -> i64| Series {
            name: name.to_owned(),
            values: self.months.iter().map(f).collect(),
            stroke,
            colour,
        };
        let mark = TrainingMark {
            id: self.training.id,
            title: "Pelatihan".to_owned(),
            held_from: self.training.held_from,
        };
        Ok(LineChart {
            title: self.training.title.clone(),
            x_label: "Bulan (WIB)".to_owned(),
            y_label: "Penjualan per penjual per bulan (rupiah)".to_owned(),
            months: range.months(),
            series: vec![
                line(
                    &format!("Peserta ({} penjual): rata-rata", self.linked_sellers),
                    0,
                    Stroke::Solid,
                    &|m| m.participants_average_idr,
                ),
                line("Peserta: median", 0, Stroke::Dashed, &|m| {
                    m.participants_median_idr
                }),
                line(
                    &format!(
                        "Pembanding ({} penjual): rata-rata",
                        self.comparison_sellers
                    ),
                    1,
                    Stroke::Solid,
                    &|m| m.comparison_average_idr,
                ),
                line("Pembanding: median", 1, Stroke::Dashed, &|m| {
                    m.comparison_median_idr
                }),
            ],
            markers: vec![mark.marker()],
        })
    }
}
