//! The connection pool checks a connection at checkout without a round trip, and still never
//! hands out one the server has closed.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer};
use kriya::db::connection::{DbUrl, build_pool};

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

#[derive(QueryableByName)]
struct Killed {
    #[diesel(sql_type = Bool)]
    killed: bool,
}

#[test]
fn on_postgres_a_session_killed_while_idle_is_replaced_at_checkout() {
    let Some(url) = crate::support::postgres_url() else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let pool = build_pool(&DbUrl::Postgres(url.clone()), 1).unwrap();
    let pid = |conn: &mut kriya::db::DbConn| {
        diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<Pid>(conn)
            .unwrap()
            .pid
    };
    let first = pid(&mut pool.get().unwrap());
    let mut other = PgConnection::establish(&url).unwrap();
    let killed: Killed = diesel::sql_query("SELECT pg_terminate_backend($1) AS killed")
        .bind::<Integer, _>(first)
        .get_result(&mut other)
        .unwrap();
    assert!(killed.killed);
    std::thread::sleep(std::time::Duration::from_millis(200));
    // The pool's only connection is dead: the checkout notices and connects afresh.
    let second = pid(&mut pool.get().unwrap());
    assert_ne!(first, second);
}
