//! `TestApp`: the real Kriya server on port 0, against a fresh SQLite file or a fresh
//! PostgreSQL schema, with helpers to call it and to look at the database afterwards.

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use kriya::app::Application;
use kriya::config::RawConfig;
use kriya::db::connection::{DbUrl, build_pool};
use kriya::db::{DbConn, Pool};
use kriya::domain::account::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A second server on a test app's data.
pub struct Replica {
    pub base: String,
    /// Stops it (it also stops when the test's runtime ends).
    pub server: actix_web::dev::ServerHandle,
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(&self) {
        self.server.stop(true).await;
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    /// As `KRIYA_DATABASE_URL` would name it.
    pub database_url: String,
    server: actix_web::dev::ServerHandle,
    config: kriya::config::Config,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL server for tests, if configured. CI sets `KRIYA_TEST_REQUIRE_POSTGRES=1`
/// so that a missing server fails instead of skipping.
pub fn postgres_url() -> Option<String> {
    match std::env::var("KRIYA_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("KRIYA_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("KRIYA_TEST_REQUIRE_POSTGRES=1 but KRIYA_TEST_DATABASE_URL is not set");
            }
            None
        }
    }
}

/// The Meilisearch server for tests (`KRIYA_TEST_MEILI_URL`, and `KRIYA_TEST_MEILI_KEY` if
/// it needs one), if configured. `KRIYA_TEST_REQUIRE_MEILI=1` makes its absence a failure
/// instead of a skip (CI has no Meilisearch and does not set it).
pub fn meili_server() -> Option<(String, Option<String>)> {
    match std::env::var("KRIYA_TEST_MEILI_URL") {
        Ok(url) if !url.is_empty() => Some((url, std::env::var("KRIYA_TEST_MEILI_KEY").ok())),
        _ => {
            if std::env::var("KRIYA_TEST_REQUIRE_MEILI").is_ok_and(|v| v == "1") {
                panic!("KRIYA_TEST_REQUIRE_MEILI=1 but KRIYA_TEST_MEILI_URL is not set");
            }
            None
        }
    }
}

/// An index of its own on the test Meilisearch server, if one is configured; a configured
/// server that does not answer fails the test.
pub async fn meili_index() -> Option<kriya::search::SharedIndex> {
    use kriya::search::SearchIndex;
    let (url, key) = meili_server()?;
    let uid = format!("kriya_test_{}", Uuid::now_v7().simple());
    let index = kriya::search::meili::MeiliIndex::new(&url, key.as_deref(), &uid)
        .unwrap_or_else(|e| panic!("KRIYA_TEST_MEILI_URL={url}: {e}"));
    if let Err(e) = index.check().await {
        panic!("Meilisearch at KRIYA_TEST_MEILI_URL={url} does not answer: {e}");
    }
    Some(std::sync::Arc::new(index))
}

fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

/// A fresh, empty database for one test: a SQLite file in `dir`, or a new PostgreSQL schema.
pub fn fresh_database(
    backend: Backend,
    dir: &std::path::Path,
) -> Option<(DbUrl, Option<(String, String)>)> {
    match backend {
        Backend::Sqlite => Some((
            DbUrl::Sqlite(dir.join("kriya.db").to_string_lossy().into_owned()),
            None,
        )),
        Backend::Postgres => {
            let base = postgres_url()?;
            let schema = format!("t_{}", Uuid::now_v7().simple());
            let mut conn =
                PgConnection::establish(&base).expect("connect to KRIYA_TEST_DATABASE_URL");
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("create schema");
            Some((
                DbUrl::Postgres(with_search_path(&base, &schema)),
                Some((base, schema)),
            ))
        }
    }
}

/// A migrated database of its own for one test (copied from the run's template): a SQLite
/// file in `dir`, or a new PostgreSQL database.
pub fn migrated_database(backend: Backend, dir: &std::path::Path) -> Option<DbUrl> {
    match backend {
        Backend::Sqlite => {
            let path = dir.join("kriya.db");
            crate::databases::sqlite_database(&path);
            Some(DbUrl::Sqlite(path.to_string_lossy().into_owned()))
        }
        Backend::Postgres => Some(DbUrl::Postgres(crate::databases::pg_database(
            &postgres_url()?,
        ))),
    }
}

static SPAWNED: AtomicU32 = AtomicU32::new(0);

/// The password of every account the tests make.
pub const PASSWORD: &str = "kawung-indigo-2026";

/// `PASSWORD` hashed with Argon2id at the smallest settings: a seeded account signs in
/// through the real verification without the cost of the production settings.
pub fn cheap_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let params = argon2::Params::new(8, 1, 1, None).unwrap();
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string()
    })
}

/// The servers' token key (a command run on their data must sign with the same).
const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

/// How long a change may take to become searchable.
pub const SEARCH_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// The ids of a search response's hits, in order.
pub fn ids_of(res: &Value) -> Vec<String> {
    res["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the server; `tweak` may change the configuration first.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut RawConfig)) -> Option<Self> {
        Self::spawn_full(backend, tweak, None).await
    }

    /// Starts the server with `search` as its search index (instead of the embedded one).
    pub async fn spawn_full(
        backend: Backend,
        tweak: impl FnOnce(&mut RawConfig),
        search: Option<kriya::search::SharedIndex>,
    ) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = migrated_database(backend, dir.path())?;
        let mut raw = RawConfig::from_vars(&Default::default()).expect("no config file");
        raw.set("bind", "127.0.0.1:0");
        raw.set("data_dir", dir.path().to_string_lossy());
        let database_url = match &url {
            DbUrl::Postgres(u) => u.clone(),
            DbUrl::Sqlite(p) => format!("sqlite://{p}"),
        };
        raw.set("database_url", &database_url);
        raw.set("jwt_secret", JWT_SECRET);
        raw.set("workers", "2");
        raw.set("db_pool_size", "4");
        raw.set("auth_rate_limit_per_minute", "10000");
        raw.set("webhook_send_rate_limit_per_minute", "10000");
        tweak(&mut raw);
        let config = raw.build().expect("test config is valid");
        let app = Application::build_with_search(&config, search).expect("server starts");
        let port = app.port();
        let server = app.handle();
        tokio::spawn(app.run_until_stopped());
        SPAWNED.fetch_add(1, Ordering::Relaxed);
        let pool = build_pool(&url, 2).expect("test pool");
        Some(Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            pool,
            database_url,
            server,
            config,
            _dir: dir,
        })
    }

    /// Runs `kriya COMMAND` on this server's data (success asserted); returns its output.
    pub fn command(&self, command: &str) -> String {
        self.command_output(command, &[]).0
    }

    /// Runs `kriya <command>` on this server's data, with `env` added; returns its output.
    pub fn command_with(&self, command: &str, env: &[(&str, &str)]) -> String {
        self.command_output(command, env).0
    }

    /// Runs `kriya <command>` on this server's data, with `env` added: its standard output
    /// and standard error.
    pub fn command_output(&self, command: &str, env: &[(&str, &str)]) -> (String, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kriya"))
            .arg(command)
            .envs(env.iter().copied())
            .env("KRIYA_DATA_DIR", self.data_dir())
            .env("KRIYA_DATABASE_URL", &self.database_url)
            .env("KRIYA_JWT_SECRET", JWT_SECRET)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "kriya {command} ended with {} (a signal when no code): stderr {stderr:?}, stdout {:?}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr.into_owned(),
        )
    }

    /// Stops the server and waits until it let go of the data dir (the search index).
    pub async fn stop(&self) {
        self.server.stop(true).await;
        let index_dir = self.data_dir().join("search");
        let started = std::time::Instant::now();
        while let Err(kriya::search::SearchError::Busy(_)) =
            kriya::search::embedded::EmbeddedIndex::open(&index_dir)
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "server still holds the index"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Stops the server and starts another on the same database and data dir (on a new
    /// port), as a deploy or a crash and restart would.
    pub async fn restart(&mut self) {
        self.stop().await;
        let app = Application::build(&self.config).expect("server restarts");
        self.base = format!("http://127.0.0.1:{}", app.port());
        self.server = app.handle();
        tokio::spawn(app.run_until_stopped());
    }

    /// Another server on the same database and data dir, as a second replica behind a load
    /// balancer would be (without a search worker of its own); `tweak` changes its
    /// configuration first. Its base URL; it stops when the handle is dropped by the test.
    pub async fn replica(&self, tweak: impl FnOnce(&mut kriya::config::Config)) -> Replica {
        let mut config = self.config.clone();
        tweak(&mut config);
        let app = Application::build_detached(&config).expect("replica starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let server = app.handle();
        tokio::spawn(app.run_until_stopped());
        Replica { base, server }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn conn(&self) -> r2d2::PooledConnection<kriya::db::connection::DbManager> {
        self.pool.get().expect("test connection")
    }

    /// Runs a query against the server's database.
    pub fn db<T>(&self, f: impl FnOnce(&mut DbConn) -> QueryResult<T>) -> T {
        f(&mut self.conn()).expect("test query")
    }

    /// `GET /v1/search?{query}`, 200 asserted.
    pub async fn search(&self, query: &str) -> Value {
        let res = self.get(&format!("/v1/search?{query}"), None).await;
        assert_eq!(res.status(), StatusCode::OK, "search {query}");
        res.json().await.unwrap()
    }

    /// Polls the search until `done` holds, for at most `SEARCH_DEADLINE` (the promise:
    /// a change is searchable within 2 seconds).
    pub async fn search_until(&self, query: &str, done: impl Fn(&Value) -> bool) -> Value {
        let started = std::time::Instant::now();
        loop {
            let res = self.search(query).await;
            if done(&res) {
                return res;
            }
            assert!(
                started.elapsed() < SEARCH_DEADLINE,
                "search `{query}` not as expected within {SEARCH_DEADLINE:?}: {res}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The ids a search finds.
    pub async fn search_ids(&self, query: &str) -> Vec<String> {
        ids_of(&self.search(query).await)
    }

    /// Waits until the outbox is empty (every change handed to the index). The bound is a
    /// liveness check, not a speed one: a loaded machine indexes 20 000 products slowly.
    pub async fn outbox_drained(&self) {
        let started = std::time::Instant::now();
        loop {
            let backlog = self.db(kriya::db::search_outbox::backlog);
            if backlog == 0 {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(90),
                "{backlog} outbox rows left"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// An account of `role` (`buyer`, `seller`, `hotel` or `admin`), written straight to the
    /// database as registration writes it, with a password hashed at cheap Argon2 settings,
    /// then signed in over HTTP. The tests about registration itself use
    /// `register_through_api`.
    pub async fn register(&self, role: &str) -> Account {
        let email = format!("{role}-{}@example.id", Uuid::now_v7().simple());
        let pool = self.pool.clone();
        let (email2, role2) = (email.clone(), role.to_owned());
        tokio::task::spawn_blocking(move || {
            let reg = kriya::accounts::Registration::parse(
                Some(&email2),
                Some(PASSWORD),
                Some(&format!("Test {role2}")),
                Role::parse(&role2),
            )
            .expect("a valid registration");
            kriya::accounts::insert_account(&mut pool.get().unwrap(), &reg, cheap_hash())
                .expect("account inserted")
        })
        .await
        .unwrap();
        let mut account = self.login_as(&email, PASSWORD, Value::Null).await;
        let res = self.get("/v1/me", Some(&account.token)).await;
        assert_eq!(res.status(), StatusCode::OK, "me");
        account.user = res.json().await.unwrap();
        account
    }

    /// Registers through `POST /v1/auth/register` (the real path, with the server's own
    /// password hashing) and signs in.
    pub async fn register_through_api(&self, role: &str) -> Account {
        let email = format!("{role}-{}@example.id", Uuid::now_v7().simple());
        let res = self
            .post("/v1/auth/register", None, json!({"email": email, "password": PASSWORD, "name": format!("Test {role}"), "role": role}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "register {role}");
        let user: Value = res.json().await.unwrap();
        self.login_as(&email, PASSWORD, user).await
    }

    async fn login_as(&self, email: &str, password: &str, user: Value) -> Account {
        let res = self
            .post(
                "/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login {email}");
        let tokens: Value = res.json().await.unwrap();
        Account {
            email: email.to_owned(),
            token: tokens["access_token"].as_str().unwrap().to_owned(),
            refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
            user,
        }
    }

    /// An admin (as `kriya user create` makes one, with a cheaply hashed password).
    pub async fn admin(&self) -> Account {
        self.register("admin").await
    }

    /// `n` buyer accounts, written straight to the database with tokens minted by the
    /// server's key (registering through the API hashes a password each: slow for many).
    pub async fn buyers(&self, n: usize) -> Vec<Account> {
        let pool = self.pool.clone();
        let ids: Vec<Uuid> = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().unwrap();
            (0..n)
                .map(|_| {
                    let id = Uuid::now_v7();
                    let email = format!("buyer-{}@example.id", id.simple());
                    kriya::db::users::insert(
                        &mut conn,
                        kriya::db::users::NewUser {
                            id,
                            email: &email,
                            password_hash: "!",
                            name: "Racing buyer",
                            role: Role::Buyer.as_str(),
                            created_at: chrono::Utc::now(),
                            updated_at: chrono::Utc::now(),
                        },
                    )
                    .unwrap();
                    id
                })
                .collect()
        })
        .await
        .unwrap();
        let keys = kriya::auth::jwt::JwtKeys::new(JWT_SECRET.as_bytes(), 900);
        ids.into_iter()
            .map(|id| Account {
                email: format!("buyer-{}@example.id", id.simple()),
                token: keys.issue(id, Role::Buyer).unwrap(),
                refresh_token: String::new(),
                user: json!({"id": id}),
            })
            .collect()
    }

    /// A seller approved by an admin.
    pub async fn active_seller(&self) -> Account {
        let seller = self.register("seller").await;
        let admin = self.admin().await;
        let res = self
            .post(
                &format!("/v1/admin/sellers/{}/approve", seller.seller_id()),
                Some(&admin.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        seller
    }

    /// Creates a product for `seller` (201 asserted) and returns its body.
    pub async fn create_product(&self, seller: &Account, overrides: Value) -> Value {
        let mut body = product_body();
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = self.post("/v1/products", Some(&seller.token), body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "create product");
        res.json().await.unwrap()
    }

    /// A hotel account with an approved hotel; returns the account and the hotel id.
    pub async fn active_hotel(&self) -> (Account, String) {
        let account = self.register("hotel").await;
        let res = self
            .post("/v1/hotels", Some(&account.token), json!({
                "name": "Hotel Tugu Malang", "address": "Jl. Tugu No. 3, Kauman", "kecamatan": "Klojen",
                "phri_number": "PHRI/MLG/0042", "contact_name": "Dewi", "contact_phone": "0341 363891"
            }))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "register hotel");
        let hotel: Value = res.json().await.unwrap();
        let id = hotel["id"].as_str().unwrap().to_owned();
        let admin = self.admin().await;
        let res = self
            .post(
                &format!("/v1/admin/hotels/{id}/approve"),
                Some(&admin.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "approve hotel");
        (account, id)
    }

    /// An active agreement between `seller` and `hotel`; returns its id.
    pub async fn agreement(
        &self,
        seller: &Account,
        hotel: &Account,
        hotel_id: &str,
        bps: i64,
        term_days: i64,
    ) -> String {
        let res = self
            .post(
                "/v1/consignment-agreements",
                Some(&seller.token),
                json!({"hotel_id": hotel_id, "commission_bps": bps, "term_days": term_days}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "propose");
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = self
            .post(
                &format!("/v1/consignment-agreements/{id}/accept"),
                Some(&hotel.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "accept");
        id
    }

    /// Adds units to a variant's own stock.
    pub async fn restock(&self, seller: &Account, product_id: &str, variant_id: &str, delta: i64) {
        let res = self
            .post(
                &format!("/v1/products/{product_id}/stock/adjustments"),
                Some(&seller.token),
                json!({"variant_id": variant_id, "delta": delta, "reason": "new batch"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "restock");
    }

    /// Dispatches and returns the consignment body.
    pub async fn dispatch(
        &self,
        seller: &Account,
        agreement_id: &str,
        variant_id: &str,
        quantity: i64,
        unit_price: i64,
    ) -> Value {
        let res = self
            .post("/v1/consignments", Some(&seller.token), json!({"agreement_id": agreement_id,
                "items": [{"variant_id": variant_id, "quantity": quantity, "unit_price_idr": unit_price}]}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "dispatch");
        res.json().await.unwrap()
    }

    /// The ledger's own check: every balance equals what the movements add up to.
    pub fn assert_ledger_consistent(&self) {
        let problems = self.db(kriya::db::stock::check_invariants);
        assert!(
            problems.is_empty(),
            "ledger disagrees with balances: {problems:#?}"
        );
    }

    /// Uploads a file as a product photo; the response as it came.
    pub async fn upload(
        &self,
        token: Option<&str>,
        product_id: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        let mut req = self
            .client
            .post(self.url(&format!("/v1/products/{product_id}/images")))
            .multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("upload sent")
    }

    /// Gives a product a photo (a real 160×120 WebP, cheap to render), as publishing needs
    /// one.
    pub async fn add_photo(&self, seller: &Account, product_id: &str) -> Value {
        let res = self
            .upload(
                Some(&seller.token),
                product_id,
                "swatch.webp",
                fixture("swatch.webp"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "photo upload");
        res.json().await.unwrap()
    }

    pub async fn published_product(&self, seller: &Account) -> Value {
        let p = self.create_product(seller, json!({})).await;
        self.add_photo(seller, p["id"].as_str().unwrap()).await;
        let res = self
            .post(
                &format!("/v1/products/{}/publish", p["id"].as_str().unwrap()),
                Some(&seller.token),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; the server's workers then drop
        // their database pools.
        drop(self.server.stop(false));
    }
}

pub struct Account {
    pub email: String,
    pub token: String,
    pub refresh_token: String,
    pub user: Value,
}

impl Account {
    pub fn seller_id(&self) -> &str {
        self.user["seller_id"].as_str().expect("a seller account")
    }
}

/// A file from `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// A valid product body with a unique SKU.
pub fn product_body() -> Value {
    json!({
        "title": "Kalung Daun Jati Electroforming",
        "description": "Daun jati asli dari Malang, dilapisi tembaga.",
        "title_en": "Teak leaf electroformed necklace",
        "category": "electroforming-jewellery",
        "technique": "electroforming",
        "materials": ["copper", "teak leaf"],
        "price_idr": 185555,
        "sku": format!("DJ-{}", &Uuid::now_v7().simple().to_string()[20..]),
        "weight_grams": 40,
        "dimensions_cm": {"length": 6.5, "width": 4.0, "height": 0.6}
    })
}

/// Asserts an RFC 9457 problem with `status` and returns its body.
pub async fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(
        ct.as_deref(),
        Some("application/problem+json"),
        "content type"
    );
    let body: Value = res.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "problem has `{key}`: {body}");
    }
    body
}

/// The fields a 422 names.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Defines one test per backend: `<name>::sqlite` and `<name>::postgres`. With
/// `with TWEAK;` after the signature, `TWEAK` (a `FnOnce(&mut RawConfig)`) changes the
/// server's configuration first.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $crate::both_backends! { $(async fn $name($app) with |_| {}; $body)* }
    };
    ($(async fn $name:ident($app:ident) with $tweak:expr; $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $crate::support::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::support::TestApp::spawn_with($crate::support::Backend::Sqlite, $tweak).await.unwrap()).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::support::TestApp::spawn_with($crate::support::Backend::Postgres, $tweak).await {
                        Some(app) => run(app).await,
                        None => eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set"),
                    }
                }
            }
        )*
    };
}
