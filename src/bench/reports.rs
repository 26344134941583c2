//! `kriya bench reports`: a city-sized data set (by default 13 000 sellers, 100 000 products,
//! 1 000 000 hotel sale lines and 50 000 completed online orders over 24 months, 50 trainings
//! with 40 participants each) generated in SQL straight into the tables, then each report
//! timed through its service on SQLite and, with `--database-url`, on PostgreSQL.
//!
//! The rows are generated, not recorded through the ledger (a million sales through the
//! services would take hours): they hold what reports read, with the shapes the services
//! write (sale lines of agreements, completed parts with their completion events).

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::RunQueryDsl;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::db::connection::{DbUrl, build_tool_pool, run_migrations};
use crate::db::reports::Dialect;
use crate::domain::account::Role;
use crate::domain::consignment::Period;
use crate::domain::report::MonthRange;
use crate::services::reports::{overview, seller, training};

pub struct Options {
    /// PostgreSQL to run on as well (a scratch schema, dropped afterwards).
    pub database_url: Option<String>,
    pub sellers: i64,
    pub products: i64,
    pub lines: i64,
    pub online: i64,
    pub trainings: i64,
    /// Runs of each report (the median is reported).
    pub repeat: usize,
    /// Keep the generated databases (their locations are printed) for a closer look.
    pub keep: bool,
}

const HOTELS: i64 = 50;
const PARTICIPANTS_PER_TRAINING: i64 = 40;
/// The first instant of the data's 24 months (December 2024, WIB).
const START: &str = "2024-11-30 17:00:00";
/// 730 days.
const SPAN_SECONDS: i64 = 63_072_000;

/// Writes SQL for one backend.
struct Gen {
    d: Dialect,
}

impl Gen {
    fn id(&self, kind: u32, index: &str) -> String {
        match self.d {
            Dialect::Pg => format!(
                "CAST('{kind:08x}-0000-7000-8000-' || lpad(CAST({index} AS TEXT), 12, '0') AS UUID)"
            ),
            Dialect::Sqlite => {
                format!("('{kind:08x}-0000-7000-8000-' || printf('%012d', {index}))")
            }
        }
    }

    /// `START` plus `seconds`.
    fn at(&self, seconds: &str) -> String {
        match self.d {
            Dialect::Pg => {
                format!("(TIMESTAMPTZ '{START}+00' + ({seconds}) * INTERVAL '1 second')")
            }
            Dialect::Sqlite => format!(
                "(strftime('%Y-%m-%dT%H:%M:%S', '{START}', ({seconds}) || ' seconds') || '.000000Z')"
            ),
        }
    }

    fn json(&self, literal: &str) -> String {
        match self.d {
            Dialect::Pg => format!("CAST('{literal}' AS JSONB)"),
            Dialect::Sqlite => format!("'{literal}'"),
        }
    }

    fn padded(&self, expr: &str, width: usize) -> String {
        match self.d {
            Dialect::Pg => format!("lpad(CAST({expr} AS TEXT), {width}, '0')"),
            Dialect::Sqlite => format!("printf('%0{width}d', {expr})"),
        }
    }

    /// A day `months` months and `days` days after 10 December 2024, `YYYY-MM-DD`.
    fn day(&self, months: &str, days: i64) -> String {
        match self.d {
            Dialect::Pg => format!(
                "to_char(DATE '2024-12-10' + ({months}) * INTERVAL '1 month' + INTERVAL '{days} days', 'YYYY-MM-DD')"
            ),
            Dialect::Sqlite => {
                format!("date('2024-12-10', ({months}) || ' months', '+{days} days')")
            }
        }
    }

    /// `INSERT INTO table (columns) SELECT values` for `i` from 1 to `n`.
    fn insert(&self, table: &str, columns: &[(&str, String)], n: i64) -> String {
        let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
        let values: Vec<&str> = columns.iter().map(|(_, v)| v.as_str()).collect();
        let (names, values) = (names.join(", "), values.join(", "));
        match self.d {
            Dialect::Pg => format!(
                "INSERT INTO {table} ({names}) SELECT {values} FROM generate_series(1, {n}) AS g(i)"
            ),
            Dialect::Sqlite => format!(
                "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) \
                 INSERT INTO {table} ({names}) SELECT {values} FROM g"
            ),
        }
    }
}

const SECTORS: &str = "CASE {x} % 5 WHEN 0 THEN 'electroforming-jewellery' WHEN 1 THEN 'batik' \
    WHEN 2 THEN 'fashion' WHEN 3 THEN 'home-decor' ELSE 'other-crafts' END";
const KECAMATAN: &str = "CASE {x} % 6 WHEN 0 THEN 'Blimbing' WHEN 1 THEN 'Klojen' \
    WHEN 2 THEN 'Kedungkandang' WHEN 3 THEN 'Sukun' WHEN 4 THEN 'Lowokwaru' ELSE NULL END";

fn of(template: &str, x: &str) -> String {
    template.replace("{x}", x)
}

/// The statements that fill an empty, migrated database.
fn statements(d: Dialect, o: &Options) -> Vec<String> {
    let g = Gen { d };
    let s = o.sellers;
    let price = |p: &str| format!("(50000 + ({p} % 40) * 25000)");
    let seller_of_line = "(1 + (i * 7) % {S})".replace("{S}", &s.to_string());
    let product_of = |seller: &str, k: &str| format!("({seller} + {s} * ({k} % 7))");
    let whatsapp = |seller: &str| format!("('+62812' || {})", g.padded(seller, 8));
    let t = |x: &str| x.to_owned();
    let mut out = Vec::new();
    // Sellers' accounts, then hotels' (ids after the sellers'), then one buyer.
    out.push(g.insert(
        "users",
        &[
            ("id", g.id(1, "i")),
            ("email", t("'bench-' || i || '@kriya.test'")),
            ("password_hash", t("'-'")),
            ("name", t("'Bench ' || i")),
            (
                "role",
                t(&format!(
                    "CASE WHEN i <= {s} THEN 'seller' WHEN i <= {} THEN 'hotel' ELSE 'buyer' END",
                    s + HOTELS
                )),
            ),
            ("created_at", g.at("0")),
            ("updated_at", g.at("0")),
        ],
        s + HOTELS + 1,
    ));
    out.push(g.insert(
        "sellers",
        &[
            ("id", g.id(2, "i")),
            ("user_id", g.id(1, "i")),
            ("business_name", t("'Usaha ' || i")),
            ("story", t("''")),
            ("sector", of(SECTORS, "i")),
            ("kecamatan", of(KECAMATAN, "i")),
            ("whatsapp", whatsapp("i")),
            (
                "status",
                t("CASE WHEN i % 20 = 0 THEN 'pending' ELSE 'active' END"),
            ),
            ("version", t("1")),
            (
                "created_at",
                g.at(&format!(
                    "-15552000 + (i * 4177) % {}",
                    SPAN_SECONDS + 15_552_000
                )),
            ),
            ("updated_at", g.at("0")),
        ],
        s,
    ));
    // Every fiftieth seller learnt from the one before it.
    out.push(format!(
        "UPDATE sellers SET mentor_seller_id = {} WHERE status = 'active' AND id IN (SELECT {} FROM ({}) m)",
        "(SELECT p.id FROM sellers p WHERE p.id < sellers.id ORDER BY p.id DESC LIMIT 1)",
        g.id(2, "i * 50"),
        match d {
            Dialect::Pg => format!("SELECT i FROM generate_series(1, {}) AS g(i)", s / 50),
            Dialect::Sqlite => format!("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {}) SELECT i FROM g", s / 50),
        },
    ));
    let product_seller = format!("(1 + (i - 1) % {s})");
    out.push(g.insert(
        "products",
        &[
            ("id", g.id(3, "i")),
            ("seller_id", g.id(2, &product_seller)),
            ("title", t("'Produk kriya ' || i")),
            ("description", t("''")),
            ("category", of(SECTORS, &product_seller)),
            ("technique", t("'tangan'")),
            ("materials", g.json("[]")),
            ("price_idr", price("i")),
            ("sku", t("'SKU-' || i")),
            ("weight_grams", t("200")),
            (
                "status",
                t("CASE WHEN i % 10 = 0 THEN 'draft' ELSE 'published' END"),
            ),
            ("version", t("1")),
            ("created_at", g.at("0")),
            ("updated_at", g.at("0")),
            (
                "published_at",
                format!(
                    "CASE WHEN i % 10 = 0 THEN NULL ELSE {} END",
                    g.at(&format!("(i * 3571) % {SPAN_SECONDS}"))
                ),
            ),
        ],
        o.products,
    ));
    out.push(g.insert(
        "product_variants",
        &[
            ("id", g.id(4, "i")),
            ("product_id", g.id(3, "i")),
            ("seller_id", g.id(2, &product_seller)),
            ("sku", t("'SKU-' || i")),
            ("options", g.json("{}")),
            ("position", t("0")),
            ("created_at", g.at("0")),
        ],
        o.products,
    ));
    let hotel_of = |seller: &str| format!("(1 + {seller} % {HOTELS})");
    out.push(g.insert(
        "hotels",
        &[
            ("id", g.id(5, "i")),
            ("user_id", g.id(1, &format!("({s} + i)"))),
            ("name", t("'Hotel ' || i")),
            ("address", t("'Jl. Ijen ' || i")),
            ("kecamatan", t("'Klojen'")),
            ("phri_number", t("'PHRI/' || i")),
            ("contact_name", t("'Dewi'")),
            ("contact_phone", t("'+62341555123'")),
            ("status", t("'active'")),
            ("version", t("1")),
            ("created_at", g.at("0")),
            ("updated_at", g.at("0")),
        ],
        HOTELS,
    ));
    out.push(g.insert(
        "consignment_agreements",
        &[
            ("id", g.id(6, "i")),
            ("seller_id", g.id(2, "i")),
            ("hotel_id", g.id(5, &hotel_of("i"))),
            ("commission_bps", t("2000")),
            ("term_days", t("90")),
            ("status", t("'active'")),
            ("created_at", g.at("-86400")),
            ("accepted_at", g.at("-86400")),
        ],
        s,
    ));
    out.push(g.insert(
        "consignments",
        &[
            ("id", g.id(15, "i")),
            ("agreement_id", g.id(6, "i")),
            ("seller_id", g.id(2, "i")),
            ("hotel_id", g.id(5, &hotel_of("i"))),
            ("status", t("'received'")),
            ("dispatched_at", g.at("-86400")),
            ("received_at", g.at("-43200")),
        ],
        s,
    ));
    out.push(g.insert(
        "shelf_lots",
        &[
            ("id", g.id(16, "i")),
            ("agreement_id", g.id(6, "i")),
            ("hotel_id", g.id(5, &hotel_of("i"))),
            ("seller_id", g.id(2, "i")),
            ("product_id", g.id(3, "i")),
            ("variant_id", g.id(4, "i")),
            ("consignment_id", g.id(15, "i")),
            ("unit_price_idr", price("i")),
            ("quantity_received", t("10")),
            ("quantity_remaining", t("i % 10")),
            ("received_at", g.at("-43200")),
        ],
        s,
    ));
    let line_seller = seller_of_line.clone();
    let line_product = product_of(&line_seller, "i");
    let sold = g.at(&format!("(i * 631) % {SPAN_SECONDS}"));
    out.push(g.insert(
        "hotel_sales",
        &[
            ("id", g.id(7, "i")),
            ("hotel_id", g.id(5, &hotel_of(&line_seller))),
            ("sold_at", sold.clone()),
            (
                "total_idr",
                format!("(1 + i % 3) * {}", price(&line_product)),
            ),
            (
                "recorded_by",
                g.id(1, &format!("({s} + {})", hotel_of(&line_seller))),
            ),
            ("created_at", sold.clone()),
        ],
        o.lines,
    ));
    out.push(g.insert(
        "hotel_sale_lines",
        &[
            ("id", g.id(8, "i")),
            ("sale_id", g.id(7, "i")),
            ("agreement_id", g.id(6, &line_seller)),
            ("product_id", g.id(3, &line_product)),
            ("variant_id", g.id(4, &line_product)),
            ("quantity", t("1 + i % 3")),
            ("unit_price_idr", price(&line_product)),
            ("commission_bps", t("2000")),
            ("sold_at", sold),
        ],
        o.lines,
    ));
    let online_seller = format!("(1 + (i * 11) % {s})");
    let online_product = product_of(&online_seller, "i");
    let done = g.at(&format!("(i * 1237) % {SPAN_SECONDS}"));
    out.push(g.insert(
        "orders",
        &[
            ("id", g.id(9, "i")),
            ("number", t("'BENCH-' || i")),
            ("buyer_id", g.id(1, &(s + HOTELS + 1).to_string())),
            ("recipient", t("'Sri'")),
            ("phone", t("'+6281234567890'")),
            ("address", t("'Jl. Ijen 25'")),
            ("city", t("'Malang'")),
            ("province", t("'Jawa Timur'")),
            ("postal_code", t("'65119'")),
            (
                "created_at",
                g.at(&format!("(i * 1237) % {SPAN_SECONDS} - 604800")),
            ),
        ],
        o.online,
    ));
    out.push(g.insert(
        "order_parts",
        &[
            ("id", g.id(10, "i")),
            ("order_id", g.id(9, "i")),
            ("seller_id", g.id(2, &online_seller)),
            ("status", t("'completed'")),
            ("items_idr", price(&online_product)),
            ("step_at", done.clone()),
            (
                "created_at",
                g.at(&format!("(i * 1237) % {SPAN_SECONDS} - 604800")),
            ),
        ],
        o.online,
    ));
    out.push(g.insert(
        "order_lines",
        &[
            ("id", g.id(11, "i")),
            ("part_id", g.id(10, "i")),
            ("position", t("0")),
            ("product_id", g.id(3, &online_product)),
            ("variant_id", g.id(4, &online_product)),
            ("sku", t("'SKU'")),
            ("title", t("'Produk kriya'")),
            ("options", g.json("{}")),
            ("quantity", t("1")),
            ("unit_price_idr", price(&online_product)),
            ("line_idr", price(&online_product)),
        ],
        o.online,
    ));
    out.push(g.insert(
        "order_part_events",
        &[
            ("id", g.id(12, "i")),
            ("part_id", g.id(10, "i")),
            ("status", t("'completed'")),
            ("actor", t("'system'")),
            ("at", done),
        ],
        o.online,
    ));
    out.push(g.insert(
        "trainings",
        &[
            ("id", g.id(13, "i")),
            ("title", t("'Pelatihan ' || i")),
            ("sector", of(SECTORS, "i")),
            ("held_from", g.day("4 + i % 16", 0)),
            ("held_to", g.day("4 + i % 16", 2)),
            ("venue", t("'Malang'")),
            ("organiser", t("'Diskopindag'")),
            ("version", t("1")),
            ("created_at", g.at("0")),
            ("updated_at", g.at("0")),
        ],
        o.trainings,
    ));
    let participant_seller = format!("(1 + (i * 37) % {s})");
    out.push(g.insert(
        "training_participants",
        &[
            ("id", g.id(14, "i")),
            (
                "training_id",
                g.id(13, &format!("(1 + i % {})", o.trainings)),
            ),
            ("name", t("'Peserta ' || i")),
            (
                "whatsapp",
                format!(
                    "CASE WHEN i % 4 = 3 THEN '+62899' || {} ELSE {} END",
                    g.padded("i", 8),
                    whatsapp(&participant_seller)
                ),
            ),
            (
                "seller_id",
                format!(
                    "CASE WHEN i % 4 = 0 THEN {} ELSE NULL END",
                    g.id(2, &participant_seller)
                ),
            ),
            ("created_at", g.at("0")),
        ],
        o.trainings * PARTICIPANTS_PER_TRAINING,
    ));
    out
}

/// One report, run on a connection; what it found, to show that it found something.
type Case<'a> = Box<dyn FnMut(&mut DbConn) -> anyhow::Result<String> + 'a>;

fn admin() -> AuthUser {
    AuthUser {
        id: Uuid::nil(),
        role: Role::Admin,
    }
}

/// Median and slowest of `repeat` runs of `f`.
fn time(
    repeat: usize,
    mut f: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<(Duration, Duration)> {
    let mut runs = Vec::with_capacity(repeat);
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        f()?;
        runs.push(started.elapsed());
    }
    runs.sort();
    Ok((runs[runs.len() / 2], runs[runs.len() - 1]))
}

fn run_on(conn: &mut DbConn, d: Dialect, label: &str, o: &Options) -> anyhow::Result<()> {
    run_migrations(conn).map_err(anyhow::Error::msg)?;
    let started = Instant::now();
    for sql in statements(d, o) {
        diesel::sql_query(&sql)
            .execute(conn)
            .with_context(|| format!("generating: {}", &sql[..sql.len().min(120)]))?;
    }
    diesel::sql_query("ANALYZE").execute(conn)?;
    println!(
        "{label}: generated {} sellers, {} products, {} hotel sale lines, {} online orders, {} trainings in {:.1} s",
        o.sellers,
        o.products,
        o.lines,
        o.online,
        o.trainings,
        started.elapsed().as_secs_f64()
    );
    let month = |raw: &str| Period::parse(raw).expect("a month");
    let year = MonthRange::new(month("2025-12"), month("2026-11")).map_err(anyhow::Error::msg)?;
    let all = MonthRange::new(month("2024-12"), month("2026-11")).map_err(anyhow::Error::msg)?;
    let busiest = Uuid::parse_str("00000002-0000-7000-8000-000000000001")?;
    let first_training = Uuid::parse_str("0000000d-0000-7000-8000-000000000001")?;
    let caller = admin();
    let mut check = String::new();
    let cases: Vec<(&str, Case<'_>)> = vec![
        (
            "overview, 12 months",
            Box::new(|c: &mut DbConn| {
                let r = overview::overview(c, &caller, year)?;
                Ok(format!(
                    "{} sale lines in the last month",
                    r.months[11].hotel_sales_count
                ))
            }),
        ),
        (
            "overview, 24 months",
            Box::new(|c: &mut DbConn| {
                let r = overview::overview(c, &caller, all)?;
                Ok(format!("{} top products", r.top_products.len()))
            }),
        ),
        (
            "training report, ±6 months",
            Box::new(|c: &mut DbConn| {
                let r = training::report(c, &caller, first_training, 6)?;
                Ok(format!(
                    "{} linked, {} in the comparison group",
                    r.linked_sellers, r.comparison_sellers
                ))
            }),
        ),
        (
            "seller's report, 24 months",
            Box::new(|c: &mut DbConn| {
                let r = seller::report(c, busiest, all)?;
                Ok(format!(
                    "{} sale lines",
                    r.months.iter().map(|m| m.hotel_sales_count).sum::<i64>()
                ))
            }),
        ),
    ];
    for (name, mut case) in cases {
        let (median, slowest) = time(o.repeat, || {
            check = case(conn)?;
            Ok(())
        })?;
        println!(
            "{label}: {name}: median {:.0} ms, slowest {:.0} ms ({check})",
            median.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let dir = tempfile_dir()?;
        let url = DbUrl::parse(&format!("sqlite://{}/bench.db", dir.display()))
            .map_err(anyhow::Error::msg)?;
        let pool = build_tool_pool(&url, 1).map_err(anyhow::Error::msg)?;
        let mut conn = pool.get()?;
        let result = run_on(&mut conn, Dialect::Sqlite, "SQLite", &o);
        drop(conn);
        drop(pool);
        if o.keep {
            println!("SQLite: kept {}/bench.db", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result?;
        if let Some(database_url) = &o.database_url {
            let schema = super::scratch::Schema::create(database_url, "reports")?;
            let url = DbUrl::parse(&schema.url).map_err(anyhow::Error::msg)?;
            let pool = build_tool_pool(&url, 1).map_err(anyhow::Error::msg)?;
            let mut conn = pool.get()?;
            let result = run_on(&mut conn, Dialect::Pg, "PostgreSQL", &o);
            drop(conn);
            drop(pool);
            if o.keep {
                println!("PostgreSQL: kept {}", schema.url);
            } else {
                schema.drop()?;
            }
            result?;
        } else {
            println!("PostgreSQL: not run (pass --database-url postgres://…)");
        }
        Ok(())
    })
    .await?
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("kriya-bench-reports-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
