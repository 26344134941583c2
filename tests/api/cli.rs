//! The command line: configuration errors name their variable; `user create` makes an admin.

use std::process::Command;

fn kriya() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kriya"))
}

#[test]
fn a_bad_setting_is_a_startup_error_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = kriya()
        .arg("serve")
        .env("KRIYA_DATA_DIR", dir.path())
        .env("KRIYA_BIND", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("KRIYA_BIND"), "{stderr}");

    let out = kriya()
        .arg("migrate")
        .env("KRIYA_DATABASE_URL", "postgres://127.0.0.1:1/x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KRIYA_JWT_SECRET"));
}

#[test]
fn user_create_makes_an_admin_and_migrate_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = kriya()
            .args(args)
            .env("KRIYA_DATA_DIR", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["migrate"]);
    run(&["migrate"]);
    let out = run(&[
        "user",
        "create",
        "--role",
        "admin",
        "--email",
        "curator@malangkota.go.id",
        "--password",
        "a-long-password",
    ]);
    assert!(out.contains("created admin"), "{out}");
    let again = kriya()
        .args([
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "curator@malangkota.go.id",
            "--password",
            "a-long-password",
        ])
        .env("KRIYA_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!again.status.success(), "a taken e-mail is refused");
}

#[test]
fn the_embedded_default_generates_the_jwt_secret_once() {
    let dir = tempfile::tempdir().unwrap();
    let build = || {
        let mut raw = kriya::config::RawConfig::from_vars(&Default::default()).unwrap();
        raw.set("data_dir", dir.path().to_string_lossy());
        raw.set("bind", "127.0.0.1:0");
        let config = raw.build().unwrap();
        assert!(config.jwt_secret.is_none());
        drop(kriya::app::Application::build(&config).unwrap());
        std::fs::read_to_string(dir.path().join("jwt_secret")).unwrap()
    };
    let first = build();
    assert!(first.len() >= 32);
    assert_eq!(build(), first, "kept across restarts");
}
