//! `kriya bench orders`: for each client count, C buyers check out one unit at a time over
//! HTTP, racing for the same few variants of one seller until all are reserved, against
//! PostgreSQL. Reports checkouts per second and latency, and checks that no unit was
//! reserved twice, that every 201 is one order, and that order numbers are all distinct.
//! With `--direct` each round runs again without HTTP: every client a thread calling the
//! checkout service itself, so the two rows show what the web stack adds to a checkout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use diesel::prelude::*;
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::connection::{Pool, build_pool};
use crate::db::{DbConn, Tx, write_tx};
use crate::domain::account::Role;
use crate::domain::now;
use crate::domain::order::FairUse;
use crate::error::AppError;
use crate::services::idempotency::{Claim, Once};
use crate::services::orders::view::ShippingAddress;
use crate::services::orders::{OrderItem, PlaceOrder, place};
use crate::services::stock;

pub struct Options {
    /// A PostgreSQL database the benchmark may create a schema in.
    pub database_url: String,
    /// Client counts, one round each.
    pub clients: Vec<usize>,
    pub variants: usize,
    pub units_per_variant: i64,
    pub workers: usize,
    /// Also run each round without HTTP.
    pub direct: bool,
}

/// A seller's variants with `units` each in own stock; `buyers` buyer accounts.
fn world(
    conn: &mut Tx<'_>,
    variants: usize,
    units: i64,
    buyers: usize,
) -> anyhow::Result<(Vec<Uuid>, Vec<Uuid>)> {
    let t = now();
    let tag = Uuid::now_v7().simple().to_string();
    let seller_user = crate::accounts::create_user(
        conn,
        &format!("seller-{tag}@bench.kriya"),
        "benchmark-password",
        Some("Daun Abadi"),
        Role::Seller,
    )?;
    let seller = crate::db::sellers::find_by_user(conn, seller_user)?.context("seller profile")?;
    crate::db::sellers::set_status(conn, seller.id, "active", t)?;
    let rows = super::scratch::published_product(conn, seller.id, variants)?;
    for v in &rows {
        stock::adjust(conn, v, units, "bench stock", seller_user)?;
    }
    let mut buyer_ids = Vec::with_capacity(buyers);
    for i in 0..buyers {
        let id = Uuid::now_v7();
        crate::db::users::insert(
            conn,
            crate::db::users::NewUser {
                id,
                email: &format!("buyer-{i}-{tag}@bench.kriya"),
                // Never signs in: its token is minted by the server's key.
                password_hash: "!",
                name: "Bench buyer",
                role: Role::Buyer.as_str(),
                created_at: t,
                updated_at: t,
            },
        )?;
        buyer_ids.push(id);
    }
    Ok((rows.iter().map(|v| v.id).collect(), buyer_ids))
}

pub async fn run(opts: Options) -> anyhow::Result<()> {
    let schema = super::scratch::Schema::create(&opts.database_url, "orders")?;
    let result = measure(&opts, &schema.url).await;
    schema.drop()?;
    result
}

async fn measure(opts: &Options, url: &str) -> anyhow::Result<()> {
    let most = opts.clients.iter().copied().max().unwrap_or(1);
    // Each buyer checks out one unit after another until everything is sold: far past what
    // fair use lets one buyer hold or do in a minute, so those limits are lifted (their
    // checks still run).
    let (base, config, handle, keys) =
        super::scratch::serve_with(url, most, opts.workers, false, |raw| {
            raw.set("order_max_units_per_variant", "1000000");
            raw.set("order_max_open_parts", "1000000");
            raw.set("order_max_share_percent", "100");
            raw.set("checkout_rate_limit_per_minute", "1000000");
        })?;
    // Two for the set-up and the checks; one more per client for the direct rounds.
    let size = if opts.direct { most as u32 + 2 } else { 2 };
    let pool = build_pool(&config.database_url, size).map_err(anyhow::Error::msg)?;
    println!(
        "kriya bench orders: one-unit checkouts racing for {} variants × {} units of one seller (PostgreSQL, {} HTTP workers)",
        opts.variants, opts.units_per_variant, opts.workers
    );
    println!(
        "| clients | checkouts | refused (sold out) | checkouts/s | p50 ms | p99 ms | max ms | via |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let client = reqwest::Client::new();
    for &clients in &opts.clients {
        let vias: &[bool] = if opts.direct {
            &[false, true]
        } else {
            &[false]
        };
        for &direct in vias {
            let (variants, units) = (opts.variants, opts.units_per_variant);
            let p = pool.clone();
            let (variants, buyers) = tokio::task::spawn_blocking(move || {
                let mut conn = p.get()?;
                write_tx(&mut conn, |conn| world(conn, variants, units, clients))
            })
            .await??;
            let total = variants.len() as i64 * units;
            let round = if direct {
                let (p, v) = (pool.clone(), variants.clone());
                tokio::task::spawn_blocking(move || race_direct(&p, &v, &buyers)).await??
            } else {
                race(&client, &base, &keys, &variants, &buyers).await?
            };
            let p = pool.clone();
            let (reserved, orders, distinct, problems) = tokio::task::spawn_blocking(move || {
                let mut conn = p.get()?;
                check(&mut conn, &variants)
            })
            .await??;
            let mut latencies = round.latencies;
            latencies.sort();
            let placed = latencies.len() as i64;
            println!(
                "| {clients} | {placed} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} |",
                round.refused,
                placed as f64 / round.elapsed.as_secs_f64(),
                super::percentile_ms(&latencies, 50.0),
                super::percentile_ms(&latencies, 99.0),
                super::percentile_ms(&latencies, 100.0),
                if direct { "service, no HTTP" } else { "HTTP" },
            );
            if placed != total || reserved != total || orders != total {
                bail!(
                    "OVERSELL CHECK FAILED: {total} units, {placed} checkouts answered 201, {reserved} reserved, {orders} orders"
                );
            }
            if distinct != orders {
                bail!("{orders} orders but {distinct} distinct numbers");
            }
            if !problems.is_empty() {
                bail!("ledger check failed: {problems:?}");
            }
        }
    }
    handle.stop(true).await;
    println!(
        "oversold units: 0 in every round (201s = orders = units reserved = units in stock); order numbers distinct; ledger consistent"
    );
    Ok(())
}

struct Round {
    latencies: Vec<Duration>,
    refused: u64,
    elapsed: Duration,
}

/// One buyer per client, each checking out one unit of a random variant still in stock
/// until none is.
async fn race(
    client: &reqwest::Client,
    base: &str,
    keys: &crate::auth::jwt::JwtKeys,
    variants: &[Uuid],
    buyers: &[Uuid],
) -> anyhow::Result<Round> {
    let sold_out: Arc<Vec<AtomicBool>> =
        Arc::new(variants.iter().map(|_| AtomicBool::new(false)).collect());
    let variants = Arc::new(variants.to_vec());
    let url = Arc::new(format!("{base}/v1/orders"));
    let shipping = json!({"recipient": "Sri Wahyuni", "phone": "081234567890",
        "address": "Jl. Ijen No. 25", "city": "Malang", "province": "Jawa Timur",
        "postal_code": "65119"});
    let started = Instant::now();
    let mut tasks = Vec::new();
    for buyer in buyers {
        let token = keys
            .issue(*buyer, Role::Buyer)
            .map_err(anyhow::Error::msg)?;
        let (client, url, variants, sold_out, shipping) = (
            client.clone(),
            url.clone(),
            variants.clone(),
            sold_out.clone(),
            shipping.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut refused = 0u64;
            while let Some(i) = pick_open(&sold_out) {
                let body = json!({"items": [{"variant_id": variants[i], "quantity": 1}], "shipping": shipping});
                let t0 = Instant::now();
                let status = client
                    .post(url.as_str())
                    .bearer_auth(&token)
                    .header("Idempotency-Key", Uuid::now_v7().to_string())
                    .json(&body)
                    .send()
                    .await?
                    .status();
                match status.as_u16() {
                    201 => latencies.push(t0.elapsed()),
                    409 => {
                        sold_out[i].store(true, Ordering::Relaxed);
                        refused += 1;
                    }
                    other => bail!("unexpected status {other}"),
                }
            }
            Ok::<_, anyhow::Error>((latencies, refused))
        }));
    }
    let mut round = Round {
        latencies: Vec::new(),
        refused: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (latencies, refused) = t.await??;
        round.latencies.extend(latencies);
        round.refused += refused;
    }
    round.elapsed = started.elapsed();
    Ok(round)
}

/// [`race`] without HTTP: one thread per buyer, each on a connection of its own, calling
/// the checkout service as the handler does (same input, a fresh idempotency key each).
fn race_direct(pool: &Pool, variants: &[Uuid], buyers: &[Uuid]) -> anyhow::Result<Round> {
    let sold_out: Vec<AtomicBool> = variants.iter().map(|_| AtomicBool::new(false)).collect();
    let started = Instant::now();
    let results = std::thread::scope(|scope| {
        let workers: Vec<_> = buyers
            .iter()
            .map(|buyer| {
                let sold_out = &sold_out;
                scope.spawn(move || checkouts(pool, *buyer, variants, sold_out))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| bail!("a checkout thread panicked"))
            })
            .collect::<Vec<_>>()
    });
    let mut round = Round {
        latencies: Vec::new(),
        refused: 0,
        elapsed: started.elapsed(),
    };
    for r in results {
        let (latencies, refused) = r?;
        round.latencies.extend(latencies);
        round.refused += refused;
    }
    Ok(round)
}

/// One buyer's checkouts until every variant is sold out.
fn checkouts(
    pool: &Pool,
    buyer: Uuid,
    variants: &[Uuid],
    sold_out: &[AtomicBool],
) -> anyhow::Result<(Vec<Duration>, u64)> {
    let mut conn = pool.get()?;
    let me = AuthUser {
        id: buyer,
        role: Role::Buyer,
    };
    let mut latencies = Vec::new();
    let mut refused = 0u64;
    while let Some(i) = pick_open(sold_out) {
        let input = PlaceOrder {
            items: vec![OrderItem {
                line: 0,
                variant_id: variants[i],
                quantity: 1,
            }],
            shipping: ShippingAddress {
                recipient: "Sri Wahyuni".to_owned(),
                phone: "+6281234567890".to_owned(),
                address: "Jl. Ijen No. 25".to_owned(),
                kelurahan: None,
                kecamatan: None,
                city: "Malang".to_owned(),
                province: "Jawa Timur".to_owned(),
                postal_code: "65119".to_owned(),
            },
            note: None,
        };
        let claim = Claim {
            user_id: buyer,
            key: Some(Uuid::now_v7().to_string()),
            fingerprint: variants[i].to_string(),
        };
        let t0 = Instant::now();
        // One buyer here checks out until everything is sold: no fair-use limit (its check
        // still runs).
        match place(&mut conn, &me, input, &claim, FairUse::UNLIMITED) {
            Ok(Once::Fresh(_)) => latencies.push(t0.elapsed()),
            Ok(Once::Replayed { .. }) => bail!("a fresh key was replayed"),
            Err(AppError::InsufficientStock(_)) => {
                sold_out[i].store(true, Ordering::Relaxed);
                refused += 1;
            }
            Err(e) => bail!("checkout failed: {e}"),
        }
    }
    Ok((latencies, refused))
}

/// A random variant not yet sold out, or `None` when all are.
fn pick_open(sold_out: &[AtomicBool]) -> Option<usize> {
    let open: Vec<usize> = (0..sold_out.len())
        .filter(|i| !sold_out[*i].load(Ordering::Relaxed))
        .collect();
    (!open.is_empty()).then(|| open[rand::rng().random_range(0..open.len())])
}

/// Units reserved of these variants, orders holding them, distinct order numbers, and the
/// ledger's own check.
fn check(conn: &mut DbConn, variants: &[Uuid]) -> anyhow::Result<(i64, i64, i64, Vec<String>)> {
    use crate::db::portable::DbId;
    use crate::db::schema::{order_lines, order_parts, orders, stock_balances};
    let ids: Vec<DbId> = variants.iter().copied().map(DbId).collect();
    let reserved: Vec<i64> = stock_balances::table
        .filter(stock_balances::variant_id.eq_any(ids.clone()))
        .filter(stock_balances::kind.eq("reserved"))
        .select(stock_balances::quantity)
        .load(conn)?;
    let numbers: Vec<String> = orders::table
        .inner_join(order_parts::table.inner_join(order_lines::table))
        .filter(order_lines::variant_id.eq_any(ids))
        .select(orders::number)
        .load(conn)?;
    let mut distinct = numbers.clone();
    distinct.sort();
    distinct.dedup();
    Ok((
        reserved.iter().sum(),
        numbers.len() as i64,
        distinct.len() as i64,
        crate::db::stock::check_invariants(conn)?,
    ))
}
