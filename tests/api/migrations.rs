//! Migrations run from an empty database on both backends, and a second run does nothing.

use kriya::db::connection::{build_pool, run_migrations};

use crate::support::{Backend, fresh_database};

fn from_empty(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some((url, _schema)) = fresh_database(backend, dir.path()) else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let pool = build_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let applied = run_migrations(&mut conn).unwrap();
    assert!(applied >= 1);
    assert_eq!(
        run_migrations(&mut conn).unwrap(),
        0,
        "a second run applies nothing"
    );
    use diesel::prelude::*;
    let categories: i64 = kriya::db::schema::categories::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(categories, 5);
    if let Some((base, schema)) = _schema {
        let mut c = diesel::PgConnection::establish(&base).unwrap();
        diesel::connection::SimpleConnection::batch_execute(
            &mut c,
            &format!("DROP SCHEMA {schema} CASCADE"),
        )
        .unwrap();
    }
}

mod from_empty {
    use super::*;

    #[test]
    fn sqlite() {
        from_empty(Backend::Sqlite);
    }

    #[test]
    fn postgres() {
        from_empty(Backend::Postgres);
    }
}

#[test]
fn a_wrong_database_url_reports_the_real_error() {
    let url = kriya::db::connection::DbUrl::Postgres("postgres://nobody@127.0.0.1:1/none".into());
    let err = build_pool(&url, 1).unwrap_err();
    assert!(err.to_lowercase().contains("connect"), "{err}");
}
