//! Reports for the city office and for each seller: read on one snapshot of the database,
//! aggregated in SQL (`db::reports`), with sales from the rows statements and orders use.
//! Each report is also a table for spreadsheets (`csv`) and a line chart (`chart`).

pub mod overview;
pub mod seller;
pub mod training;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::charts::Marker;
use crate::db::reports::ProductSales;
use crate::db::trainings::TrainingRow;
use crate::domain::account::Role;
use crate::domain::consignment::Period;
use crate::domain::report::MonthRange;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult};

/// How many products and sellers a "top" list shows.
pub const TOP: usize = 10;

fn admins_only(caller: &AuthUser) -> AppResult<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "city reports are for admins (the city office)".to_owned(),
        ))
    }
}

/// The message of a 422 for a total a report cannot show.
pub const TOTAL_TOO_LARGE: &str =
    "is a total larger than a report can show (at most 9223372036854775807)";

/// A report's totals, summed exactly (as i128) and then fitted into the i64 the report shows:
/// money never wraps, not even in a sum over a city. Every total that does not fit is named
/// (as its place in the report, `months[2].hotel_sales_idr`) in one 422.
#[derive(Default)]
struct Totals(Violations);

impl Totals {
    /// `value` as an i64, or (recording `field`) the nearest one.
    fn fit(&mut self, value: i128, field: impl FnOnce() -> String) -> i64 {
        i64::try_from(value).unwrap_or_else(|_| {
            self.0.add(field(), TOTAL_TOO_LARGE);
            if value < 0 { i64::MIN } else { i64::MAX }
        })
    }

    /// The 422 naming every total that did not fit, if any.
    fn finish(self) -> AppResult<()> {
        self.0.finish()
    }
}

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"product_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a12",
    "title": "Kalung Daun Electroforming", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "units": 12, "sales_idr": 2220000}))]
pub struct TopProduct {
    pub product_id: Uuid,
    pub title: String,
    pub seller_id: Uuid,
    /// Units sold at hotels and online.
    pub units: i64,
    pub sales_idr: i64,
}

impl TopProduct {
    /// The `i`-th of a report's top products.
    fn of(p: ProductSales, i: usize, totals: &mut Totals) -> Self {
        Self {
            product_id: p.product_id.0,
            title: p.title,
            seller_id: p.seller_id.0,
            units: totals.fit(p.units, || format!("top_products[{i}].units")),
            sales_idr: totals.fit(p.sales_idr, || format!("top_products[{i}].sales_idr")),
        }
    }

    fn all(products: Vec<ProductSales>, totals: &mut Totals) -> Vec<Self> {
        products
            .into_iter()
            .enumerate()
            .map(|(i, p)| Self::of(p, i, totals))
            .collect()
    }
}

/// A training shown on a report's chart.
#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"id": "01934f6e-f000-7000-8000-000000000001",
    "title": "Pelatihan Electroforming bagi IKM Kota Malang", "held_from": "2021-02-22"}))]
pub struct TrainingMark {
    pub id: Uuid,
    pub title: String,
    pub held_from: NaiveDate,
}

impl TrainingMark {
    fn of(row: &TrainingRow) -> AppResult<Self> {
        Ok(Self {
            id: row.id,
            title: row.title.clone(),
            held_from: NaiveDate::parse_from_str(&row.held_from, "%Y-%m-%d")
                .map_err(AppError::internal)?,
        })
    }

    fn marker(&self) -> Marker {
        Marker {
            month: Period::of_date(self.held_from),
            label: format!(
                "{} ({} {})",
                self.title,
                self.held_from.format("%-d"),
                Period::of_date(self.held_from).label_id()
            ),
        }
    }
}

/// The months a report covers, read back from its `from` and `to`.
fn range_of(from: &str, to: &str) -> AppResult<MonthRange> {
    let month = |raw: &str| Period::parse(raw).map_err(AppError::internal);
    MonthRange::new(month(from)?, month(to)?).map_err(AppError::internal)
}

fn csv_failed(e: csv::Error) -> AppError {
    AppError::internal(e)
}
