//! What the HTTP benchmarks share: a scratch PostgreSQL schema of their own, and a real
//! server on it.

use anyhow::{Context, bail};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::app::Application;
use crate::config::{Config, RawConfig};
use crate::db::DbConn;
use crate::db::connection::DbUrl;
use crate::db::products::ProductRow;
use crate::db::variants::VariantRow;
use crate::domain::{new_id, now};

/// A schema created for one run, dropped by `drop`.
pub struct Schema {
    admin: PgConnection,
    name: String,
    /// The database URL with the schema as its search path.
    pub url: String,
}

impl Schema {
    pub fn create(database_url: &str, command: &str) -> anyhow::Result<Self> {
        let DbUrl::Postgres(base) = DbUrl::parse(database_url).map_err(anyhow::Error::msg)? else {
            bail!(
                "kriya bench {command} runs against PostgreSQL: pass --database-url postgres://…"
            );
        };
        let name = format!("bench_{}", Uuid::now_v7().simple());
        let mut admin = PgConnection::establish(&base).context("connect")?;
        admin.batch_execute(&format!("CREATE SCHEMA {name}"))?;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-csearch_path%3D{name}");
        Ok(Self { admin, name, url })
    }

    pub fn drop(mut self) -> anyhow::Result<()> {
        self.admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name))?;
        Ok(())
    }
}

/// A server on `url` with `workers` HTTP workers and a pool sized for `clients`, serving in
/// the background; its base URL, its configuration and the application's token keys.
pub fn serve(
    url: &str,
    clients: usize,
    workers: usize,
) -> anyhow::Result<(
    String,
    Config,
    actix_web::dev::ServerHandle,
    crate::auth::jwt::JwtKeys,
)> {
    serve_with(url, clients, workers, false, |_| {})
}

/// As `serve`; `detached` leaves the search index to another server (no worker, no index of
/// its own), and `tweak` changes the configuration first.
pub fn serve_with(
    url: &str,
    clients: usize,
    workers: usize,
    detached: bool,
    tweak: impl FnOnce(&mut RawConfig),
) -> anyhow::Result<(
    String,
    Config,
    actix_web::dev::ServerHandle,
    crate::auth::jwt::JwtKeys,
)> {
    let dir = std::env::temp_dir().join(format!("kriya-bench-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let mut raw = RawConfig::from_vars(&Default::default())?;
    raw.set("bind", "127.0.0.1:0");
    raw.set("data_dir", dir.to_string_lossy());
    raw.set("database_url", url);
    raw.set("jwt_secret", "benchmark-secret-benchmark-secret-0123");
    raw.set("workers", workers.to_string());
    raw.set("db_pool_size", (clients + 4).min(64).to_string());
    raw.set("auth_rate_limit_per_minute", "1000");
    tweak(&mut raw);
    let config = raw.build()?;
    let app = if detached {
        Application::build_detached(&config)?
    } else {
        Application::build(&config)?
    };
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let keys = app.token_keys();
    tokio::spawn(app.run_until_stopped());
    Ok((base, config, handle, keys))
}

/// Rows waiting in the search outbox.
pub async fn outbox_backlog(pool: &crate::db::Pool) -> anyhow::Result<i64> {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<i64> {
        Ok(crate::db::search_outbox::backlog(&mut *pool.get()?)?)
    })
    .await?
}

/// A published product of `seller_id` with `variants` variants (185 555 rupiah each).
pub fn published_product(
    conn: &mut DbConn,
    seller_id: Uuid,
    variants: usize,
) -> anyhow::Result<Vec<VariantRow>> {
    let t = now();
    let product_id = new_id();
    let tag = &Uuid::now_v7().simple().to_string()[20..];
    let rows: Vec<VariantRow> = (0..variants)
        .map(|i| VariantRow {
            id: new_id(),
            product_id,
            seller_id,
            sku: format!("BENCH-{tag}-{i}"),
            options: serde_json::json!({"no": i.to_string()}),
            price_idr: None,
            position: i as i32,
            created_at: t,
        })
        .collect();
    crate::db::products::insert(
        conn,
        ProductRow {
            id: product_id,
            seller_id,
            title: "Kalung Daun Jati".into(),
            description: "Daun jati berlapis tembaga".into(),
            title_en: None,
            description_en: None,
            category: "electroforming-jewellery".into(),
            technique: "electroforming".into(),
            materials: serde_json::json!(["copper"]),
            price_idr: 185_555,
            sku: format!("BENCH-{tag}"),
            weight_grams: 40,
            dimensions_cm: None,
            status: "published".into(),
            version: 1,
            created_at: t,
            updated_at: t,
            published_at: Some(crate::db::portable::DbTime(t)),
        },
        rows.clone(),
    )?;
    Ok(rows)
}
