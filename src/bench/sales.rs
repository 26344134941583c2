//! `kriya bench sales`: C concurrent clients record single-unit sales at one hotel over HTTP
//! until every unit on the shelf is sold, against PostgreSQL. Reports sales per second and
//! latency, and checks that no unit was sold twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use diesel::prelude::*;
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::auth::access::Actor;
use crate::db::connection::build_pool;
use crate::db::hotels::HotelRow;
use crate::db::{Tx, write_tx};
use crate::domain::account::Role;
use crate::domain::consignment::Bps;
use crate::domain::money::PriceIdr;
use crate::domain::{new_id, now};
use crate::services::{agreements, shipments, stock};

pub struct Options {
    /// A PostgreSQL database the benchmark may create a schema in.
    pub database_url: String,
    pub clients: usize,
    pub variants: usize,
    pub units_per_variant: i64,
    pub workers: usize,
    /// Drive the sales with `wrk` for this many seconds instead of the in-process client
    /// (a load generator in C, like pgbench's, that takes less of the shared CPU).
    pub wrk_seconds: Option<u64>,
}

const PASSWORD: &str = "benchmark-password";

struct World {
    hotel_email: String,
    hotel_id: Uuid,
    variants: Vec<Uuid>,
}

fn world(conn: &mut Tx<'_>, variants: usize, units: i64) -> anyhow::Result<World> {
    let t = now();
    let tag = Uuid::now_v7().simple().to_string();
    let seller_email = format!("seller-{tag}@bench.kriya");
    let hotel_email = format!("hotel-{tag}@bench.kriya");
    let seller_user = crate::accounts::create_user(
        conn,
        &seller_email,
        PASSWORD,
        Some("Daun Abadi"),
        Role::Seller,
    )?;
    let seller = crate::db::sellers::find_by_user(conn, seller_user)?.context("seller profile")?;
    crate::db::sellers::set_status(conn, seller.id, "active", t)?;
    let hotel_user =
        crate::accounts::create_user(conn, &hotel_email, PASSWORD, Some("Hotel"), Role::Hotel)?;
    let hotel_id = new_id();
    crate::db::hotels::insert(
        conn,
        HotelRow {
            id: hotel_id,
            user_id: hotel_user,
            name: "Hotel Bench".into(),
            address: "Jl. Ijen 1".into(),
            kecamatan: "Klojen".into(),
            phri_number: "PHRI/BENCH".into(),
            contact_name: "Bench".into(),
            contact_phone: "+62341555123".into(),
            status: "active".into(),
            version: 1,
            created_at: t,
            updated_at: t,
        },
    )?;
    let hotel = Actor {
        user: Some(AuthUser {
            id: hotel_user,
            role: Role::Hotel,
        }),
        seller_id: None,
        hotel_id: Some(hotel_id),
    };
    let agreement = agreements::propose(
        conn,
        seller.id,
        hotel_id,
        Bps::parse(1750).expect("valid"),
        90,
    )?;
    agreements::accept(conn, &hotel, agreement.id)?;
    let rows = super::scratch::published_product(conn, seller.id, variants)?;
    let mut items = Vec::new();
    for v in &rows {
        stock::adjust(conn, v, units, "bench stock", seller_user)?;
        items.push(shipments::DispatchItem {
            product_id: None,
            variant_id: Some(v.id),
            quantity: units,
            unit_price: PriceIdr::parse(185_555).expect("valid"),
        });
    }
    let consignment = shipments::dispatch(conn, seller.id, seller_user, agreement.id, &items)?;
    shipments::receive(conn, &hotel, consignment.id, None)?;
    Ok(World {
        hotel_email,
        hotel_id,
        variants: rows.iter().map(|v| v.id).collect(),
    })
}

pub async fn run(opts: Options) -> anyhow::Result<()> {
    let schema = super::scratch::Schema::create(&opts.database_url, "sales")?;
    let result = measure(&opts, &schema.url).await;
    schema.drop()?;
    result
}

async fn measure(opts: &Options, url: &str) -> anyhow::Result<()> {
    let (base, config, handle, _) = super::scratch::serve(url, opts.clients, opts.workers)?;
    let pool = build_pool(&config.database_url, 2).map_err(anyhow::Error::msg)?;
    let (variants, units) = (opts.variants, opts.units_per_variant);
    let p = pool.clone();
    let world = tokio::task::spawn_blocking(move || {
        let mut conn = p.get()?;
        write_tx(&mut conn, |conn| world(conn, variants, units))
    })
    .await??;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": world.hotel_email, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().context("login")?.to_owned();

    let total = world.variants.len() as u64 * units as u64;
    println!(
        "kriya bench sales: {} clients, {} variants × {} units = {total} units on one hotel shelf (PostgreSQL)",
        opts.clients,
        world.variants.len(),
        units
    );
    let url = format!("{base}/v1/hotels/{}/sales", world.hotel_id);
    if let Some(seconds) = opts.wrk_seconds {
        return with_wrk(
            opts,
            handle,
            &pool,
            &url,
            &token,
            &world.variants,
            seconds,
            total,
        )
        .await;
    }
    let sold_out: Arc<Vec<AtomicBool>> = Arc::new(
        world
            .variants
            .iter()
            .map(|_| AtomicBool::new(false))
            .collect(),
    );
    let conflicts = Arc::new(AtomicU64::new(0));
    let url = Arc::new(url);
    let variants = Arc::new(world.variants.clone());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..opts.clients {
        let (client, url, token, variants, sold_out, conflicts) = (
            client.clone(),
            url.clone(),
            token.clone(),
            variants.clone(),
            sold_out.clone(),
            conflicts.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let open: Vec<usize> = (0..variants.len()).filter(|i| !sold_out[*i].load(Ordering::Relaxed)).collect();
                if open.is_empty() {
                    break;
                }
                let i = open[rand::rng().random_range(0..open.len())];
                let body = json!({"items": [{"variant_id": variants[i], "quantity": 1, "unit_price_idr": 185_555}]});
                let t0 = Instant::now();
                let status = client.post(url.as_str()).bearer_auth(&token).json(&body).send().await?.status();
                match status.as_u16() {
                    201 => latencies.push(t0.elapsed()),
                    409 => {
                        sold_out[i].store(true, Ordering::Relaxed);
                        conflicts.fetch_add(1, Ordering::Relaxed);
                    }
                    other => bail!("unexpected status {other}"),
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let sold = latencies.len() as u64;

    let (recorded, problems) = recorded_and_ledger(&pool).await?;
    handle.stop(true).await;

    println!(
        "sold {sold} units in {:.2} s; {} refusals once variants ran out",
        elapsed.as_secs_f64(),
        conflicts.load(Ordering::Relaxed)
    );
    println!(
        "throughput: {:.0} sales/s",
        sold as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency of a sale: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        super::percentile_ms(&latencies, 50.0),
        super::percentile_ms(&latencies, 90.0),
        super::percentile_ms(&latencies, 99.0),
        super::percentile_ms(&latencies, 100.0)
    );
    if sold != total || recorded != total as i64 {
        bail!(
            "OVERSELL CHECK FAILED: {total} units on the shelf, {sold} sales answered 201, {recorded} recorded"
        );
    }
    if !problems.is_empty() {
        bail!("ledger check failed: {problems:?}");
    }
    println!(
        "oversold units: 0 (201s = sale lines recorded = units on the shelf = {total}); ledger consistent"
    );
    Ok(())
}

/// The same sales driven by `wrk` for `seconds`, each request one unit of a variant picked
/// at random. wrk does not stop at a refusal, so the shelf should hold more than the run
/// sells; 409s once a variant runs out are counted apart. Checks afterwards that the
/// recorded sales are the 2xx answers (plus at most one in flight per connection when the
/// run ended) and that the ledger agrees with every balance, once the server has finished
/// what was in flight.
#[allow(clippy::too_many_arguments)]
async fn with_wrk(
    opts: &Options,
    server: actix_web::dev::ServerHandle,
    pool: &crate::db::Pool,
    url: &str,
    token: &str,
    variants: &[Uuid],
    seconds: u64,
    total: u64,
) -> anyhow::Result<()> {
    let mut script = format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\nlocal variants = {{\n"
    );
    for v in variants {
        script.push_str(&format!("  \"{v}\",\n"));
    }
    script.push_str(
        "}\nrequest = function()\n  local v = variants[math.random(#variants)]\n  return wrk.format(nil, nil, nil, '{\"items\": [{\"variant_id\": \"' .. v .. '\", \"quantity\": 1, \"unit_price_idr\": 185555}]}')\nend\n",
    );
    let path =
        std::env::temp_dir().join(format!("kriya-bench-sales-{}.lua", Uuid::now_v7().simple()));
    std::fs::write(&path, script)?;
    let (clients, url_owned, script_path) = (opts.clients, url.to_owned(), path.clone());
    let run = tokio::task::spawn_blocking(move || {
        super::wrk::run(clients, seconds, &url_owned, Some(&script_path))
    })
    .await?;
    std::fs::remove_file(&path).ok();
    let run = run?;
    // Answers wrk gave up waiting for when its time ran out finish first.
    server.stop(true).await;
    let (recorded, problems) = recorded_and_ledger(pool).await?;
    let ok = run.requests - run.non_2xx;
    println!(
        "driven by wrk ({clients} connections, {seconds} s): {ok} sales answered 201, {} refused ({} units on the shelf)",
        run.non_2xx,
        total,
        clients = opts.clients
    );
    println!(
        "throughput: {:.0} sales/s; latency p99 {:.1} ms (every answer)",
        ok as f64 / seconds as f64,
        run.p99_ms
    );
    let recorded = recorded as u64;
    if recorded < ok || recorded > ok + opts.clients as u64 || recorded > total {
        bail!(
            "OVERSELL CHECK FAILED: {ok} sales answered 2xx, {recorded} recorded, {total} units on the shelf"
        );
    }
    if !problems.is_empty() {
        bail!("ledger check failed: {problems:?}");
    }
    println!(
        "oversold units: 0 ({recorded} recorded for {ok} answers, at most one in flight per connection at the end); ledger consistent"
    );
    Ok(())
}

/// Units recorded as sold (the sale lines) and what the ledger check finds wrong. Run once
/// nothing is writing: the check reads movements and balances in two statements.
async fn recorded_and_ledger(pool: &crate::db::Pool) -> anyhow::Result<(i64, Vec<String>)> {
    let p = pool.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<(i64, Vec<String>)> {
        let mut conn = p.get()?;
        use crate::db::schema::hotel_sale_lines::dsl::*;
        let recorded: Option<i64> = hotel_sale_lines
            .select(diesel::dsl::sum(quantity))
            .first(&mut conn)?;
        Ok((
            recorded.unwrap_or(0),
            crate::db::stock::check_invariants(&mut conn)?,
        ))
    })
    .await?
}
