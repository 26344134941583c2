//! `kriya bench reads`: the read paths a marketplace mostly serves, each beside what the
//! same machine's PostgreSQL does alone in the same sitting.
//!
//! Generated products (as `kriya bench search` makes them: one variant and one photo each,
//! sixty sellers) are written into a scratch schema and indexed into the embedded index by
//! the server's own worker. Then `wrk` drives each read with a fixed number of connections
//! for a fixed time: a product page (a random one of a sample), the same with a current
//! `If-None-Match`, the catalogue's first page, the categories, a search and the browse
//! (the empty query, facets over everything). Product pages and the catalogue run twice: on
//! a server with the read cache (as deployed) and on one without it. The anchor is
//! `pgbench -S` (one primary-key SELECT per transaction) with as many clients, on a scratch
//! database of the same server.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use diesel::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use super::wrk::Run;
use crate::db::connection::build_pool;
use crate::db::portable::DbId;

pub struct Options {
    /// A PostgreSQL database the benchmark may create a schema (and a pgbench database) in.
    pub database_url: String,
    pub products: usize,
    /// Open connections (wrk) and clients (pgbench).
    pub connections: usize,
    /// Seconds each read is driven for.
    pub seconds: u64,
    /// HTTP worker threads of the servers under test.
    pub workers: usize,
    /// Keep the scratch schema for a closer look (its URL is printed).
    pub keep: bool,
    /// Meilisearch's URL and key: search is then also measured through the Meilisearch
    /// adapter and against Meilisearch directly.
    pub meili: Option<(String, Option<String>)>,
}

/// Product pages the load picks from at random.
const SAMPLE: usize = 5_000;

pub async fn run(opts: Options) -> anyhow::Result<()> {
    for tool in ["wrk", "pgbench"] {
        if Command::new(tool).arg("--version").output().is_err() {
            bail!("kriya bench reads needs `{tool}` on the PATH (Debian: apt-get install {tool})");
        }
    }
    let schema = super::scratch::Schema::create(&opts.database_url, "reads")?;
    let result = measure(&opts, &schema.url).await;
    if opts.keep {
        println!("kept: {}", schema.url);
    } else {
        schema.drop()?;
    }
    result
}

async fn measure(opts: &Options, url: &str) -> anyhow::Result<()> {
    let pool = build_pool(
        &crate::db::connection::DbUrl::parse(url).map_err(anyhow::Error::msg)?,
        2,
    )
    .map_err(anyhow::Error::msg)?;
    {
        let mut conn = pool.get()?;
        crate::db::connection::run_migrations(&mut conn).map_err(anyhow::Error::msg)?;
    }
    println!(
        "kriya bench reads: {} products, {} connections, {} s a read (PostgreSQL)",
        opts.products, opts.connections, opts.seconds
    );
    let (p, n) = (pool.clone(), opts.products);
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        super::search::load(&p, n)?;
        // Statistics for the planner, as after any bulk load (autovacuum would, later).
        diesel::sql_query("ANALYZE").execute(&mut *p.get()?)?;
        Ok(())
    })
    .await??;

    let (cached, _, cached_handle, _) =
        super::scratch::serve_with(url, opts.connections, opts.workers, false, |_| {})?;
    let (plain, _, plain_handle, _) =
        super::scratch::serve_with(url, opts.connections, opts.workers, true, |raw| {
            raw.set("read_cache_ms", "0")
        })?;
    wait_indexed(&cached, opts.products).await?;
    // And the outbox drained: the worker must not share the machine with the measurements.
    loop {
        let backlog = super::scratch::outbox_backlog(&pool).await?;
        if backlog == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let p = pool.clone();
    let ids: Vec<String> = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use crate::db::schema::products;
        let mut conn = p.get()?;
        let all: Vec<DbId> = products::table.select(products::id).load(&mut conn)?;
        let mut rng = StdRng::seed_from_u64(15);
        Ok(all
            .choose_multiple(&mut rng, SAMPLE)
            .map(|id| format!("/v1/products/{}", id.0))
            .collect())
    })
    .await??;
    let dir = std::env::temp_dir().join(format!("kriya-reads-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let pages = dir.join("pages.lua");
    std::fs::write(&pages, random_paths_script(&ids, None))?;
    let revalidate = dir.join("revalidate.lua");
    std::fs::write(&revalidate, random_paths_script(&ids, Some("\"v1\"")))?;

    let anchor = pgbench_select(opts)?;
    println!(
        "\nanchor: pgbench -S -c {} -j 2 -T {}: {:.0} tps\n",
        opts.connections, opts.seconds, anchor
    );
    println!("| read | server | req/s | p99 | ratio to pgbench -S |");
    println!("| --- | --- | ---: | ---: | ---: |");
    let reads: [(&str, &str, Option<&Path>, bool); 8] = [
        ("GET /v1/products/{id}", "/", Some(&pages), true),
        (
            "GET /v1/products/{id}, If-None-Match current (304)",
            "/",
            Some(&revalidate),
            true,
        ),
        (
            "GET /v1/products?limit=20",
            "/v1/products?limit=20",
            None,
            true,
        ),
        ("GET /v1/categories", "/v1/categories", None, false),
        (
            "GET /v1/search?q=kalung",
            "/v1/search?q=kalung",
            None,
            false,
        ),
        (
            "GET /v1/search?q=&sort=newest (browse)",
            "/v1/search?q=&sort=newest",
            None,
            false,
        ),
        (
            "GET /v1/search?q=kalung&category=electroforming-jewellery",
            "/v1/search?q=kalung&category=electroforming-jewellery",
            None,
            false,
        ),
        (
            "GET /v1/search?q=batik&page=2",
            "/v1/search?q=batik&page=2",
            None,
            false,
        ),
    ];
    let mut embedded = std::collections::HashMap::new();
    for (what, path, script, both) in reads {
        let mut servers = vec![("cache on", cached.as_str())];
        if both {
            servers.push(("cache off", plain.as_str()));
        }
        for (name, base) in servers {
            let run = wrk(opts, &format!("{base}{path}"), script)?;
            if run.non_2xx > 0 {
                bail!(
                    "{what} on the server with the {name}: {} answers were not 2xx",
                    run.non_2xx
                );
            }
            println!(
                "| `{what}` | {name} | {:.0} | {:.1} ms | {:.2} |",
                run.per_second,
                run.p99_ms,
                run.per_second / anchor
            );
            if name == "cache on" {
                embedded.insert(path, run.per_second);
            }
        }
    }
    // Nothing of the embedded index's servers keeps running beside Meilisearch.
    cached_handle.stop(true).await;
    plain_handle.stop(true).await;
    if let Some((meili_url, key)) = &opts.meili {
        meili_reads(opts, url, &pool, meili_url, key.as_deref(), &embedded, &dir).await?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The searches through the Meilisearch adapter, beside Meilisearch asked directly (the
/// request the adapter sends, and the same asking for whole documents) and the embedded
/// index's figures from this sitting.
async fn meili_reads(
    opts: &Options,
    url: &str,
    pool: &crate::db::Pool,
    meili_url: &str,
    key: Option<&str>,
    embedded: &std::collections::HashMap<&str, f64>,
    dir: &Path,
) -> anyhow::Result<()> {
    use crate::search::SearchIndex;
    use crate::search::document::{self, Change};
    let uid = format!("kriya_bench_reads_{}", uuid::Uuid::now_v7().simple());
    let index = crate::search::meili::MeiliIndex::new(meili_url, key, &uid)?;
    index.configure().await?;
    let p = pool.clone();
    let docs = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<_>> {
        let mut conn = p.get()?;
        let (mut docs, mut after) = (Vec::new(), None);
        loop {
            let ids = document::searchable_ids(&mut conn, after, 1000)?;
            let Some(last) = ids.last().copied() else {
                return Ok(docs);
            };
            after = Some(last);
            for change in document::build(&mut conn, &ids)? {
                if let Change::Upsert(doc) = change {
                    docs.push(*doc);
                }
            }
        }
    })
    .await??;
    index.replace_all(&docs).await?;
    drop(docs);
    let (base, _, handle, _) =
        super::scratch::serve_with(url, opts.connections, opts.workers, false, |raw| {
            raw.set("meili_url", meili_url);
            raw.set("meili_index", &uid);
            if let Some(key) = key {
                raw.set("meili_key", key);
            }
        })?;
    let result = async {
        wait_indexed(&base, opts.products).await?;
        meili_settled(meili_url, key).await?;
        println!(
            "\nMeilisearch ({meili_url}), the same {} products\n",
            opts.products
        );
        println!("| read | Kriya, Meilisearch adapter: median (each run) | Meilisearch direct, same request: median (each run, alternating with the adapter's) | adapter / direct | Meilisearch direct, whole documents | Kriya, embedded index | embedded / direct |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        let facets = serde_json::json!(["category", "kecamatan", "technique", "materials"]);
        let searches = [
            ("/v1/search?q=kalung", serde_json::json!({"q": "kalung"})),
            (
                "/v1/search?q=&sort=newest",
                serde_json::json!({"q": "", "sort": ["published_at:desc"]}),
            ),
        ];
        for (path, mut body) in searches {
            body["page"] = 1.into();
            body["hitsPerPage"] = 20.into();
            body["facets"] = facets.clone();
            body["matchingStrategy"] = "all".into();
            let whole = dir.join("meili-whole.lua");
            std::fs::write(&whole, post_script(&body, key))?;
            body["attributesToRetrieve"] =
                serde_json::json!(crate::search::Hit::ATTRIBUTES);
            let same = dir.join("meili-same.lua");
            std::fs::write(&same, post_script(&body, key))?;
            let search_url = format!("{meili_url}/indexes/{uid}/search");
            // Meilisearch's own rate drifts by a third within a minute here, so the two
            // alternate: direct, adapter, direct, … (ADAPTER_RUNS adapter runs, one direct
            // run more), and each side's median is compared.
            let mut direct_runs = vec![wrk(opts, &search_url, Some(&same))?];
            let mut adapter_runs = Vec::new();
            for _ in 0..ADAPTER_RUNS {
                adapter_runs.push(wrk(opts, &format!("{base}{path}"), None)?);
                direct_runs.push(wrk(opts, &search_url, Some(&same))?);
            }
            let direct_whole = wrk(opts, &search_url, Some(&whole))?;
            let runs = adapter_runs.iter().map(|r| ("adapter", r));
            let runs = runs.chain(direct_runs.iter().map(|r| ("direct", r)));
            for (what, run) in runs.chain([("direct, whole", &direct_whole)]) {
                anyhow::ensure!(run.non_2xx == 0, "{path} {what}: {} answers were not 2xx", run.non_2xx);
            }
            let (through, direct) = (median(&adapter_runs), median(&direct_runs));
            let own = embedded.get(path).copied().unwrap_or(0.0);
            println!(
                "| `GET {path}` | {through:.0} ({}) | {direct:.0} ({}) | {:.2} | {:.0} | {:.0} | {:.2} |",
                rates(&adapter_runs),
                rates(&direct_runs),
                through / direct,
                direct_whole.per_second,
                own,
                own / direct,
            );
        }
        Ok(())
    }
    .await;
    handle.stop(true).await;
    let client = meilisearch_sdk::client::Client::new(meili_url, key)?;
    let _ = client.delete_index(&uid).await;
    result
}

/// Runs of the adapter in the Meilisearch comparison (with one run of Meilisearch direct
/// before each and one after the last).
const ADAPTER_RUNS: usize = 3;

/// The median rate of some runs.
fn median(runs: &[Run]) -> f64 {
    let mut rates: Vec<f64> = runs.iter().map(|r| r.per_second).collect();
    rates.sort_by(f64::total_cmp);
    match rates.len() {
        0 => 0.0,
        n if n % 2 == 1 => rates[n / 2],
        n => (rates[n / 2 - 1] + rates[n / 2]) / 2.0,
    }
}

/// Each run's rate, in order: `1 442 / 1 526 / …`.
fn rates(runs: &[Run]) -> String {
    let rates: Vec<String> = runs
        .iter()
        .map(|r| format!("{:.0}", r.per_second))
        .collect();
    rates.join(" / ")
}

/// Waits until Meilisearch has no task enqueued or processing, and then a few seconds more
/// (it compacts after a large load).
async fn meili_settled(meili_url: &str, key: Option<&str>) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        let mut req = client.get(format!(
            "{meili_url}/tasks?statuses=enqueued,processing&limit=1"
        ));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        let tasks: serde_json::Value = req.send().await?.error_for_status()?.json().await?;
        if tasks["total"].as_u64() == Some(0) {
            break;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "Meilisearch still busy after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    Ok(())
}

/// A wrk script that POSTs `body` as JSON (with Meilisearch's bearer key when given).
fn post_script(body: &serde_json::Value, key: Option<&str>) -> String {
    let body = body.to_string().replace('\\', "\\\\").replace('\'', "\\'");
    let mut s = format!(
        "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
    );
    if let Some(key) = key {
        s.push_str(&format!(
            "wrk.headers[\"Authorization\"] = \"Bearer {key}\"\n"
        ));
    }
    s
}

/// Waits until the server's search finds every product.
async fn wait_indexed(base: &str, n: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    loop {
        let found: serde_json::Value = client
            .get(format!("{base}/v1/search?q=&per_page=1"))
            .send()
            .await?
            .json()
            .await?;
        if found["total"].as_u64() == Some(n as u64) {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "not indexed after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A wrk script that asks for one of `paths` at random (with `If-None-Match` when given)
/// (wrk counts answers that are neither 2xx nor 3xx).
fn random_paths_script(paths: &[String], if_none_match: Option<&str>) -> String {
    let mut s = String::from("local paths = {\n");
    for p in paths {
        s.push_str(&format!("  \"{p}\",\n"));
    }
    s.push_str("}\nmath.randomseed(15)\n");
    if let Some(tag) = if_none_match {
        s.push_str(&format!("wrk.headers[\"If-None-Match\"] = '{tag}'\n"));
    }
    s.push_str(
        "request = function()\n  return wrk.format(\"GET\", paths[math.random(#paths)])\nend\n",
    );
    s
}

fn wrk(opts: &Options, url: &str, script: Option<&Path>) -> anyhow::Result<Run> {
    super::wrk::run(opts.connections, opts.seconds, url, script)
}

/// `pgbench -S` on a scratch database of the same server: its tps.
fn pgbench_select(opts: &Options) -> anyhow::Result<f64> {
    let crate::db::connection::DbUrl::Postgres(base) =
        crate::db::connection::DbUrl::parse(&opts.database_url).map_err(anyhow::Error::msg)?
    else {
        bail!("kriya bench reads runs against PostgreSQL");
    };
    let name = format!("kriya_pgbench_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::establish(&base)?;
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => bail!("no database name in {base}"),
    };
    let result = (|| -> anyhow::Result<f64> {
        let init = Command::new("pgbench")
            .args(["-i", "-q", "-s", "10", &url])
            .output()?;
        anyhow::ensure!(
            init.status.success(),
            "pgbench -i: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let out = Command::new("pgbench")
            .args([
                "-S",
                "-n",
                "-c",
                &opts.connections.to_string(),
                "-j",
                "2",
                "-T",
                &opts.seconds.to_string(),
                &url,
            ])
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(
            out.status.success(),
            "pgbench -S: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines()
            .find_map(|l| l.strip_prefix("tps = "))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("pgbench's report:\n{text}"))
    })();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin)?;
    result
}
