//! `kriya bench thumbnails DIR`: the full rendition set for every JPEG in a directory, first
//! in-process (decode, orient, resize, encode), then as real uploads over HTTP (multipart,
//! checks, renditions, blobs written, row committed). Reports ms per photo and peak memory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use uuid::Uuid;

use crate::app::Application;
use crate::config::RawConfig;
use crate::domain::account::Role;

pub struct Options {
    pub dir: PathBuf,
    pub repeat: usize,
}

/// Peak resident memory of this process so far, in MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn photos(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg"))
        })
        .collect();
    out.sort();
    if out.is_empty() {
        bail!("no JPEGs in {}", dir.display());
    }
    Ok(out)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(opts: Options) -> anyhow::Result<()> {
    let files = photos(&opts.dir)?;
    let repeat = opts.repeat.max(1);
    println!(
        "kriya bench thumbnails: {} photos from {}, median of {repeat} runs each",
        files.len(),
        opts.dir.display()
    );

    // In-process: the pipeline alone.
    let mut medians = Vec::new();
    let mut output_bytes = 0;
    for path in &files {
        let bytes = std::fs::read(path)?;
        let _ = crate::media::process(&bytes); // warm-up
        let mut runs = Vec::new();
        for _ in 0..repeat {
            let t = Instant::now();
            let processed = crate::media::process(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            runs.push(t.elapsed());
            output_bytes = processed
                .renditions
                .iter()
                .map(|r| r.bytes.len())
                .sum::<usize>();
        }
        let m = median(runs);
        println!(
            "  {:<28} {:>7.1} ms",
            path.file_name().unwrap_or_default().to_string_lossy(),
            ms(m)
        );
        medians.push(m);
    }
    let pipeline_mean = medians.iter().map(|d| ms(*d)).sum::<f64>() / medians.len() as f64;
    println!(
        "in-process renditions: mean {pipeline_mean:.1} ms/photo (six renditions, {output_bytes} bytes for the last photo), peak RSS {:.0} MiB",
        peak_rss_mib().unwrap_or(0.0)
    );

    // Over HTTP: the whole upload request against an embedded server.
    let dir = std::env::temp_dir().join(format!("kriya-bench-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let result = upload_all(&dir, &files, repeat).await;
    let _ = std::fs::remove_dir_all(&dir);
    let upload_mean = result?;
    println!(
        "HTTP upload (multipart → checks → renditions → blobs → row): mean {upload_mean:.1} ms/photo, peak RSS {:.0} MiB",
        peak_rss_mib().unwrap_or(0.0)
    );
    Ok(())
}

async fn upload_all(dir: &Path, files: &[PathBuf], repeat: usize) -> anyhow::Result<f64> {
    let mut raw = RawConfig::from_vars(&Default::default())?;
    raw.set("bind", "127.0.0.1:0");
    raw.set("data_dir", dir.to_string_lossy());
    raw.set("workers", "2");
    let config = raw.build()?;
    let app = Application::build(&config)?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let pool =
        crate::db::connection::build_pool(&config.database_url, 1).map_err(anyhow::Error::msg)?;
    let email = format!("bench-{}@kriya.bench", Uuid::now_v7().simple());
    let e = email.clone();
    let seller_user = tokio::task::spawn_blocking(move || -> anyhow::Result<Uuid> {
        let mut conn = pool.get()?;
        let id = crate::accounts::create_user(
            &mut conn,
            &e,
            "benchmark-password",
            Some("Bench"),
            Role::Seller,
        )?;
        let seller = crate::db::sellers::find_by_user(&mut conn, id)?.context("seller")?;
        crate::db::sellers::set_status(&mut conn, seller.id, "active", crate::domain::now())?;
        Ok(id)
    })
    .await??;
    let _ = seller_user;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": "benchmark-password"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().context("login")?.to_owned();
    let product: serde_json::Value = client
        .post(format!("{base}/v1/products"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Kalung Daun", "description": "Daun jati", "category": "batik", "technique": "cap",
            "materials": ["cotton"], "price_idr": 100000, "sku": "BENCH-1", "weight_grams": 100}))
        .send()
        .await?
        .json()
        .await?;
    let url = format!(
        "{base}/v1/products/{}/images",
        product["id"].as_str().context("product")?
    );
    let mut medians = Vec::new();
    for path in files {
        let bytes = std::fs::read(path)?;
        let mut runs = Vec::new();
        for i in 0..=repeat {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name("photo.jpg"),
            );
            let t = Instant::now();
            let res = client
                .post(&url)
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await?;
            let status = res.status();
            let _ = res.bytes().await?;
            let took = t.elapsed();
            if status.as_u16() != 201 {
                bail!("upload of {} answered {status}", path.display());
            }
            if i > 0 {
                runs.push(took); // the first is a warm-up
            }
        }
        medians.push(median(runs));
    }
    handle.stop(true).await;
    Ok(medians.iter().map(|d| ms(*d)).sum::<f64>() / medians.len() as f64)
}
