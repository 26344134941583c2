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
            // The request body and the successful answers (not the shared problem schema).
            let mut shown: Vec<&Value> = op.get("requestBody").into_iter().collect();
            for (code, res) in op["responses"].as_object().unwrap() {
                // Image bytes cannot be written as a JSON example (utoipa's `example` holds only
                // a JSON value), so an answer whose content types are all `image/*` needs none.
                let image_only = res["content"]
                    .as_object()
                    .is_some_and(|c| c.keys().all(|t| t.starts_with("image/")));
                if code.starts_with('2') && res.get("content").is_some() && !image_only {
                    shown.push(res);
                }
            }
            assert!(
                shown.is_empty() || shown.iter().any(|part| has_example(part, &doc, 3)),
                "{method} {path} shows no example (of its body or a schema it uses)"
            );
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

/// Whether `node` holds an example, directly or in a schema it refers to (`depth` levels).
fn has_example(node: &Value, doc: &Value, depth: usize) -> bool {
    match node {
        Value::Object(map) => map.iter().any(|(k, v)| {
            k == "example"
                || k == "examples"
                || (k == "$ref" && depth > 0 && {
                    let name = v.as_str().unwrap().rsplit('/').next().unwrap();
                    has_example(&doc["components"]["schemas"][name], doc, depth - 1)
                })
                || has_example(v, doc, depth)
        }),
        Value::Array(items) => items.iter().any(|v| has_example(v, doc, depth)),
        _ => false,
    }
}
