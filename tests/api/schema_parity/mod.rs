//! The PostgreSQL and SQLite migrations are written twice, by hand. A fresh database of each
//! is migrated and what they built is compared: tables, columns (types mapped between the
//! backends, nullability, defaults), primary keys, indexes and unique constraints (by columns,
//! partial ones by predicate) and foreign keys. A difference not in `INTENDED` fails, and so
//! does an entry of `INTENDED` that no longer differs. (CHECK constraints and triggers are
//! written in each backend's own dialect and are not compared.)

mod catalog;
mod compare;

use diesel::connection::SimpleConnection;
use kriya::db::DbConn;
use kriya::db::connection::{build_pool, run_migrations};

use self::catalog::{Index, Schema, read_postgres, read_sqlite};
use self::compare::{Intended, Kind, compare};
use crate::support::{Backend, fresh_database};

/// Every difference the two schemas are meant to have.
const INTENDED: &[Intended] = &[
    Intended {
        table: "order_numbers",
        subject: "",
        kind: Kind::Table,
        why: "order numbers come from a sequence per year on PostgreSQL (`next_order_number`, \
              000013), so taking one locks nothing; SQLite has no sequences, and with its one \
              writer at a time a counter row per year costs no wait",
    },
    Intended {
        table: "search_outbox",
        subject: "id",
        kind: Kind::Type,
        why: "a BIGSERIAL on PostgreSQL; on SQLite only a column declared exactly `INTEGER \
              PRIMARY KEY` is the rowid and counts up by itself (AUTOINCREMENT), and it holds \
              64 bits like a BIGINT",
    },
    Intended {
        table: "webhook_attempts",
        subject: "duration_ms",
        kind: Kind::Type,
        why: "declared INTEGER on SQLite (000008), BIGINT on PostgreSQL: SQLite gives both \
              words the same INTEGER affinity and stores 64-bit values in either, so nothing \
              stored or read differs; rebuilding the table to rename the word would change \
              nothing",
    },
    Intended {
        table: "*",
        subject: "*",
        kind: Kind::NullablePrimaryKey,
        why: "SQLite lets a PRIMARY KEY column other than an INTEGER PRIMARY KEY hold NULL \
              unless it says NOT NULL (a quirk kept for compatibility); Kriya always writes a \
              key (no key column is Nullable in `db::schema`), and making SQLite refuse NULL \
              would mean rebuilding every table",
    },
];

/// A migrated SQLite file, read.
fn migrated_sqlite() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = fresh_database(Backend::Sqlite, dir.path()).unwrap();
    let pool = build_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    let DbConn::Sqlite(c) = &mut *conn else {
        unreachable!("a sqlite:// URL opens SQLite")
    };
    read_sqlite(c)
}

/// A migrated PostgreSQL schema, read and dropped; `None` when no PostgreSQL is configured.
fn migrated_postgres() -> Option<Schema> {
    let dir = tempfile::tempdir().unwrap();
    let (url, place) = fresh_database(Backend::Postgres, dir.path())?;
    let (base, name) = place.expect("a PostgreSQL database has a schema of its own");
    let _drop = DropSchema { base, name };
    let pool = build_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    run_migrations(&mut conn).unwrap();
    let DbConn::Pg(c) = &mut *conn else {
        unreachable!("a postgres:// URL opens PostgreSQL")
    };
    Some(read_postgres(c))
}

/// Drops the test's PostgreSQL schema, however the test ends.
struct DropSchema {
    base: String,
    name: String,
}

impl Drop for DropSchema {
    fn drop(&mut self) {
        use diesel::Connection;
        if let Ok(mut c) = diesel::PgConnection::establish(&self.base) {
            let _ = c.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name));
        }
    }
}

#[test]
fn both_databases_are_migrated_to_the_same_schema() {
    let sqlite = migrated_sqlite();
    let Some(postgres) = migrated_postgres() else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    assert!(
        postgres.tables.len() > 30,
        "read {} tables",
        postgres.tables.len()
    );
    let found = compare(&postgres, &sqlite);
    let unintended: Vec<String> = found
        .iter()
        .filter(|d| !INTENDED.iter().any(|i| i.covers(d)))
        .map(ToString::to_string)
        .collect();
    let gone: Vec<String> = INTENDED
        .iter()
        .filter(|i| !found.iter().any(|d| i.covers(d)))
        .map(|i| format!("{:?} {} {} ({})", i.kind, i.table, i.subject, i.why))
        .collect();
    assert!(
        unintended.is_empty() && gone.is_empty(),
        "the two migrations disagree where nothing says they should:\n  {}\n\
         listed as intended but no longer different:\n  {}",
        unintended.join("\n  "),
        gone.join("\n  ")
    );
}

/// The reader sees what the comparison relies on, and the comparison reports each kind of
/// difference (shown on SQLite's schema against an altered copy, so it runs without
/// PostgreSQL too).
#[test]
fn the_comparison_sees_every_kind_of_difference() {
    let sqlite = migrated_sqlite();
    let agreements = &sqlite.tables["consignment_agreements"];
    assert!(agreements.indexes.contains(&Index {
        columns: vec!["seller_id".into(), "hotel_id".into()],
        unique: true,
        predicate: Some("status <> 'ended'".into()),
    }));
    assert_eq!(
        sqlite.tables["statements"].primary_key,
        ["agreement_id", "period"]
    );
    assert_eq!(sqlite.tables["users"].columns["created_at"].ty, "TEXT");
    assert!(!sqlite.tables["search_outbox"].columns["id"].nullable);
    assert!(compare(&sqlite, &sqlite).is_empty());

    let mut other = sqlite.clone();
    other.tables.remove("hotel_returns");
    let users = other.tables.get_mut("users").unwrap();
    users.columns.remove("name");
    users.columns.get_mut("email").unwrap().ty = "BIGINT".into();
    users.columns.get_mut("email").unwrap().nullable = true;
    users.columns.get_mut("id").unwrap().nullable = false;
    users.columns.get_mut("role").unwrap().default = Some("'buyer'".into());
    users.primary_key = vec!["email".into()];
    let products = other.tables.get_mut("products").unwrap();
    products.indexes.pop_first();
    products.foreign_keys.pop_first();
    let kinds: std::collections::BTreeSet<Kind> =
        compare(&other, &sqlite).iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            Kind::Table,
            Kind::Column,
            Kind::Type,
            Kind::Nullability,
            Kind::NullablePrimaryKey,
            Kind::Default,
            Kind::PrimaryKey,
            Kind::Index,
            Kind::ForeignKey,
        ]
    );
}
