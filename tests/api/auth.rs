use kriya::auth::jwt::JwtKeys;
use kriya::domain::account::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::support::{Backend, TestApp, fields, problem};

both_backends! {
    async fn register_each_role_and_sellers_start_pending(app) {
        for (role, status) in [("buyer", "active"), ("seller", "pending"), ("hotel", "pending")] {
            let account = app.register_through_api(role).await;
            assert_eq!(account.user["role"], role);
            assert_eq!(account.user["status"], status);
            let me: Value = app.get("/v1/me", Some(&account.token)).await.json().await.unwrap();
            assert_eq!(me["email"], account.email.as_str());
            assert_eq!(me["status"], status);
        }
        let users: i64 = app.db(|c| {
            use diesel::prelude::*;
            kriya::db::schema::users::table.count().get_result(c)
        });
        assert_eq!(users, 3);
    }

    async fn registering_a_taken_email_is_409(app) {
        let account = app.register("buyer").await;
        let res = app.post("/v1/auth/register", None,
            json!({"email": account.email.to_uppercase(), "password": "another-password", "name": "X", "role": "buyer"})).await;
        problem(res, 409).await;
    }

    async fn registration_names_every_bad_field_and_refuses_admin(app) {
        let res = app.post("/v1/auth/register", None, json!({"email": "nope", "password": "short", "role": "admin"})).await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), vec!["email", "password", "name", "role"]);
        let users: i64 = app.db(|c| {
            use diesel::prelude::*;
            kriya::db::schema::users::table.count().get_result(c)
        });
        assert_eq!(users, 0, "nothing written");
    }

    async fn login_with_a_wrong_password_or_unknown_email_is_401(app) {
        let account = app.register("buyer").await;
        let res = app.post("/v1/auth/login", None, json!({"email": account.email, "password": "wrong-password!"})).await;
        problem(res, 401).await;
        let res = app.post("/v1/auth/login", None, json!({"email": "ghost@example.id", "password": "whatever-pass"})).await;
        problem(res, 401).await;
    }

    async fn me_needs_a_valid_token(app) {
        problem(app.get("/v1/me", None).await, 401).await;
        problem(app.get("/v1/me", Some("not.a.jwt")).await, 401).await;
        let res = app.client.get(app.url("/v1/me")).header("authorization", "Basic YTpi").send().await.unwrap();
        assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
        problem(res, 401).await;
        let forged = JwtKeys::new(b"some-other-secret-some-other-secret", 60).issue(Uuid::now_v7(), Role::Admin).unwrap();
        problem(app.get("/v1/me", Some(&forged)).await, 401).await;
    }

    async fn refresh_rotates_and_reuse_revokes_the_sign_in(app) {
        let account = app.register("buyer").await;
        let res = app.post("/v1/auth/refresh", None, json!({"refresh_token": account.refresh_token})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let second: Value = res.json().await.unwrap();
        let second_refresh = second["refresh_token"].as_str().unwrap();
        assert_ne!(second_refresh, account.refresh_token);
        assert_eq!(app.get("/v1/me", Some(second["access_token"].as_str().unwrap())).await.status(), StatusCode::OK);

        // The first token again: refused, and the whole family is revoked.
        let res = app.post("/v1/auth/refresh", None, json!({"refresh_token": account.refresh_token})).await;
        problem(res, 401).await;
        let res = app.post("/v1/auth/refresh", None, json!({"refresh_token": second_refresh})).await;
        problem(res, 401).await;

        // Tokens are stored hashed, never in the clear.
        let stored: Vec<String> = app.db(|c| {
            use diesel::prelude::*;
            kriya::db::schema::refresh_tokens::table.select(kriya::db::schema::refresh_tokens::token_hash).load(c)
        });
        assert!(!stored.iter().any(|h| h == &account.refresh_token || h == second_refresh));
    }

    async fn concurrent_refreshes_with_one_token_issue_at_most_one_pair(app) {
        let account = app.register("buyer").await;
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (client, url, token) = (app.client.clone(), app.url("/v1/auth/refresh"), account.refresh_token.clone());
            tasks.push(tokio::spawn(async move {
                client.post(url).json(&json!({"refresh_token": token})).send().await.unwrap().status()
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::OK => ok += 1,
                StatusCode::UNAUTHORIZED => {}
                other => panic!("unexpected {other}"),
            }
        }
        assert!(ok <= 1, "{ok} refreshes succeeded with one token");
    }

    async fn logout_revokes_the_refresh_token(app) {
        let account = app.register("buyer").await;
        let res = app.post("/v1/auth/logout", None, json!({"refresh_token": account.refresh_token})).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app.post("/v1/auth/refresh", None, json!({"refresh_token": account.refresh_token})).await;
        problem(res, 401).await;
        let res = app.post("/v1/auth/logout", None, json!({"refresh_token": "unknown"})).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    async fn expired_refresh_tokens_are_forgotten(app) {
        use diesel::prelude::*;
        use kriya::db::schema::refresh_tokens::dsl::*;
        let old = app.register("buyer").await;
        let current = app.register("buyer").await;
        let count = |app: &TestApp| app.db(|c| refresh_tokens.count().get_result::<i64>(c));
        assert_eq!(count(&app), 2);
        let stale = kriya::db::portable::DbTime(chrono::Utc::now() - chrono::Duration::days(1));
        let old_user = Uuid::parse_str(old.user["id"].as_str().unwrap()).unwrap();
        app.db(|c| {
            diesel::update(refresh_tokens.filter(user_id.eq(kriya::db::portable::DbId(old_user))))
                .set(expires_at.eq(stale))
                .execute(c)
        });
        let swept = app.db(|c| kriya::janitor::sweep(c, chrono::Utc::now()));
        assert_eq!(swept.refresh_tokens, 1);
        assert_eq!(count(&app), 1, "the live token stays");
        let res = app.post("/v1/auth/refresh", None, json!({"refresh_token": current.refresh_token})).await;
        assert_eq!(res.status(), StatusCode::OK);
        problem(app.post("/v1/auth/refresh", None, json!({"refresh_token": old.refresh_token})).await, 401).await;
    }

    async fn me_shows_a_hotel_account_its_hotel(app) {
        let account = app.register("hotel").await;
        let me: Value = app.get("/v1/me", Some(&account.token)).await.json().await.unwrap();
        assert!(me.get("hotel_id").is_none(), "no hotel registered yet: {me}");
        let (hotel, hotel_id) = app.active_hotel().await;
        let me: Value = app.get("/v1/me", Some(&hotel.token)).await.json().await.unwrap();
        assert_eq!((me["hotel_id"].as_str(), me["status"].as_str()), (Some(hotel_id.as_str()), Some("active")));
    }
}

async fn rate_limit_on_login(backend: Backend) {
    let Some(app) =
        TestApp::spawn_with(backend, |raw| raw.set("auth_rate_limit_per_minute", "3")).await
    else {
        return;
    };
    for _ in 0..3 {
        let res = app
            .post(
                "/v1/auth/login",
                None,
                json!({"email": "x@example.id", "password": "whatever-pass"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app
        .post(
            "/v1/auth/login",
            None,
            json!({"email": "x@example.id", "password": "whatever-pass"}),
        )
        .await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    problem(res, 429).await;
    let res = app.post("/v1/auth/register", None, json!({"email": "y@example.id", "password": "whatever-pass", "name": "Y", "role": "buyer"})).await;
    problem(res, 429).await;
}

mod rate_limit {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        rate_limit_on_login(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        rate_limit_on_login(Backend::Postgres).await;
    }
}

/// Behind one trusted proxy, clients are told apart by the address the proxy saw (the last
/// `X-Forwarded-For` entry), and what a client claims further left changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_each_client_has_its_own_limit() {
    let app = TestApp::spawn_with(Backend::Sqlite, |raw| {
        raw.set("auth_rate_limit_per_minute", "2");
        raw.set("trusted_proxy_hops", "1");
    })
    .await
    .unwrap();
    let login = |forwarded: &'static str| {
        app.client
            .post(app.url("/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": "x@example.id", "password": "whatever-pass"}))
            .send()
    };
    for spoof in ["1.1.1.1, 203.0.113.7", "9.9.9.9, 203.0.113.7"] {
        assert_eq!(
            login(spoof).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("8.8.8.8, 203.0.113.7").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a claimed address does not reset the limit"
    );
    assert_eq!(
        login("203.0.113.8").await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy is not limited"
    );
}
