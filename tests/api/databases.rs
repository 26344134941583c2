//! Test databases. Each test gets a database of its own, copied from a template that was
//! migrated once: on PostgreSQL `CREATE DATABASE … TEMPLATE`, on SQLite a copy of a migrated
//! file. A template is named by a hash of its backend's migration files, so it is made again
//! only when a migration changes, and reused by every run until then.
//!
//! PostgreSQL test databases are named `kriya_t_<pid>_<n>` and not dropped one by one (a drop
//! costs as much as the test): the first test of a run drops those left by runs whose process
//! has ended, in the background, and CI drops its run's when it ends.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use kriya::db::DbConn;
use kriya::db::connection::run_migrations;
use sha2::{Digest, Sha256};

/// A hash of the migration files of one backend (`postgres` or `sqlite`).
fn migrations_hash(backend: &str) -> String {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("migrations folder") {
            let path = entry.expect("migration entry").path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(
            file.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .as_bytes(),
        );
        hash.update([0]);
        hash.update(std::fs::read(&file).expect("migration file"));
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..8])
}

/// `base` (a PostgreSQL URL) naming database `name` instead, with the session settings the
/// tests use: commits do not wait for the disk (a test never survives a crash of the server).
pub fn pg_url_for(base: &str, name: &str) -> String {
    let mut url = url::Url::parse(base).expect("KRIYA_TEST_DATABASE_URL is a URL");
    url.set_path(&format!("/{name}"));
    url.query_pairs_mut()
        .append_pair("options", "-csynchronous_commit=off");
    url.to_string()
}

/// The advisory-lock key under which a template is made (`kriyat` in ASCII).
const TEMPLATE_LOCK: i64 = 0x6b72_6979_6174;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

fn database_names(conn: &mut PgConnection, like: &str) -> Vec<String> {
    diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE $1")
        .bind::<diesel::sql_types::Text, _>(like)
        .load::<Name>(conn)
        .expect("list databases")
        .into_iter()
        .map(|n| n.datname)
        .collect()
}

/// The migrated template for this run's migrations, made if it does not exist yet.
fn pg_template(base: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("kriya_tpl_{}", migrations_hash("postgres"));
        let mut conn = PgConnection::establish(base).expect("connect to KRIYA_TEST_DATABASE_URL");
        conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
            .expect("template lock");
        if database_names(&mut conn, &name).is_empty() {
            // Runs against other base databases do not share the lock: each builds under a
            // name of its own, and the first rename wins.
            let building = format!("kriya_tpl_building_{}", std::process::id());
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
                .expect("drop a half-made template");
            conn.batch_execute(&format!("CREATE DATABASE {building}"))
                .expect("create the template");
            {
                let pg = PgConnection::establish(&pg_url_for(base, &building))
                    .expect("connect to the template");
                run_migrations(&mut DbConn::Pg(pg)).expect("migrate the template");
            }
            // Renamed only once whole, so a template that exists is always complete.
            if conn
                .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .is_err()
            {
                assert!(
                    !database_names(&mut conn, &name).is_empty(),
                    "template {name} made"
                );
                let _ = conn.batch_execute(&format!("DROP DATABASE {building}"));
            }
        }
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
            .expect("template unlock");
        let base = base.to_owned();
        std::thread::spawn(move || drop_leftovers(&base));
        name
    })
}

/// Drops the test databases of runs that have ended. A drop waits for a checkpoint (about a
/// second), so four run at once: concurrent drops share checkpoints.
fn drop_leftovers(base: &str) {
    let Ok(mut conn) = PgConnection::establish(base) else {
        return;
    };
    let leftovers = [
        database_names(&mut conn, "kriya\\_t\\_%"),
        database_names(&mut conn, "kriya\\_tpl\\_building\\_%"),
    ];
    let ended: Vec<String> = leftovers
        .concat()
        .into_iter()
        .filter(|name| {
            let pid = name
                .rsplit('_')
                .nth(usize::from(name.starts_with("kriya_t_")))
                .and_then(|p| p.parse::<u32>().ok());
            pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists())
        })
        .collect();
    std::thread::scope(|s| {
        for chunk in ended.chunks(ended.len().div_ceil(4).max(1)) {
            s.spawn(move || {
                let Ok(mut conn) = PgConnection::establish(base) else {
                    return;
                };
                for name in chunk {
                    let _ =
                        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            });
        }
    });
}

/// A new migrated PostgreSQL database for one test; its URL.
pub fn pg_database(base: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let template = pg_template(base);
    let name = format!(
        "kriya_t_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = PgConnection::establish(base).expect("connect to KRIYA_TEST_DATABASE_URL");
    conn.batch_execute(&format!(
        "CREATE DATABASE {name} TEMPLATE {template} STRATEGY WAL_LOG"
    ))
    .expect("copy the template");
    pg_url_for(base, &name)
}

/// A migrated SQLite file for this run's migrations, made if it does not exist yet.
fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::env::temp_dir().join("kriya-test-templates");
        std::fs::create_dir_all(&dir).expect("template folder");
        let path = dir.join(format!("sqlite-{}.db", migrations_hash("sqlite")));
        if !path.exists() {
            let building = dir.join(format!("sqlite-building-{}.db", std::process::id()));
            let _ = std::fs::remove_file(&building);
            {
                let mut conn = DbConn::Sqlite(
                    SqliteConnection::establish(&building.to_string_lossy())
                        .expect("create the template"),
                );
                run_migrations(&mut conn).expect("migrate the template");
            }
            // Renamed only once whole (and closed), so a template that exists is complete.
            std::fs::rename(&building, &path).expect("name the template");
        }
        path
    })
}

/// A new migrated SQLite file for one test, at `path`.
pub fn sqlite_database(path: &Path) {
    std::fs::copy(sqlite_template(), path).expect("copy the template");
}
