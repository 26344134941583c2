//! A seller's own report: its months online and at each hotel, its best products, and what
//! lies on hotel shelves now.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{TOP, TopProduct, Totals, TrainingMark, csv_failed, range_of};
use crate::charts::{LineChart, Series, Stroke};
use crate::db::reports::seller as q;
use crate::db::{DbConn, read_snapshot, sellers, trainings};
use crate::domain::report::MonthRange;
use crate::domain::seller::SellerStatus;
use crate::error::{AppError, AppResult};
use crate::spreadsheet::CsvTable;

#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq)]
#[schema(example = json!({"hotel_id": "01934f6e-9b00-7000-8000-000000000002",
    "name": "Hotel Tugu Malang", "sales_count": 3, "sales_idr": 555000}))]
pub struct HotelMonth {
    pub hotel_id: Uuid,
    pub name: String,
    /// Sale lines.
    pub sales_count: i64,
    pub sales_idr: i64,
}

#[derive(Serialize, ToSchema, Debug, Clone, PartialEq, Eq, Default)]
#[schema(example = json!({"month": "2021-03", "online_sales_count": 2,
    "online_sales_idr": 370000, "hotel_sales_count": 3, "hotel_sales_idr": 555000,
    "sales_idr": 925000, "hotels": [{"hotel_id": "01934f6e-9b00-7000-8000-000000000002",
    "name": "Hotel Tugu Malang", "sales_count": 3, "sales_idr": 555000}]}))]
pub struct SellerMonth {
    pub month: String,
    /// Order parts completed in the month.
    pub online_sales_count: i64,
    pub online_sales_idr: i64,
    /// Hotel sale lines dated in the month.
    pub hotel_sales_count: i64,
    pub hotel_sales_idr: i64,
    /// Online and hotels together.
    pub sales_idr: i64,
    pub hotels: Vec<HotelMonth>,
}

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"hotel_id": "01934f6e-9b00-7000-8000-000000000002",
    "hotel_name": "Hotel Tugu Malang", "product_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a12",
    "title": "Kalung Daun Electroforming", "variant_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a13",
    "sku": "KDE-01-GOLD", "units": 4, "value_idr": 740000}))]
pub struct ShelfStock {
    pub hotel_id: Uuid,
    pub hotel_name: String,
    pub product_id: Uuid,
    pub title: String,
    pub variant_id: Uuid,
    pub sku: String,
    pub units: i64,
    /// At the consignment price.
    pub value_idr: i64,
}

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "name": "Perak Daun Tlogomas", "from": "2021-01", "to": "2021-06", "months": [{"month": "2021-03",
    "online_sales_count": 2, "online_sales_idr": 370000, "hotel_sales_count": 3,
    "hotel_sales_idr": 555000, "sales_idr": 925000, "hotels": []}], "top_products": [],
    "on_shelves": [], "trainings": []}))]
pub struct SellerReport {
    pub seller_id: Uuid,
    /// The seller's business name.
    pub name: String,
    pub from: String,
    pub to: String,
    pub months: Vec<SellerMonth>,
    /// The seller's products that sold for most over the months (at most 10).
    pub top_products: Vec<TopProduct>,
    /// Units on hotel shelves now, by hotel and variant.
    pub on_shelves: Vec<ShelfStock>,
    /// Trainings that began in these months whose participant the city office linked to
    /// this seller (a matching WhatsApp number alone links nothing); empty while the seller
    /// is not approved (pending or suspended).
    pub trainings: Vec<TrainingMark>,
}

/// The report of the seller `seller_id` over `range` (the caller is that seller).
pub fn report(conn: &mut DbConn, seller_id: Uuid, range: MonthRange) -> AppResult<SellerReport> {
    read_snapshot(conn, |conn| {
        let seller = sellers::find(conn, seller_id)?.ok_or(AppError::NotFound("seller"))?;
        let mut months: Vec<SellerMonth> = range
            .months()
            .iter()
            .map(|m| SellerMonth {
                month: m.to_string(),
                ..SellerMonth::default()
            })
            .collect();
        // Summed exactly, then each total must fit the report.
        let mut sums: Vec<(i128, i128)> = vec![(0, 0); months.len()];
        let mut totals = Totals::default();
        for cell in q::channel_months(conn, seller_id, range)? {
            let Some(i) = months.iter().position(|m| m.month == cell.month) else {
                continue;
            };
            let month = &mut months[i];
            month.online_sales_count += cell.sums.online_count;
            month.hotel_sales_count += cell.sums.hotel_count;
            sums[i].0 += cell.sums.online_idr();
            sums[i].1 += cell.sums.hotel_idr();
            if let (Some(hotel_id), Some(name)) = (cell.hotel_id, cell.hotel_name) {
                let j = month.hotels.len();
                month.hotels.push(HotelMonth {
                    hotel_id: hotel_id.0,
                    name,
                    sales_count: cell.sums.hotel_count,
                    sales_idr: totals.fit(cell.sums.hotel_idr(), || {
                        format!("months[{i}].hotels[{j}].sales_idr")
                    }),
                });
            }
        }
        for (i, (month, (online, hotel))) in months.iter_mut().zip(sums).enumerate() {
            month.online_sales_idr = totals.fit(online, || format!("months[{i}].online_sales_idr"));
            month.hotel_sales_idr = totals.fit(hotel, || format!("months[{i}].hotel_sales_idr"));
            month.sales_idr = totals.fit(online + hotel, || format!("months[{i}].sales_idr"));
        }
        let top_products =
            TopProduct::all(q::top_products(conn, seller_id, range, TOP)?, &mut totals);
        let on_shelves = q::on_shelves(conn, seller_id)?
            .into_iter()
            .enumerate()
            .map(|(i, s)| ShelfStock {
                hotel_id: s.hotel_id.0,
                hotel_name: s.hotel_name,
                product_id: s.product_id.0,
                title: s.title,
                variant_id: s.variant_id.0,
                sku: s.sku,
                units: s.units,
                value_idr: totals.fit(s.value_idr, || format!("on_shelves[{i}].value_idr")),
            })
            .collect();
        totals.finish()?;
        let (first, last) = (range.from.start_date(), range.to.last_date());
        // Only an approved seller is shown what the city office linked to it.
        let linked = if seller.status == SellerStatus::Active.as_str() {
            trainings::of_seller(conn, seller_id)?
        } else {
            Vec::new()
        };
        let trainings = linked
            .iter()
            .map(TrainingMark::of)
            .filter(|t| match t {
                Ok(t) => (first..=last).contains(&t.held_from),
                Err(_) => true,
            })
            .collect::<AppResult<_>>()?;
        Ok(SellerReport {
            seller_id,
            name: seller.business_name,
            from: range.from.to_string(),
            to: range.to.to_string(),
            months,
            top_products,
            on_shelves,
            trainings,
        })
    })
}

impl SellerReport {
    /// Months (one pair of columns per hotel), best products, shelves.
    pub fn csv(&self) -> AppResult<String> {
        let mut hotels: Vec<(Uuid, String)> = self
            .months
            .iter()
            .flat_map(|m| m.hotels.iter().map(|h| (h.hotel_id, h.name.clone())))
            .collect();
        hotels.sort_by(|a, b| (&a.1, a.0).cmp(&(&b.1, b.0)));
        hotels.dedup();
        let mut header: Vec<String> = [
            "month",
            "online_sales_count",
            "online_sales_idr",
            "hotel_sales_count",
            "hotel_sales_idr",
            "sales_idr",
        ]
        .map(String::from)
        .to_vec();
        for (_, name) in &hotels {
            header.push(format!("{name}: sales_count"));
            header.push(format!("{name}: sales_idr"));
        }
        let mut t = CsvTable::sections();
        t.section("Months", &header).map_err(csv_failed)?;
        for m in &self.months {
            let mut row = vec![
                m.month.clone(),
                m.online_sales_count.to_string(),
                m.online_sales_idr.to_string(),
                m.hotel_sales_count.to_string(),
                m.hotel_sales_idr.to_string(),
                m.sales_idr.to_string(),
            ];
            for (id, _) in &hotels {
                let h = m.hotels.iter().find(|h| h.hotel_id == *id);
                row.push(h.map_or(0, |h| h.sales_count).to_string());
                row.push(h.map_or(0, |h| h.sales_idr).to_string());
            }
            t.row(&row).map_err(csv_failed)?;
        }
        t.section(
            "Top products",
            ["product_id", "title", "units", "sales_idr"],
        )
        .map_err(csv_failed)?;
        for p in &self.top_products {
            t.row([
                p.product_id.to_string(),
                p.title.clone(),
                p.units.to_string(),
                p.sales_idr.to_string(),
            ])
            .map_err(csv_failed)?;
        }
        t.section(
            "On shelves",
            ["hotel", "title", "sku", "units", "value_idr"],
        )
        .map_err(csv_failed)?;
        for s in &self.on_shelves {
            t.row([
                s.hotel_name.clone(),
                s.title.clone(),
                s.sku.clone(),
                s.units.to_string(),
                s.value_idr.to_string(),
            ])
            .map_err(csv_failed)?;
        }
        t.finish().map_err(AppError::internal)
    }

    /// Online, hotel and total sales per month, the seller's trainings marked.
    pub fn chart(&self) -> AppResult<LineChart> {
        let range = range_of(&self.from, &self.to)?;
        let line = |name: &str, colour, stroke, f: &dyn Fn(&SellerMonth) -> i64| Series {
            name: name.to_owned(),
            values: self.months.iter().map(f).collect(),
            stroke,
            colour,
        };
        Ok(LineChart {
            title: format!("Penjualan {}", self.name),
            x_label: "Bulan (WIB)".to_owned(),
            y_label: "Penjualan per bulan (rupiah)".to_owned(),
            months: range.months(),
            series: vec![
                line("Jumlah", 2, Stroke::Dashed, &|m| m.sales_idr),
                line("Hotel mitra", 0, Stroke::Solid, &|m| m.hotel_sales_idr),
                line("Online", 1, Stroke::Solid, &|m| m.online_sales_idr),
            ],
            markers: self.trainings.iter().map(TrainingMark::marker).collect(),
        })
    }
}
