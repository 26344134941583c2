//! `kriya bench webhooks`: events written the way a change writes them (one transaction
//! each) and delivered by the real worker to a receiver on loopback, on PostgreSQL. Reports
//! the latency from commit to receipt at a steady rate (p50/p99), and deliveries per second
//! when a burst of events is written as fast as it can be.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::{Context, bail};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::connection::{build_pool, run_migrations};
use crate::db::{Pool, write_tx};
use crate::domain::account::Role;
use crate::domain::webhook::{Audience, EventType};
use crate::error::AppError;

pub struct Options {
    /// A PostgreSQL database the benchmark may create a schema in.
    pub database_url: String,
    /// Receiving endpoints (each event goes to every one).
    pub endpoints: usize,
    /// Events written one by one for the latency figures.
    pub paced_events: usize,
    /// Events per second while pacing.
    pub rate: u32,
    /// Events written at once for the throughput figure.
    pub burst_events: usize,
}

/// When each (endpoint, event) arrived.
type Arrivals = Arc<Mutex<HashMap<(String, String), Instant>>>;

async fn receive(
    req: HttpRequest,
    arrivals: web::Data<Mutex<HashMap<(String, String), Instant>>>,
) -> HttpResponse {
    let at = Instant::now();
    let id = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    arrivals
        .lock()
        .expect("arrivals")
        .insert((req.path().to_owned(), id), at);
    HttpResponse::NoContent().finish()
}

/// A receiver on loopback; its base URL.
fn receiver(arrivals: Arrivals) -> anyhow::Result<String> {
    let data = web::Data::from(arrivals);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(receive))
    })
    .workers(2)
    .disable_signals()
    .bind(("127.0.0.1", 0))?;
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    Ok(format!("http://127.0.0.1:{port}"))
}

/// Writes one event in a transaction of its own; when it committed.
fn emit_one(pool: &Pool) -> anyhow::Result<Instant> {
    let mut conn = pool.get()?;
    let admins = Audience {
        seller_id: None,
        hotel_id: None,
        admins: true,
    };
    let data = serde_json::json!({"id": Uuid::now_v7(), "title": "Kalung Daun Jati", "price_idr": 185_555});
    write_tx(&mut conn, |c| {
        crate::webhooks::emit(c, EventType::ProductPublished, admins, &data)?;
        Ok::<_, AppError>(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Instant::now())
}

/// The ids of the events written, oldest first (the receiver keys arrivals on them).
fn event_ids(pool: &Pool) -> anyhow::Result<Vec<String>> {
    use crate::db::schema::webhook_events::dsl;
    use diesel::prelude::*;
    let mut conn = pool.get()?;
    let ids: Vec<crate::db::portable::DbId> = dsl::webhook_events
        .order(dsl::created_at)
        .select(dsl::id)
        .load(&mut conn)?;
    Ok(ids.into_iter().map(|i| i.0.to_string()).collect())
}

async fn wait_for(arrivals: &Arrivals, n: usize, deadline: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while arrivals.lock().expect("arrivals").len() < n {
        if started.elapsed() > deadline {
            bail!(
                "only {} of {n} deliveries arrived",
                arrivals.lock().expect("arrivals").len()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

pub async fn run(opts: Options) -> anyhow::Result<()> {
    let schema = super::scratch::Schema::create(&opts.database_url, "webhooks")?;
    let result = measure(&opts, &schema.url).await;
    schema.drop()?;
    result
}

async fn measure(opts: &Options, url: &str) -> anyhow::Result<()> {
    let db_url = crate::db::connection::DbUrl::parse(url).map_err(anyhow::Error::msg)?;
    let pool = build_pool(&db_url, 16).map_err(anyhow::Error::msg)?;
    run_migrations(&mut *pool.get()?).map_err(anyhow::Error::msg)?;
    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let base = receiver(arrivals.clone())?;
    {
        let mut conn = pool.get()?;
        let admin = crate::accounts::create_user(
            &mut conn,
            &format!("admin-{}@bench.kriya", Uuid::now_v7().simple()),
            "benchmark-password",
            Some("Bench admin"),
            Role::Admin,
        )?;
        let caller = AuthUser {
            id: admin,
            role: Role::Admin,
        };
        for i in 0..opts.endpoints {
            crate::services::webhooks::create(
                &mut conn,
                &caller,
                format!("{base}/e{i}"),
                vec![EventType::ProductPublished],
                None,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("endpoint")?;
        }
    }
    let settings = crate::webhooks::worker::Settings {
        allow_private: true,
        schedule: vec![1, 1, 1],
    };
    let stop = Arc::new(crate::webhooks::worker::Stop::default());
    let worker = tokio::spawn(crate::webhooks::worker::run(
        pool.clone(),
        settings,
        stop.clone(),
    ));
    println!(
        "webhooks: {} endpoints on loopback, worker with {} attempts per endpoint and {} in all",
        opts.endpoints,
        crate::webhooks::worker::PER_ENDPOINT,
        crate::webhooks::worker::OVERALL
    );

    // Paced: one event at a time, its commit time kept.
    let mut committed: Vec<Instant> = Vec::with_capacity(opts.paced_events);
    let gap = Duration::from_secs_f64(1.0 / f64::from(opts.rate.max(1)));
    for _ in 0..opts.paced_events {
        let pool = pool.clone();
        let at = tokio::task::spawn_blocking(move || emit_one(&pool)).await??;
        committed.push(at);
        tokio::time::sleep(gap).await;
    }
    let paced = opts.paced_events * opts.endpoints;
    wait_for(&arrivals, paced, Duration::from_secs(120)).await?;
    let ids = event_ids(&pool)?;
    let mut latencies: Vec<Duration> = Vec::with_capacity(paced);
    {
        let got = arrivals.lock().expect("arrivals");
        for (i, id) in ids.iter().enumerate() {
            for e in 0..opts.endpoints {
                let at = got
                    .get(&(format!("/e{e}"), id.clone()))
                    .context("a paced delivery missing")?;
                latencies.push(at.saturating_duration_since(committed[i]));
            }
        }
    }
    latencies.sort();
    println!(
        "paced, {} events/s × {} endpoints: commit → receipt p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} deliveries)",
        opts.rate,
        opts.endpoints,
        super::percentile_ms(&latencies, 50.0),
        super::percentile_ms(&latencies, 99.0),
        super::percentile_ms(&latencies, 100.0),
        latencies.len()
    );

    // Burst: writers as fast as they go, then until the last delivery arrives.
    let started = Instant::now();
    let writers = 4;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let pool = pool.clone();
        let n = opts.burst_events / writers + usize::from(w < opts.burst_events % writers);
        tasks.push(tokio::task::spawn_blocking(move || {
            for _ in 0..n {
                emit_one(&pool)?;
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let written = started.elapsed();
    let total = paced + opts.burst_events * opts.endpoints;
    wait_for(&arrivals, total, Duration::from_secs(600)).await?;
    let elapsed = started.elapsed();
    let deliveries = opts.burst_events * opts.endpoints;
    println!(
        "burst of {} events × {} endpoints: written in {:.2} s ({:.0} events/s), all {} delivered in {:.2} s: {:.0} deliveries/s",
        opts.burst_events,
        opts.endpoints,
        written.as_secs_f64(),
        opts.burst_events as f64 / written.as_secs_f64(),
        deliveries,
        elapsed.as_secs_f64(),
        deliveries as f64 / elapsed.as_secs_f64()
    );
    stop.request();
    worker.await?;
    let (backlog, _) = crate::db::webhook_deliveries::backlog(&mut *pool.get()?)?;
    println!("pending afterwards: {backlog}");
    Ok(())
}
