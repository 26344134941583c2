//! The checked-in OpenAPI document is the one the code produces and serves.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;

fn checked_in() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .expect("openapi/openapi.json")
}

#[test]
fn checked_in_document_matches_kriya_openapi() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kriya"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    assert!(
        generated.trim_end() == checked_in().trim_end(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_has_a_summary_and_error_responses() {
    let doc: Value = serde_json::from_str(&checked_in()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["summary"].is_string(), "{method} {path} has no summary");
            let responses = op["responses"].as_object().unwrap();
            if path.starts_with("/v1/") && path != "/v1/categories" && method != "get" {
                assert!(
                    responses.keys().any(|k| k.starts_with('4')),
                    "{method} {path} documents no 4xx"
                );
            }
        }
    }
}

both_backends! {
    async fn the_document_is_served(app) {
        let res = app.get("/v1/openapi.json", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let served: Value = res.json().await.unwrap();
        let file: Value = serde_json::from_str(&checked_in()).unwrap();
        assert_eq!(served, file);
    }
}
