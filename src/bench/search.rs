//! `kriya bench search`: N generated products written through the database layer the API
//! uses (rows plus outbox rows, in transactions of 500), drained into the embedded index
//! (or a Meilisearch index of the run's own) by the server's own worker; then a fixed query mix is timed in-process and over HTTP,
//! and the delay from a committed edit to its being searchable.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use uuid::Uuid;

use super::percentile_ms;
use crate::app::Application;
use crate::config::RawConfig;
use crate::db::images::ImageRow;
use crate::db::portable::DbTime;
use crate::db::products::{ProductChanges, ProductRow};
use crate::db::variants::VariantRow;
use crate::db::{DbConn, Pool, Tx, write_tx};
use crate::domain::account::Role;
use crate::domain::seller::KECAMATAN;
use crate::domain::{new_id, now};
use crate::search::text::QueryWords;
use crate::search::{Filters, SearchQuery, SharedIndex, Sort};

pub struct Options {
    pub products: usize,
    pub queries: usize,
    pub data_dir: Option<PathBuf>,
    /// Meilisearch's URL and key, to bench it instead of the embedded index.
    pub meili: Option<(String, Option<String>)>,
}

const SELLERS: usize = 60;
const LOAD_BATCH: usize = 500;

const ITEMS: [(&str, &str, &str); 10] = [
    ("Kalung", "necklace", "electroforming-jewellery"),
    ("Gelang", "bracelet", "electroforming-jewellery"),
    ("Anting", "earrings", "electroforming-jewellery"),
    ("Cincin", "ring", "electroforming-jewellery"),
    ("Bros", "brooch", "electroforming-jewellery"),
    ("Kain Batik", "batik fabric", "batik"),
    ("Selendang", "scarf", "batik"),
    ("Kemeja", "shirt", "fashion"),
    ("Tas", "bag", "fashion"),
    ("Hiasan Dinding", "wall ornament", "home-decor"),
];
const MOTIFS: [(&str, &str); 10] = [
    ("Daun Jati", "teak leaf"),
    ("Bunga Teratai", "lotus flower"),
    ("Malangan", "Malang motif"),
    ("Topeng", "mask"),
    ("Kawung", "kawung"),
    ("Parang", "parang"),
    ("Sekar Jagad", "sekar jagad"),
    ("Tugu", "Tugu monument"),
    ("Apel", "apple"),
    ("Singa", "lion"),
];
const TECHNIQUES: [&str; 6] = [
    "electroforming",
    "tulis",
    "cap",
    "jumputan",
    "anyaman",
    "jahit",
];
const MATERIALS: [&str; 8] = [
    "tembaga", "perak", "kuningan", "katun", "sutra", "kulit", "kayu", "resin",
];

/// The fixed query mix: (what is typed, filters, sort).
fn query_mix(base: &Filters) -> Vec<SearchQuery> {
    let q = |text: &str, f: Filters, sort: Sort| SearchQuery {
        text: QueryWords::parse(text),
        filters: f,
        sort,
        page: 1,
        per_page: 20,
    };
    let none = || base.clone();
    vec![
        q("kalung", none(), Sort::Relevance),
        q("batk", none(), Sort::Relevance),
        q("kal", none(), Sort::Relevance),
        q("necklace daun", none(), Sort::Relevance),
        q("selendang sutra", none(), Sort::PriceAsc),
        q("", none(), Sort::Newest),
        q(
            "",
            Filters {
                category: Some("batik".into()),
                ..none()
            },
            Sort::PriceDesc,
        ),
        q(
            "gelang",
            Filters {
                kecamatan: Some("Klojen".into()),
                min_price_idr: Some(100_000),
                max_price_idr: Some(500_000),
                ..none()
            },
            Sort::Relevance,
        ),
        q(
            "tas kulit",
            Filters {
                material: Some("kulit".into()),
                ..none()
            },
            Sort::Relevance,
        ),
        q("bunga teratai tembaga", none(), Sort::Relevance),
    ]
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let scratch = tempfile_dir(options.data_dir.clone())?;
    let mut raw = RawConfig::from_vars(&Default::default())?;
    raw.set("bind", "127.0.0.1:0");
    raw.set("data_dir", scratch.to_string_lossy());
    raw.set("workers", "2");
    let meili_index = format!("kriya_bench_{}", Uuid::now_v7().simple());
    if let Some((url, key)) = &options.meili {
        raw.set("meili_url", url.clone());
        raw.set("meili_index", meili_index.clone());
        if let Some(key) = key {
            raw.set("meili_key", key.clone());
        }
    }
    let config = raw.build()?;
    let pool = crate::app::open_tool_database(&config)?;

    println!(
        "loading {} products from {SELLERS} sellers into {}",
        options.products,
        scratch.display()
    );
    let started = Instant::now();
    let p = pool.clone();
    let n = options.products;
    tokio::task::spawn_blocking(move || load(&p, n)).await??;
    let load_time = started.elapsed();
    println!(
        "written (rows + outbox): {:.1} s, {:.0} products/s",
        load_time.as_secs_f64(),
        n as f64 / load_time.as_secs_f64()
    );

    let started = Instant::now();
    let app = Application::build(&config)?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let index = app.search_index();
    println!("search engine: {}", index.name());
    tokio::spawn(app.run_until_stopped());
    wait_until_drained(&pool, &index, n as u64).await?;
    let index_time = started.elapsed();
    println!(
        "indexed through the outbox: {:.1} s, {:.0} products/s",
        index_time.as_secs_f64(),
        n as f64 / index_time.as_secs_f64()
    );

    let mix = query_mix(&Filters::default());
    for q in &mix {
        let found = index.search(q).await?; // warm-up, and a look at what the mix finds
        println!("  /v1/search?{} → {} hits", query_string(q), found.total);
    }
    let mut samples = Vec::with_capacity(options.queries);
    for i in 0..options.queries {
        let q = &mix[i % mix.len()];
        let t = Instant::now();
        let found = index.search(q).await?;
        samples.push(t.elapsed());
        std::hint::black_box(found);
    }
    for (k, q) in mix.iter().enumerate() {
        let mut own: Vec<Duration> = samples.iter().skip(k).step_by(mix.len()).copied().collect();
        report(&format!("  /v1/search?{}", query_string(q)), &mut own);
    }
    report("in-process search", &mut samples);

    let client = reqwest::Client::new();
    let urls: Vec<String> = mix
        .iter()
        .map(|q| format!("{base}/v1/search?{}", query_string(q)))
        .collect();
    let mut samples = Vec::with_capacity(options.queries);
    for i in 0..options.queries {
        let t = Instant::now();
        let res = client.get(&urls[i % urls.len()]).send().await?;
        anyhow::ensure!(
            res.status().is_success(),
            "search answered {}",
            res.status()
        );
        let _ = res.bytes().await?;
        samples.push(t.elapsed());
    }
    report("HTTP GET /v1/search", &mut samples);

    let mut delays = Vec::new();
    for i in 0..20 {
        let word = format!("segar{}", Uuid::now_v7().simple());
        let p = pool.clone();
        let w = word.clone();
        let t = Instant::now();
        tokio::task::spawn_blocking(move || edit_some_product(&p, i, &w)).await??;
        let deadline = t + Duration::from_secs(10);
        loop {
            if index.search(&SearchQuery::text(&word)).await?.total == 1 {
                delays.push(t.elapsed());
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "edit not visible after 10 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    report(
        "write → visible (commit of an edit to found by search)",
        &mut delays,
    );

    handle.stop(true).await;
    if let Some((url, key)) = &options.meili {
        let client = meilisearch_sdk::client::Client::new(url, key.as_deref())?;
        client
            .delete_index(&meili_index)
            .await?
            .wait_for_completion(&client, None, Some(Duration::from_secs(600)))
            .await?;
    }
    if options.data_dir.is_none() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

fn tempfile_dir(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let dir = given.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kriya-bench-search-{}", Uuid::now_v7().simple()))
    });
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let mean = samples.iter().map(Duration::as_secs_f64).sum::<f64>() / samples.len() as f64;
    println!(
        "{what}: n={} mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        samples.len(),
        mean * 1000.0,
        percentile_ms(samples, 50.0),
        percentile_ms(samples, 99.0),
        percentile_ms(samples, 100.0)
    );
}

fn query_string(q: &SearchQuery) -> String {
    let mut parts = vec![("q", q.text.as_text())];
    let sort = match q.sort {
        Sort::Relevance => "relevance",
        Sort::PriceAsc => "price_asc",
        Sort::PriceDesc => "price_desc",
        Sort::Newest => "newest",
    };
    parts.push(("sort", sort.to_owned()));
    let f = &q.filters;
    let text = [
        ("category", &f.category),
        ("material", &f.material),
        ("kecamatan", &f.kecamatan),
    ];
    for (k, v) in text {
        if let Some(v) = v {
            parts.push((k, v.clone()));
        }
    }
    if let Some(v) = f.min_price_idr {
        parts.push(("min_price_idr", v.to_string()));
    }
    if let Some(v) = f.max_price_idr {
        parts.push(("max_price_idr", v.to_string()));
    }
    parts
        .into_iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect::<Vec<_>>()
        .join("&")
}

async fn wait_until_drained(pool: &Pool, index: &SharedIndex, expected: u64) -> anyhow::Result<()> {
    loop {
        let backlog = super::scratch::outbox_backlog(pool).await?;
        if backlog == 0 && index.count().await? == expected {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sellers, then products in transactions of `LOAD_BATCH`, each product with one variant
/// and one photo row (the renditions are shared: photos are not decoded here).
pub(super) fn load(pool: &Pool, n: usize) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let mut rng = StdRng::seed_from_u64(2026);
    let mut sellers = Vec::new();
    for s in 0..SELLERS {
        let user = crate::accounts::create_user(
            &mut conn,
            &format!("seller{s}@bench.kriya"),
            "benchmark-password",
            Some(&format!("Pengrajin {s}")),
            Role::Seller,
        )?;
        let seller = crate::db::sellers::find_by_user(&mut conn, user)?.context("seller")?;
        let kecamatan = KECAMATAN[s % KECAMATAN.len()];
        crate::db::sellers::update_profile(
            &mut conn,
            seller.id,
            seller.version,
            crate::db::sellers::ProfileChanges {
                business_name: format!("Pengrajin {s}"),
                story: "Pengrajin dari Malang.".to_owned(),
                sector: None,
                kecamatan: Some(kecamatan.to_owned()),
                kelurahan: None,
                whatsapp: None,
                nib: None,
                updated_at: now(),
            },
        )?;
        crate::db::sellers::set_status(&mut conn, seller.id, "active", now())?;
        sellers.push(seller.id);
    }
    for start in (0..n).step_by(LOAD_BATCH) {
        let end = (start + LOAD_BATCH).min(n);
        write_tx(&mut conn, |c: &mut Tx<'_>| -> anyhow::Result<()> {
            for i in start..end {
                insert_product(c, &mut rng, sellers[i % sellers.len()], i)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn insert_product(
    c: &mut DbConn,
    rng: &mut StdRng,
    seller_id: Uuid,
    i: usize,
) -> anyhow::Result<()> {
    let (item, item_en, category) = ITEMS[rng.random_range(0..ITEMS.len())];
    let (motif, motif_en) = MOTIFS[rng.random_range(0..MOTIFS.len())];
    let material = MATERIALS[rng.random_range(0..MATERIALS.len())];
    let second = MATERIALS[rng.random_range(0..MATERIALS.len())];
    let technique = TECHNIQUES[rng.random_range(0..TECHNIQUES.len())];
    let materials: Vec<&str> = if second == material {
        vec![material]
    } else {
        vec![material, second]
    };
    let t = now();
    let id = new_id();
    let sku = format!("GEN-{i}");
    crate::db::products::insert(
        c,
        ProductRow {
            id,
            seller_id,
            title: format!("{item} {motif} {}", capitalise(material)),
            description: format!(
                "{item} bermotif {motif} dari {material}, dibuat dengan teknik {technique} oleh pengrajin Malang. Nomor {i}."
            ),
            title_en: Some(format!("{motif_en} {item_en}")),
            description_en: Some(format!(
                "A {item_en} with a {motif_en} motif, made in Malang."
            )),
            category: category.to_owned(),
            technique: technique.to_owned(),
            materials: json!(materials),
            price_idr: rng.random_range(25..2_500) * 1_000,
            sku: sku.clone(),
            weight_grams: 100,
            dimensions_cm: None,
            status: "published".into(),
            version: 1,
            created_at: t,
            updated_at: t,
            published_at: Some(DbTime(t)),
        },
        vec![VariantRow {
            id: new_id(),
            product_id: id,
            seller_id,
            sku,
            options: json!({}),
            price_idr: None,
            position: 0,
            created_at: t,
        }],
    )?;
    let image = new_id();
    crate::db::images::insert(
        c,
        ImageRow {
            id: image,
            product_id: id,
            seller_id,
            position: 0,
            width: 480,
            height: 640,
            blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj".into(),
            original_key: format!("bench/{image}/original"),
            original_format: "jpeg".into(),
            original_bytes: 1,
            renditions: json!([{"name": "480.webp", "width": 480, "height": 640, "format": "webp",
                "key": format!("bench/{image}/480.webp"), "bytes": 1, "etag": "\"bench\""}]),
            created_at: t,
        },
    )?;
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Retitles the `i`-th product (by id) to include `word`, as a PATCH would.
fn edit_some_product(pool: &Pool, i: i64, word: &str) -> anyhow::Result<()> {
    use diesel::prelude::*;
    let mut conn = pool.get()?;
    let (id, version, title): (crate::db::portable::DbId, i32, String) =
        crate::db::schema::products::table
            .select((
                crate::db::schema::products::id,
                crate::db::schema::products::version,
                crate::db::schema::products::title,
            ))
            .order(crate::db::schema::products::id)
            .offset(i * 37)
            .first(&mut conn)?;
    let changes = ProductChanges {
        title: Some(format!("{title} {word}")),
        ..Default::default()
    };
    write_tx(&mut conn, |c: &mut Tx<'_>| -> anyhow::Result<()> {
        anyhow::ensure!(crate::db::products::update_if_version(
            c,
            id.0,
            version,
            &changes,
            now()
        )?);
        Ok(())
    })
}
