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
use crate::domain::money::TOO_LARGE;
use crate::domain::report::MonthRange;
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

/// `a + b`, or a 422: money never wraps, not even in a sum over a city.
fn add(a: i64, b: i64) -> AppResult<i64> {
    a.checked_add(b)
        .ok_or_else(|| AppError::invalid("to", TOO_LARGE))
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

impl From<ProductSales> for TopProduct {
    fn from(p: ProductSales) -> Self {
        Self {
            product_id: p.product_id.0,
            title: p.title,
            seller_id: p.seller_id.0,
            units: p.units,
            sales_idr: p.sales_idr,
        }
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
