//! Composition root: builds the shared state from a `Config` and runs the HTTP server.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use base64::Engine;
use rand::RngCore;
use tokio::sync::Semaphore;
use tracing_actix_web::TracingLogger;

use crate::api;
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::{AuthRateLimiter, CheckoutRateLimiter, WebhookSendLimiter};
use crate::blob::Blobs;
use crate::blob::fs::FsStore;
use crate::blob::s3::S3Store;
use crate::config::{Config, Secret};
use crate::db::Pool;
use crate::db::change_feed::Listener;
use crate::db::connection::{DbUrl, build_pool, run_migrations};
use crate::error::AppError;
use crate::search::embedded::EmbeddedIndex;
use crate::search::meili::MeiliIndex;
use crate::search::worker::Worker;
use crate::search::{Detached, SearchError, SharedIndex};
use crate::state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data directory {path}: {message}")]
    DataDir { path: String, message: String },
    #[error("database: {0}")]
    Database(String),
    #[error("blob store: {0}")]
    Blobs(String),
    #[error("search: {0}")]
    Search(#[from] SearchError),
    #[error("binding {addr}: {message}")]
    Bind { addr: String, message: String },
}

/// Opens the database, applies pending migrations and returns the pool.
pub fn open_database(config: &Config) -> Result<Pool, StartError> {
    open_database_with(config, build_pool)
}

/// As `open_database`, for a command that runs and exits (`migrate`, `user create`,
/// `reindex`): its pool opens no connection in the background, so none is half-open when the
/// process exits.
pub fn open_tool_database(config: &Config) -> Result<Pool, StartError> {
    open_database_with(config, crate::db::connection::build_tool_pool)
}

fn open_database_with(
    config: &Config,
    build: fn(&crate::db::connection::DbUrl, u32) -> Result<Pool, String>,
) -> Result<Pool, StartError> {
    if !config.database_url.is_postgres() {
        ensure_dir(&config.data_dir)?;
    }
    let pool = build(&config.database_url, config.db_pool_size).map_err(StartError::Database)?;
    let mut conn = pool
        .get()
        .map_err(|e| StartError::Database(e.to_string()))?;
    let applied = run_migrations(&mut conn).map_err(StartError::Database)?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(pool)
}

/// S3 when a bucket is configured; otherwise files under the data dir.
pub fn open_blobs(config: &Config) -> Result<Blobs, StartError> {
    match &config.s3 {
        Some(settings) => Ok(Blobs::S3(Box::new(
            S3Store::new(settings).map_err(|e| StartError::Blobs(e.to_string()))?,
        ))),
        None => FsStore::new(config.data_dir.join("blobs"))
            .map(Blobs::Fs)
            .map_err(|e| StartError::Blobs(e.to_string())),
    }
}

/// Meilisearch when `KRIYA_MEILI_URL` is set; otherwise the embedded index under the data
/// dir (whose writer lock this process then holds). The flag says the index was just
/// created empty, so it should be rebuilt from the database.
pub fn open_search(config: &Config) -> Result<(SharedIndex, bool), SearchError> {
    match &config.meili {
        Some(m) => Ok((
            Arc::new(MeiliIndex::new(
                &m.url,
                m.key.as_ref().map(Secret::expose),
                &m.index,
            )?),
            false,
        )),
        None => {
            let index = EmbeddedIndex::open(&config.data_dir.join("search"))?;
            let created = index.created;
            Ok((Arc::new(index), created))
        }
    }
}

fn ensure_dir(dir: &Path) -> Result<(), StartError> {
    std::fs::create_dir_all(dir).map_err(|e| StartError::DataDir {
        path: dir.display().to_string(),
        message: e.to_string(),
    })
}

/// The configured secret, or (embedded default) one generated once and kept in the data dir.
fn jwt_secret(config: &Config) -> Result<String, StartError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.expose().to_owned());
    }
    ensure_dir(&config.data_dir)?;
    let path = config.data_dir.join("jwt_secret");
    let err = |e: std::io::Error| StartError::DataDir {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e)),
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret).map_err(err)?;
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

pub struct Application {
    port: u16,
    server: Server,
    pool: Pool,
    search: SharedIndex,
    search_worker: Option<Worker>,
    /// Hears which products changed, for the read cache (PostgreSQL).
    change_feed: Option<Listener>,
    jwt: JwtKeys,
    order_holds: crate::domain::order::Holds,
    /// The webhook delivery worker's settings, when this server delivers (not for tools).
    webhooks: Option<crate::webhooks::worker::Settings>,
}

enum SearchSetup {
    Configured,
    Given(SharedIndex),
    Detached,
}

impl Application {
    /// Opens the database (migrating it), binds the listener and prepares the server.
    pub fn build(config: &Config) -> Result<Self, StartError> {
        Self::build_with_search(config, None)
    }

    /// As `build`, with the given search index instead of the configured one.
    pub fn build_with_search(
        config: &Config,
        search: Option<SharedIndex>,
    ) -> Result<Self, StartError> {
        let setup = match search {
            Some(index) => SearchSetup::Given(index),
            None => SearchSetup::Configured,
        };
        Self::assemble(config, setup)
    }

    /// A server for a command-line tool (`kriya demo`): it writes through the API and the
    /// outbox like any client, but neither serves search nor drains the outbox, so a real
    /// server may hold the index on the same data dir meanwhile. Its pool opens connections
    /// only when asked (as `open_tool_database`), so none is half-open when the tool exits.
    pub fn build_detached(config: &Config) -> Result<Self, StartError> {
        Self::assemble(config, SearchSetup::Detached)
    }

    fn assemble(config: &Config, setup: SearchSetup) -> Result<Self, StartError> {
        let pool = match setup {
            SearchSetup::Detached => open_tool_database(config)?,
            _ => open_database(config)?,
        };
        let secret = jwt_secret(config)?;
        let blobs = open_blobs(config)?;
        let (search, created, drain) = match setup {
            SearchSetup::Given(index) => (index, false, true),
            SearchSetup::Configured => {
                let (index, created) = open_search(config)?;
                (index, created, true)
            }
            SearchSetup::Detached => (Arc::new(Detached) as SharedIndex, false, false),
        };
        if created {
            // A new (or dropped) embedded index: fill it from the database.
            let mut conn = pool
                .get()
                .map_err(|e| StartError::Database(e.to_string()))?;
            crate::db::search_outbox::enqueue(&mut conn, crate::db::search_outbox::Subject::All)
                .map_err(|e| StartError::Database(e.to_string()))?;
        }
        let read_cache = Arc::new(crate::read_cache::ReadCache::new(config.read_cache));
        let change_feed = match &config.database_url {
            DbUrl::Postgres(url) if read_cache.enabled() => Some(
                Listener::spawn(url.clone(), read_cache.clone())
                    .map_err(|e| StartError::Database(e.to_string()))?,
            ),
            _ => None,
        };
        let search_worker = if drain {
            Some(
                Worker::spawn(pool.clone(), search.clone(), Some(read_cache.clone()))
                    .map_err(|e| StartError::Search(SearchError::unavailable(e)))?,
            )
        } else {
            None
        };
        let state = web::Data::new(AppState {
            pool,
            blobs,
            decodes: Arc::new(Semaphore::new(config.max_concurrent_decodes)),
            jwt: JwtKeys::new(secret.as_bytes(), config.access_token_ttl_secs),
            auth_limiter: AuthRateLimiter::new(config.auth_rate_limit_per_minute),
            webhook_send_limiter: Arc::new(WebhookSendLimiter::new(
                config.webhook_send_rate_limit_per_minute,
            )),
            checkout_limiter: CheckoutRateLimiter::new(config.checkout_rate_limit_per_minute),
            fair_use: config.order_fair_use,
            refresh_token_ttl_days: config.refresh_token_ttl_days,
            trusted_proxy_hops: config.trusted_proxy_hops,
            openapi_json: api::openapi_json(),
            search: search.clone(),
            webhook_allow_private: config.webhook_allow_private,
            read_cache,
        });
        let listener = TcpListener::bind(config.bind).map_err(|e| StartError::Bind {
            addr: config.bind.to_string(),
            message: e.to_string(),
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let pool = state.pool.clone();
        let cors_origins = config.cors_origins.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                // Inside `normalize`, so a refused preflight is a problem document too.
                .wrap(actix_web::middleware::from_fn(
                    api::read_cache::forget_on_write,
                ))
                .wrap(api::cors::middleware(&cors_origins))
                .wrap(api::problems::normalize())
                .wrap(actix_web::middleware::from_fn(api::metrics::observe))
                .wrap(actix_web::middleware::from_fn(api::request_id::echo))
                .wrap(TracingLogger::<api::request_id::RootSpan>::new())
                .configure(api::configure_app)
        })
        .workers(config.workers)
        .listen(listener)
        .map_err(|e| StartError::Bind {
            addr: config.bind.to_string(),
            message: e.to_string(),
        })?
        .run();
        Ok(Self {
            port,
            server,
            pool,
            search,
            search_worker,
            change_feed,
            jwt: JwtKeys::new(secret.as_bytes(), config.access_token_ttl_secs),
            order_holds: config.order_holds,
            webhooks: drain.then(|| crate::webhooks::worker::Settings {
                allow_private: config.webhook_allow_private,
                schedule: config.webhook_retry_schedule.clone(),
            }),
        })
    }

    /// The keys this server signs access tokens with (for command-line tools that act as a
    /// known account through the API).
    pub fn token_keys(&self) -> JwtKeys {
        self.jwt.clone()
    }

    /// The search index the server (and its outbox worker) uses.
    pub fn search_index(&self) -> SharedIndex {
        self.search.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests stop theirs when done).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, forgetting expired keys and tokens once an hour and sweeping
    /// order parts meanwhile.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let janitor = tokio::spawn(crate::janitor::run_hourly(self.pool.clone()));
        let orders = tokio::spawn(crate::order_sweeper::run(
            self.pool.clone(),
            self.order_holds,
        ));
        let webhooks = self.webhooks.map(|settings| {
            let stop = Arc::new(crate::webhooks::worker::Stop::default());
            let worker = crate::webhooks::worker::run(self.pool.clone(), settings, stop.clone());
            (stop, tokio::spawn(worker))
        });
        let result = self.server.await;
        janitor.abort();
        orders.abort();
        if let Some((stop, worker)) = webhooks {
            // Attempts under way finish and are recorded (each within its 10 s timeout).
            stop.request();
            let abort = worker.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(15), worker)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        // Joining the worker thread waits for its batch: off the async threads.
        let worker = self.search_worker;
        let feed = self.change_feed;
        let _ = tokio::task::spawn_blocking(move || drop((worker, feed))).await;
        result
    }
}

impl From<AppError> for StartError {
    fn from(e: AppError) -> Self {
        StartError::Database(e.to_string())
    }
}
