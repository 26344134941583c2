//! Configuration: defaults < optional TOML file < `KRIYA_*` environment variables.
//!
//! Every variable is named here once, with its default. A value that does not parse is a
//! start-up error naming the variable (or the file key) it came from.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::blob::s3::S3Settings;
use crate::db::connection::DbUrl;
pub use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {message}")]
    Invalid { name: String, message: String },
    #[error("config file {path}: {message}")]
    File { path: String, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DbUrl,
    /// `None` means "generate one in the data dir" (embedded default only).
    pub jwt_secret: Option<Secret>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    /// Login/register requests per minute per client IP.
    pub auth_rate_limit_per_minute: u32,
    pub db_pool_size: u32,
    pub workers: usize,
    pub log_format: LogFormat,
    /// The S3-compatible store, when `KRIYA_S3_BUCKET` is set; otherwise files under the data dir.
    pub s3: Option<S3Settings>,
    /// Uploads decoded at once; more wait their turn (each 12 MP photo needs ~60 MB).
    pub max_concurrent_decodes: usize,
    /// Meilisearch, when `KRIYA_MEILI_URL` is set; otherwise the embedded index.
    pub meili: Option<MeiliSettings>,
    /// Reverse proxies in front of Kriya that append to `X-Forwarded-For` (0: clients connect
    /// directly, and the header is ignored).
    pub trusted_proxy_hops: usize,
    /// Browser origins allowed to call the API (`KRIYA_CORS_ORIGINS`).
    pub cors_origins: CorsOrigins,
    /// How long an order's part waits for its seller's confirmation
    /// (`KRIYA_ORDER_CONFIRM_HOLD_HOURS`), then for the buyer's payment
    /// (`KRIYA_ORDER_PAYMENT_HOLD_HOURS`), before it expires and its units go back.
    pub order_holds: crate::domain::order::Holds,
    /// What one buyer may hold at once (`KRIYA_ORDER_MAX_UNITS_PER_VARIANT`,
    /// `KRIYA_ORDER_MAX_OPEN_PARTS`, `KRIYA_ORDER_MAX_SHARE_PERCENT`).
    pub order_fair_use: crate::domain::order::FairUse,
    /// Checkouts per minute per account (`KRIYA_CHECKOUT_RATE_LIMIT_PER_MINUTE`).
    pub checkout_rate_limit_per_minute: u32,
    /// How long a rendered public read (a published product, an anonymous catalogue page)
    /// may be served from memory (`KRIYA_READ_CACHE_MS`, 0 to 1500; 0 turns the cache off).
    pub read_cache: std::time::Duration,
    /// Webhooks may go to plain `http://` and to loopback and private addresses
    /// (`KRIYA_WEBHOOK_ALLOW_PRIVATE`; development and tests only).
    pub webhook_allow_private: bool,
    /// Seconds to wait after each failed webhook attempt (`KRIYA_WEBHOOK_RETRY_SCHEDULE`).
    pub webhook_retry_schedule: Vec<u64>,
    /// Test events and redeliveries an endpoint's owner may ask for per minute, per endpoint
    /// (`KRIYA_WEBHOOK_SEND_RATE_LIMIT_PER_MINUTE`).
    pub webhook_send_rate_limit_per_minute: u32,
}

/// Which web origins may call Kriya from a browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin (`*`). Kriya never allows credentials (cookies), so this is safe to answer
    /// with a wildcard.
    Any,
    /// These origins, as browsers serialise them (`https://shop.example`); none by default,
    /// and then no CORS headers at all.
    Listed(Vec<String>),
}

impl CorsOrigins {
    /// Parses a comma-separated list of origins, or `*` alone.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let items: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.contains(&"*") {
            return match items.len() {
                1 => Ok(CorsOrigins::Any),
                _ => Err("`*` must stand alone".to_owned()),
            };
        }
        items
            .into_iter()
            .map(parse_origin)
            .collect::<Result<_, _>>()
            .map(CorsOrigins::Listed)
    }
}

/// An origin is a scheme, a host and perhaps a port: no path, query or user. Stored as the
/// browser's `Origin` header spells it (lower case, default port left out), because that
/// header is compared byte for byte.
fn parse_origin(raw: &str) -> Result<String, String> {
    let bad = |why: &str| format!("`{raw}` is not an origin like `https://shop.example`: {why}");
    let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("it must not hold a user name or password"));
    }
    // `Url` reports the root path for `https://shop.example`; the text must not add one.
    let Some((_, after_scheme)) = raw.split_once("://") else {
        return Err(bad("it must start with `https://` or `http://`"));
    };
    if after_scheme.contains(['/', '?', '#']) {
        return Err(bad("it must not have a path, query or fragment"));
    }
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Ok(origin.ascii_serialization()),
        url::Origin::Opaque(_) => Err(bad("it has no host")),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeiliSettings {
    pub url: String,
    pub key: Option<Secret>,
    /// The index name (`products` unless `KRIYA_MEILI_INDEX` says otherwise).
    pub index: String,
}

/// Where a raw value came from, so an error can name it.
struct Source {
    name: String,
    value: String,
}

/// The raw layers: file keys (lower-case, without prefix) and `KRIYA_*` variables.
pub struct RawConfig {
    values: HashMap<&'static str, Source>,
}

const KEYS: &[&str] = &[
    "bind",
    "data_dir",
    "database_url",
    "jwt_secret",
    "access_token_ttl_secs",
    "refresh_token_ttl_days",
    "auth_rate_limit_per_minute",
    "db_pool_size",
    "workers",
    "log_format",
    "s3_bucket",
    "s3_endpoint",
    "s3_region",
    "s3_access_key",
    "s3_secret_key",
    "s3_path_style",
    "max_concurrent_decodes",
    "meili_url",
    "meili_key",
    "meili_index",
    "trusted_proxy_hops",
    "cors_origins",
    "order_hold_hours",
    "order_confirm_hold_hours",
    "order_payment_hold_hours",
    "order_max_units_per_variant",
    "order_max_open_parts",
    "order_max_share_percent",
    "checkout_rate_limit_per_minute",
    "read_cache_ms",
    "webhook_allow_private",
    "webhook_retry_schedule",
    "webhook_send_rate_limit_per_minute",
];

/// Every `KRIYA_*` variable Kriya reads (including `KRIYA_LOG` and `KRIYA_CONFIG`).
pub fn variable_names() -> Vec<String> {
    KEYS.iter()
        .map(|k| format!("KRIYA_{}", k.to_uppercase()))
        .chain(["KRIYA_LOG".to_owned(), "KRIYA_CONFIG".to_owned()])
        .collect()
}

impl RawConfig {
    /// Reads the TOML file named by `KRIYA_CONFIG` (if any) and then the environment.
    pub fn from_environment() -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let mut values = HashMap::new();
        if let Some(path) = vars.get("KRIYA_CONFIG") {
            for (key, value) in read_toml(Path::new(path))? {
                let key = KEYS
                    .iter()
                    .find(|k| **k == key)
                    .ok_or_else(|| ConfigError::File {
                        path: path.clone(),
                        message: format!("unknown key `{key}`"),
                    })?;
                let name = format!("{key} (in {path})");
                values.insert(*key, Source { name, value });
            }
        }
        for key in KEYS {
            let name = format!("KRIYA_{}", key.to_uppercase());
            if let Some(value) = vars.get(&name) {
                values.insert(
                    *key,
                    Source {
                        name,
                        value: value.clone(),
                    },
                );
            }
        }
        Ok(Self { values })
    }

    /// Sets a value as if it came from the environment (used by tests and the CLI).
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) {
        let name = format!("KRIYA_{}", key.to_uppercase());
        self.values.insert(
            key,
            Source {
                name,
                value: value.into(),
            },
        );
    }

    fn parsed<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.values.get(key) {
            None => Ok(default),
            Some(src) => src
                .value
                .trim()
                .parse()
                .map_err(|e: T::Err| ConfigError::Invalid {
                    name: src.name.clone(),
                    message: format!("`{}` is not valid: {e}", src.value),
                }),
        }
    }

    fn invalid(&self, key: &str, message: &str) -> ConfigError {
        let name = self
            .values
            .get(key)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("KRIYA_{}", key.to_uppercase()));
        ConfigError::Invalid {
            name,
            message: message.to_owned(),
        }
    }

    /// A whole number within `range`, or `default` when unset.
    fn bounded<T>(
        &self,
        key: &str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display,
        T::Err: std::fmt::Display,
    {
        let value = self.parsed(key, default)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(self.invalid(
                key,
                &format!("must be between {} and {}", range.start(), range.end()),
            ))
        }
    }

    /// Hours above 0 and at most 720 (fractions allowed), if set.
    fn hours(&self, key: &str) -> Result<Option<std::time::Duration>, ConfigError> {
        if !self.values.contains_key(key) {
            return Ok(None);
        }
        let hours = self.parsed(key, 0.0f64)?;
        if !(hours.is_finite() && hours > 0.0 && hours <= 720.0) {
            return Err(self.invalid(
                key,
                "must be a number of hours above 0 and at most 720 (e.g. 48 or 0.5)",
            ));
        }
        Ok(Some(std::time::Duration::from_secs_f64(hours * 3600.0)))
    }

    /// The two holds. `KRIYA_ORDER_HOLD_HOURS`, the one hold there used to be, still sets
    /// whichever of the two is not set itself.
    fn order_holds(&self) -> Result<crate::domain::order::Holds, ConfigError> {
        let defaults = crate::domain::order::Holds::default();
        let both = self.hours("order_hold_hours")?;
        let pick = |own: Option<std::time::Duration>, default: chrono::Duration| {
            own.or(both)
                .map(|d| chrono::Duration::from_std(d).unwrap_or(default))
                .unwrap_or(default)
        };
        Ok(crate::domain::order::Holds {
            confirm: pick(self.hours("order_confirm_hold_hours")?, defaults.confirm),
            payment: pick(self.hours("order_payment_hold_hours")?, defaults.payment),
        })
    }

    pub fn build(&self) -> Result<Config, ConfigError> {
        let bind: SocketAddr = self.parsed("bind", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        let data_dir: PathBuf = self.parsed("data_dir", PathBuf::from("./data"))?;
        let database_url = match self.values.get("database_url") {
            Some(src) => DbUrl::parse(src.value.trim()).map_err(|m| ConfigError::Invalid {
                name: src.name.clone(),
                message: m,
            })?,
            None => DbUrl::Sqlite(data_dir.join("kriya.db").to_string_lossy().into_owned()),
        };
        let jwt_secret = self
            .values
            .get("jwt_secret")
            .map(|s| Secret::new(s.value.clone()));
        if let Some(secret) = &jwt_secret
            && secret.expose().len() < 32
        {
            return Err(self.invalid("jwt_secret", "must be at least 32 characters"));
        }
        if jwt_secret.is_none() && database_url.is_postgres() {
            return Err(self.invalid(
                "jwt_secret",
                "is required when KRIYA_DATABASE_URL names PostgreSQL (production)",
            ));
        }
        let access_token_ttl_secs = self.parsed("access_token_ttl_secs", 900u64)?;
        if !(30..=86_400).contains(&access_token_ttl_secs) {
            return Err(self.invalid("access_token_ttl_secs", "must be between 30 and 86400"));
        }
        let refresh_token_ttl_days = self.parsed("refresh_token_ttl_days", 30u64)?;
        if !(1..=365).contains(&refresh_token_ttl_days) {
            return Err(self.invalid("refresh_token_ttl_days", "must be between 1 and 365"));
        }
        let auth_rate_limit_per_minute = self.parsed("auth_rate_limit_per_minute", 20u32)?;
        if auth_rate_limit_per_minute == 0 {
            return Err(self.invalid("auth_rate_limit_per_minute", "must be at least 1"));
        }
        let order_holds = self.order_holds()?;
        let order_fair_use = crate::domain::order::FairUse {
            max_units_per_variant: self.bounded(
                "order_max_units_per_variant",
                20,
                1..=1_000_000,
            )?,
            max_open_parts: self.bounded("order_max_open_parts", 10, 1..=1_000_000)?,
            max_share_percent: self.bounded("order_max_share_percent", 50, 1..=100)?,
        };
        let checkout_rate_limit_per_minute =
            self.bounded("checkout_rate_limit_per_minute", 10u32, 1..=1_000_000)?;
        // Under the 2 s a search result may lag, on every replica.
        let read_cache_ms = self.parsed("read_cache_ms", 1000u64)?;
        if read_cache_ms > 1500 {
            return Err(self.invalid("read_cache_ms", "must be between 0 and 1500"));
        }
        let read_cache = std::time::Duration::from_millis(read_cache_ms);
        let default_pool = if database_url.is_postgres() { 16 } else { 8 };
        let db_pool_size = self.parsed("db_pool_size", default_pool)?;
        if !(1..=512).contains(&db_pool_size) {
            return Err(self.invalid("db_pool_size", "must be between 1 and 512"));
        }
        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = self.parsed("workers", default_workers)?;
        if !(1..=256).contains(&workers) {
            return Err(self.invalid("workers", "must be between 1 and 256"));
        }
        let log_format = match self.values.get("log_format").map(|s| s.value.trim()) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(self.invalid("log_format", "must be `pretty` or `json`")),
        };
        let s3 = match self
            .values
            .get("s3_bucket")
            .map(|s| s.value.trim().to_owned())
        {
            None => None,
            Some(bucket) if bucket.is_empty() => {
                return Err(self.invalid("s3_bucket", "must not be empty"));
            }
            Some(bucket) => {
                let text = |key: &str| {
                    self.values
                        .get(key)
                        .map(|s| s.value.trim().to_owned())
                        .filter(|v| !v.is_empty())
                };
                let access_key = text("s3_access_key").ok_or_else(|| {
                    self.invalid("s3_access_key", "is required when KRIYA_S3_BUCKET is set")
                })?;
                let secret_key = text("s3_secret_key").map(Secret::new).ok_or_else(|| {
                    self.invalid("s3_secret_key", "is required when KRIYA_S3_BUCKET is set")
                })?;
                let endpoint = text("s3_endpoint");
                if let Some(e) = &endpoint
                    && !(e.starts_with("http://") || e.starts_with("https://"))
                {
                    return Err(self.invalid("s3_endpoint", "must be an http:// or https:// URL"));
                }
                let path_style = self.parsed("s3_path_style", endpoint.is_some())?;
                Some(S3Settings {
                    bucket,
                    endpoint,
                    region: text("s3_region").unwrap_or_else(|| "us-east-1".to_owned()),
                    access_key,
                    secret_key,
                    path_style,
                })
            }
        };
        let max_concurrent_decodes = self.parsed("max_concurrent_decodes", 2usize)?;
        if !(1..=64).contains(&max_concurrent_decodes) {
            return Err(self.invalid("max_concurrent_decodes", "must be between 1 and 64"));
        }
        let text = |key: &str| {
            self.values
                .get(key)
                .map(|s| s.value.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let meili = match text("meili_url") {
            None => None,
            Some(url) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(self.invalid("meili_url", "must be an http:// or https:// URL"));
                }
                let index = text("meili_index").unwrap_or_else(|| "products".to_owned());
                if !index
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(self.invalid("meili_index", "may hold only a-z, 0-9, - and _"));
                }
                Some(MeiliSettings {
                    url,
                    key: text("meili_key").map(Secret::new),
                    index,
                })
            }
        };
        let trusted_proxy_hops = self.parsed("trusted_proxy_hops", 0usize)?;
        if trusted_proxy_hops > 5 {
            return Err(self.invalid("trusted_proxy_hops", "must be between 0 and 5"));
        }
        let cors_origins = match self.values.get("cors_origins") {
            None => CorsOrigins::Listed(Vec::new()),
            Some(src) => {
                CorsOrigins::parse(&src.value).map_err(|message| ConfigError::Invalid {
                    name: src.name.clone(),
                    message,
                })?
            }
        };
        let webhook_allow_private = self.parsed("webhook_allow_private", false)?;
        let webhook_retry_schedule = match self.values.get("webhook_retry_schedule") {
            None => crate::domain::webhook::DEFAULT_SCHEDULE.to_vec(),
            Some(src) => crate::domain::webhook::parse_schedule(&src.value).map_err(|message| {
                ConfigError::Invalid {
                    name: src.name.clone(),
                    message: format!("{message} (e.g. 5,300,1800)"),
                }
            })?,
        };
        let webhook_send_rate_limit_per_minute =
            self.parsed("webhook_send_rate_limit_per_minute", 5u32)?;
        if webhook_send_rate_limit_per_minute == 0 {
            return Err(self.invalid("webhook_send_rate_limit_per_minute", "must be at least 1"));
        }
        Ok(Config {
            webhook_allow_private,
            webhook_retry_schedule,
            webhook_send_rate_limit_per_minute,
            order_holds,
            order_fair_use,
            checkout_rate_limit_per_minute,
            read_cache,
            cors_origins,
            trusted_proxy_hops,
            meili,
            s3,
            max_concurrent_decodes,
            bind,
            data_dir,
            database_url,
            jwt_secret,
            access_token_ttl_secs,
            refresh_token_ttl_days,
            auth_rate_limit_per_minute,
            db_pool_size,
            workers,
            log_format,
        })
    }
}

fn read_toml(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let file_err = |message: String| ConfigError::File {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| file_err(e.to_string()))?;
    table
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(file_err(format!(
                        "`{key}` must be a string or a number, not {}",
                        other.type_str()
                    )));
                }
            };
            Ok((key, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let config = RawConfig::from_vars(&vars(&[])).unwrap().build().unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url, DbUrl::Sqlite("./data/kriya.db".into()));
        assert!(config.jwt_secret.is_none());
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let config = RawConfig::from_vars(&vars(&[
            (
                "KRIYA_DATABASE_URL",
                "postgres://kriya:db-pass-1@db:5432/kriya",
            ),
            ("KRIYA_JWT_SECRET", "jwt-secret-0123456789-0123456789-0123"),
            ("KRIYA_S3_BUCKET", "photos"),
            ("KRIYA_S3_ACCESS_KEY", "AKIAEXAMPLE"),
            ("KRIYA_S3_SECRET_KEY", "s3-secret-key-1"),
            ("KRIYA_MEILI_URL", "http://meili:7700"),
            ("KRIYA_MEILI_KEY", "meili-master-key-1"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        let shown = format!("{config:?}");
        for secret in [
            "db-pass-1",
            "jwt-secret-0123",
            "s3-secret-key-1",
            "meili-master-key-1",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("postgres://kriya:[redacted]@db:5432/kriya"),
            "{shown}"
        );
        assert!(
            shown.contains("AKIAEXAMPLE"),
            "the access key id is not a secret"
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = RawConfig::from_vars(&vars(&[("KRIYA_BIND", "nonsense")]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().starts_with("KRIYA_BIND:"), "{err}");
        let err = RawConfig::from_vars(&vars(&[("KRIYA_DATABASE_URL", "mysql://x")]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().starts_with("KRIYA_DATABASE_URL:"), "{err}");
    }

    #[test]
    fn meilisearch_is_chosen_by_its_url_and_checked() {
        let config = RawConfig::from_vars(&vars(&[])).unwrap().build().unwrap();
        assert!(config.meili.is_none(), "the embedded index by default");
        let config = RawConfig::from_vars(&vars(&[
            ("KRIYA_MEILI_URL", "http://meili:7700"),
            ("KRIYA_MEILI_KEY", "k"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(
            config.meili,
            Some(MeiliSettings {
                url: "http://meili:7700".into(),
                key: Some(Secret::new("k")),
                index: "products".into()
            })
        );
        for (name, value) in [
            ("KRIYA_MEILI_URL", "meili:7700"),
            ("KRIYA_MEILI_INDEX", "a b"),
            ("KRIYA_TRUSTED_PROXY_HOPS", "9"),
        ] {
            let err =
                RawConfig::from_vars(&vars(&[("KRIYA_MEILI_URL", "http://m"), (name, value)]))
                    .unwrap()
                    .build()
                    .unwrap_err();
            assert!(err.to_string().starts_with(&format!("{name}:")), "{err}");
        }
    }

    #[test]
    fn cors_origins_are_parsed_as_browsers_send_them() {
        let origins = |value: &str| {
            RawConfig::from_vars(&vars(&[("KRIYA_CORS_ORIGINS", value)]))
                .unwrap()
                .build()
                .map(|c| c.cors_origins)
        };
        let none = RawConfig::from_vars(&vars(&[])).unwrap().build().unwrap();
        assert_eq!(none.cors_origins, CorsOrigins::Listed(vec![]));
        assert_eq!(
            origins(" https://Shop.Example , http://127.0.0.1:5173,https://pos.example:443")
                .unwrap(),
            CorsOrigins::Listed(vec![
                "https://shop.example".into(),
                "http://127.0.0.1:5173".into(),
                "https://pos.example".into(),
            ])
        );
        assert_eq!(origins("*").unwrap(), CorsOrigins::Any);
        assert_eq!(origins("").unwrap(), CorsOrigins::Listed(vec![]));
        for bad in [
            "shop.example",
            "https://shop.example/",
            "https://shop.example/app",
            "https://shop.example?x=1",
            "https://user@shop.example",
            "ftp://shop.example",
            "*, https://shop.example",
            "https://",
            "https:shop.example",
        ] {
            let err = origins(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("KRIYA_CORS_ORIGINS:"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn order_holds_and_limits_have_defaults_and_the_old_hold_still_sets_both() {
        use crate::domain::order::{FairUse, Holds};
        let build = |pairs: &[(&str, &str)]| RawConfig::from_vars(&vars(pairs)).unwrap().build();
        let config = build(&[]).unwrap();
        assert_eq!(config.order_holds, Holds::default());
        assert_eq!(config.order_holds.confirm, chrono::Duration::hours(24));
        assert_eq!(config.order_fair_use, FairUse::default());
        assert_eq!(config.checkout_rate_limit_per_minute, 10);
        let config = build(&[("KRIYA_ORDER_HOLD_HOURS", "36")]).unwrap();
        assert_eq!(config.order_holds.confirm, chrono::Duration::hours(36));
        assert_eq!(config.order_holds.payment, chrono::Duration::hours(36));
        let config = build(&[
            ("KRIYA_ORDER_HOLD_HOURS", "36"),
            ("KRIYA_ORDER_CONFIRM_HOLD_HOURS", "0.5"),
        ])
        .unwrap();
        assert_eq!(config.order_holds.confirm, chrono::Duration::minutes(30));
        assert_eq!(config.order_holds.payment, chrono::Duration::hours(36));
        let config = build(&[
            ("KRIYA_ORDER_MAX_UNITS_PER_VARIANT", "5"),
            ("KRIYA_ORDER_MAX_OPEN_PARTS", "3"),
            ("KRIYA_CHECKOUT_RATE_LIMIT_PER_MINUTE", "2"),
            ("KRIYA_ORDER_MAX_SHARE_PERCENT", "100"),
        ])
        .unwrap();
        assert_eq!(
            config.order_fair_use,
            FairUse {
                max_units_per_variant: 5,
                max_open_parts: 3,
                max_share_percent: 100,
            }
        );
        assert_eq!(config.checkout_rate_limit_per_minute, 2);
        for (name, value) in [
            ("KRIYA_ORDER_HOLD_HOURS", "0"),
            ("KRIYA_ORDER_CONFIRM_HOLD_HOURS", "721"),
            ("KRIYA_ORDER_PAYMENT_HOLD_HOURS", "soon"),
            ("KRIYA_ORDER_MAX_UNITS_PER_VARIANT", "0"),
            ("KRIYA_ORDER_MAX_OPEN_PARTS", "-1"),
            ("KRIYA_ORDER_MAX_SHARE_PERCENT", "101"),
            ("KRIYA_CHECKOUT_RATE_LIMIT_PER_MINUTE", "0"),
        ] {
            let err = build(&[(name, value)]).unwrap_err();
            assert!(err.to_string().starts_with(&format!("{name}:")), "{err}");
        }
    }

    #[test]
    fn postgres_requires_a_jwt_secret() {
        let err = RawConfig::from_vars(&vars(&[("KRIYA_DATABASE_URL", "postgres://localhost/k")]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().starts_with("KRIYA_JWT_SECRET:"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kriya.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\nworkers = 3\n").unwrap();
        let p = path.to_str().unwrap();
        let config = RawConfig::from_vars(&vars(&[("KRIYA_CONFIG", p), ("KRIYA_WORKERS", "5")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(config.workers, 5);
        std::fs::write(&path, "workers = \"many\"\n").unwrap();
        let err = RawConfig::from_vars(&vars(&[("KRIYA_CONFIG", p)]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("workers (in"), "{err}");
    }
}
