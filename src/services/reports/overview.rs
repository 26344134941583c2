//! The city's overview: per month, how many makers sell and what they sell, by sector and by
//! kecamatan; the products and sellers that sold most.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{TOP, TopProduct, Totals, TrainingMark, admins_only, csv_failed, range_of};
use crate::auth::AuthUser;
use crate::charts::{LineChart, Series, Stroke};
use crate::db::reports::overview as q;
use crate::db::{DbConn, read_snapshot, trainings};
use crate::domain::report::MonthRange;
use crate::error::{AppError, AppResult};
use crate::spreadsheet::CsvTable;

/// The key of sellers who have not said their sector or kecamatan.
pub const UNSPECIFIED: &str = "unspecified";

#[derive(Serialize, ToSchema, Debug, Clone, Default, PartialEq, Eq)]
#[schema(example = json!({"active_sellers": 12, "sales_idr": 4500000}))]
pub struct GroupFigures {
    /// Active sellers registered by the month's end.
    pub active_sellers: i64,
    /// Online and hotel sales together.
    pub sales_idr: i64,
}

#[derive(Serialize, ToSchema, Debug, Clone, Default, PartialEq, Eq)]
#[schema(example = json!({"month": "2021-03", "active_sellers": 30, "new_sellers": 4,
    "published_listings": 120, "online_sales_count": 6, "online_sales_idr": 1110000,
    "hotel_sales_count": 14, "hotel_sales_idr": 2590000,
    "by_sector": {"electroforming-jewellery": {"active_sellers": 12, "sales_idr": 3000000}},
    "by_kecamatan": {"Lowokwaru": {"active_sellers": 9, "sales_idr": 1700000}}}))]
pub struct OverviewMonth {
    /// `YYYY-MM`, Western Indonesia Time.
    pub month: String,
    /// Sellers registered by the month's end whose accounts are active now.
    pub active_sellers: i64,
    /// Sellers who registered in the month (any status).
    pub new_sellers: i64,
    /// Products published by the month's end that are still listed now.
    pub published_listings: i64,
    /// Order parts completed in the month.
    pub online_sales_count: i64,
    pub online_sales_idr: i64,
    /// Hotel sale lines dated in the month.
    pub hotel_sales_count: i64,
    pub hotel_sales_idr: i64,
    /// By the sellers' sector (a category slug; `unspecified` when not given).
    pub by_sector: BTreeMap<String, GroupFigures>,
    /// By the sellers' kecamatan (`unspecified` when not given).
    pub by_kecamatan: BTreeMap<String, GroupFigures>,
}

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "name": "Perak Daun Tlogomas", "sales_idr": 9800000}))]
pub struct TopSeller {
    pub seller_id: Uuid,
    pub name: String,
    pub sales_idr: i64,
}

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"from": "2021-01", "to": "2021-03", "months": [{"month": "2021-03",
    "active_sellers": 30, "new_sellers": 4, "published_listings": 120, "online_sales_count": 6,
    "online_sales_idr": 1110000, "hotel_sales_count": 14, "hotel_sales_idr": 2590000,
    "by_sector": {"electroforming-jewellery": {"active_sellers": 12, "sales_idr": 3000000}},
    "by_kecamatan": {"Lowokwaru": {"active_sellers": 9, "sales_idr": 1700000}}}],
    "top_products": [], "top_sellers": [], "trainings": []}))]
pub struct Overview {
    pub from: String,
    pub to: String,
    pub months: Vec<OverviewMonth>,
    /// The products that sold for most over the months (at most 10).
    pub top_products: Vec<TopProduct>,
    /// The sellers who sold for most over the months (at most 10).
    pub top_sellers: Vec<TopSeller>,
    /// Trainings that began in these months (marked on the chart).
    pub trainings: Vec<TrainingMark>,
}

fn key(value: Option<String>) -> String {
    value.unwrap_or_else(|| UNSPECIFIED.to_owned())
}

/// The overview of `range` (admins).
pub fn overview(conn: &mut DbConn, caller: &AuthUser, range: MonthRange) -> AppResult<Overview> {
    admins_only(caller)?;
    read_snapshot(conn, |conn| build(conn, range))
}

fn build(conn: &mut DbConn, range: MonthRange) -> AppResult<Overview> {
    let months = range.months();
    let mut out: Vec<OverviewMonth> = months
        .iter()
        .map(|m| OverviewMonth {
            month: m.to_string(),
            ..OverviewMonth::default()
        })
        .collect();
    let index = |month: &str| out_index(&months, month);

    // Sellers: those registered before the range count from the first month on.
    for cell in q::seller_cells(conn, range)? {
        let first = match &cell.month {
            None => 0,
            Some(m) => match index(m) {
                Some(i) => {
                    out[i].new_sellers += cell.registered;
                    i
                }
                None => continue,
            },
        };
        let (sector, kecamatan) = (key(cell.sector), key(cell.kecamatan));
        for month in &mut out[first..] {
            month.active_sellers += cell.active;
            month
                .by_sector
                .entry(sector.clone())
                .or_default()
                .active_sellers += cell.active;
            month
                .by_kecamatan
                .entry(kecamatan.clone())
                .or_default()
                .active_sellers += cell.active;
        }
    }
    for cell in q::listing_cells(conn, range)? {
        let first = match &cell.month {
            None => 0,
            Some(m) => match index(m) {
                Some(i) => i,
                None => continue,
            },
        };
        for month in &mut out[first..] {
            month.published_listings += cell.listings;
        }
    }
    // Sales are summed exactly, then each total must fit the report.
    #[derive(Default)]
    struct Sums {
        online: i128,
        hotel: i128,
        by_sector: BTreeMap<String, i128>,
        by_kecamatan: BTreeMap<String, i128>,
    }
    let mut sums: Vec<Sums> = months.iter().map(|_| Sums::default()).collect();
    for cell in q::sales_cells(conn, range)? {
        let Some(i) = index(&cell.month) else {
            continue;
        };
        let (month, sum) = (&mut out[i], &mut sums[i]);
        let (online, hotel) = (cell.sums.online_idr(), cell.sums.hotel_idr());
        month.online_sales_count += cell.sums.online_count;
        month.hotel_sales_count += cell.sums.hotel_count;
        sum.online += online;
        sum.hotel += hotel;
        let (sector, kecamatan) = (key(cell.sector), key(cell.kecamatan));
        month.by_sector.entry(sector.clone()).or_default();
        month.by_kecamatan.entry(kecamatan.clone()).or_default();
        *sum.by_sector.entry(sector).or_default() += online + hotel;
        *sum.by_kecamatan.entry(kecamatan).or_default() += online + hotel;
    }
    let mut totals = Totals::default();
    for (i, (month, sum)) in out.iter_mut().zip(sums).enumerate() {
        month.online_sales_idr = totals.fit(sum.online, || format!("months[{i}].online_sales_idr"));
        month.hotel_sales_idr = totals.fit(sum.hotel, || format!("months[{i}].hotel_sales_idr"));
        for (kind, groups, sums) in [
            ("by_sector", &mut month.by_sector, sum.by_sector),
            ("by_kecamatan", &mut month.by_kecamatan, sum.by_kecamatan),
        ] {
            for (k, total) in sums {
                groups.entry(k.clone()).or_default().sales_idr =
                    totals.fit(total, || format!("months[{i}].{kind}.{k}.sales_idr"));
            }
        }
    }
    let top_products = TopProduct::all(q::top_products(conn, range, TOP)?, &mut totals);
    let top_sellers = q::top_sellers(conn, range, TOP)?
        .into_iter()
        .enumerate()
        .map(|(i, s)| TopSeller {
            seller_id: s.seller_id.0,
            name: s.name,
            sales_idr: totals.fit(s.sales_idr, || format!("top_sellers[{i}].sales_idr")),
        })
        .collect();
    totals.finish()?;
    let first_day = range.from.start_date().to_string();
    let last_day = range.to.last_date().to_string();
    let trainings = trainings::begun_between(conn, &first_day, &last_day)?
        .iter()
        .map(TrainingMark::of)
        .collect::<AppResult<_>>()?;
    Ok(Overview {
        from: range.from.to_string(),
        to: range.to.to_string(),
        months: out,
        top_products,
        top_sellers,
        trainings,
    })
}

fn out_index(months: &[crate::domain::consignment::Period], month: &str) -> Option<usize> {
    months.iter().position(|m| m.to_string() == month)
}

impl Overview {
    /// Sectors and kecamatan that appear in any month, in order.
    fn keys(&self, of: impl Fn(&OverviewMonth) -> Vec<String>) -> Vec<String> {
        let mut keys: Vec<String> = self.months.iter().flat_map(of).collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Months (one column per sector and kecamatan figure), then the top products and sellers.
    pub fn csv(&self) -> AppResult<String> {
        let sectors = self.keys(|m| m.by_sector.keys().cloned().collect());
        let kecamatan = self.keys(|m| m.by_kecamatan.keys().cloned().collect());
        let mut header: Vec<String> = [
            "month",
            "active_sellers",
            "new_sellers",
            "published_listings",
            "online_sales_count",
            "online_sales_idr",
            "hotel_sales_count",
            "hotel_sales_idr",
        ]
        .map(String::from)
        .to_vec();
        for (kind, keys) in [("sector", &sectors), ("kecamatan", &kecamatan)] {
            for k in keys {
                header.push(format!("{kind}:{k}:active_sellers"));
                header.push(format!("{kind}:{k}:sales_idr"));
            }
        }
        let mut t = CsvTable::sections();
        t.section("Months", &header).map_err(csv_failed)?;
        for m in &self.months {
            let mut row = vec![
                m.month.clone(),
                m.active_sellers.to_string(),
                m.new_sellers.to_string(),
                m.published_listings.to_string(),
                m.online_sales_count.to_string(),
                m.online_sales_idr.to_string(),
                m.hotel_sales_count.to_string(),
                m.hotel_sales_idr.to_string(),
            ];
            for (groups, keys) in [(&m.by_sector, &sectors), (&m.by_kecamatan, &kecamatan)] {
                for k in keys {
                    let g = groups.get(k).cloned().unwrap_or_default();
                    row.push(g.active_sellers.to_string());
                    row.push(g.sales_idr.to_string());
                }
            }
            t.row(&row).map_err(csv_failed)?;
        }
        t.section(
            "Top products",
            ["product_id", "title", "seller_id", "units", "sales_idr"],
        )
        .map_err(csv_failed)?;
        for p in &self.top_products {
            t.row([
                p.product_id.to_string(),
                p.title.clone(),
                p.seller_id.to_string(),
                p.units.to_string(),
                p.sales_idr.to_string(),
            ])
            .map_err(csv_failed)?;
        }
        t.section("Top sellers", ["seller_id", "name", "sales_idr"])
            .map_err(csv_failed)?;
        for s in &self.top_sellers {
            t.row([
                s.seller_id.to_string(),
                s.name.clone(),
                s.sales_idr.to_string(),
            ])
            .map_err(csv_failed)?;
        }
        t.finish().map_err(AppError::internal)
    }

    /// Online and hotel sales per month, trainings marked.
    pub fn chart(&self) -> AppResult<LineChart> {
        let range = range_of(&self.from, &self.to)?;
        let line = |name: &str, colour, stroke, f: &dyn Fn(&OverviewMonth) -> i64| Series {
            name: name.to_owned(),
            values: self.months.iter().map(f).collect(),
            stroke,
            colour,
        };
        Ok(LineChart {
            title: format!(
                "Penjualan IKM Kota Malang, {} – {}",
                range.from.label_id(),
                range.to.label_id()
            ),
            x_label: "Bulan (WIB)".to_owned(),
            y_label: "Penjualan per bulan (rupiah)".to_owned(),
            months: range.months(),
            series: vec![
                line("Jumlah", 2, Stroke::Dashed, &|m| {
                    m.hotel_sales_idr.saturating_add(m.online_sales_idr)
                }),
                line("Hotel mitra PHRI", 0, Stroke::Solid, &|m| m.hotel_sales_idr),
                line("Pesanan online", 1, Stroke::Solid, &|m| m.online_sales_idr),
            ],
            markers: self.trainings.iter().map(TrainingMark::marker).collect(),
        })
    }
}
