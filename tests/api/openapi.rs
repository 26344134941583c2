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
                // Image and PDF bytes cannot be written as a JSON example (utoipa's `example`
                // holds only a JSON value), so an answer whose content types are all `image/*`
                // or `application/pdf` needs none.
                let bytes_only = res["content"].as_object().is_some_and(|c| {
                    c.keys()
                        .all(|t| t.starts_with("image/") || t == "application/pdf")
                });
                if code.starts_with('2') && res.get("content").is_some() && !bytes_only {
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

/// Path parameters that name something to look up, never parsed beyond that (an unknown
/// name is a 404, not a 422): a rendition's file name, a shelf label's code (a string that
/// is no code names nothing, like a code of someone else's).
const LOOKED_UP_BY_NAME: &[&str] = &["rendition", "code"];

/// Every status the extractors answer is documented on every operation that uses them:
/// the bearer token (401), JSON bodies (`api/json.rs`: 400, 413, 415, 422), path
/// parameters (an id that does not parse names nothing: 404; anything else in a path is
/// parsed: 422), query parameters (422), `If-Match` (412), `Idempotency-Key` (a malformed
/// key 400, a reused one 409).
#[test]
fn every_status_an_operation_can_answer_is_documented() {
    let doc: Value = serde_json::from_str(&checked_in()).unwrap();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let documented = op["responses"].as_object().unwrap();
            let mut need = |code: &str, why: &str| {
                if !documented.contains_key(code) {
                    missing.push(format!("{} {path}: {code} ({why})", method.to_uppercase()));
                }
            };
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                need("401", "it needs a token");
            }
            if op.get("requestBody").is_some() {
                for code in ["400", "413", "415", "422"] {
                    need(code, "it takes a body");
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" => {
                        need("404", &format!("path parameter `{name}`"));
                        let is_id = p["schema"]["format"] == "uuid";
                        if !is_id && !LOOKED_UP_BY_NAME.contains(&name) {
                            need("422", &format!("path parameter `{name}` is parsed"));
                        }
                    }
                    "query" => need("422", &format!("query parameter `{name}`")),
                    "header" if name.eq_ignore_ascii_case("If-Match") => {
                        need("412", "it honours If-Match");
                    }
                    "header" if name.eq_ignore_ascii_case("Idempotency-Key") => {
                        need("400", "a malformed Idempotency-Key");
                        need("409", "an Idempotency-Key reused for another request");
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented statuses:\n{}",
        missing.join("\n")
    );
}

/// Client generators need a schema for every body: a multipart upload's fields included.
#[test]
fn every_request_body_has_a_schema() {
    let doc: Value = serde_json::from_str(&checked_in()).unwrap();
    let resolve = |schema: &Value| match schema["$ref"].as_str() {
        Some(r) => doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone(),
        None => schema.clone(),
    };
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(body) = op.get("requestBody") else {
                continue;
            };
            for (media, content) in body["content"].as_object().unwrap() {
                assert!(
                    content.get("schema").is_some(),
                    "{method} {path} {media}: no schema"
                );
                if media == "multipart/form-data" {
                    let schema = resolve(&content["schema"]);
                    assert_eq!(schema["type"], "object", "{method} {path}: {schema}");
                    let file = &schema["properties"]["file"];
                    assert_eq!(
                        (file["type"].as_str(), file["format"].as_str()),
                        (Some("string"), Some("binary")),
                        "{method} {path}"
                    );
                    assert!(
                        schema["required"]
                            .as_array()
                            .unwrap()
                            .contains(&"file".into())
                    );
                }
            }
        }
    }
}

/// A POST whose fields are all optional takes no body at all (`api/json.rs`'s
/// `OptionalJson`), and says so.
#[test]
fn a_body_of_optional_fields_is_itself_optional() {
    let doc: Value = serde_json::from_str(&checked_in()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(body) = item["post"].get("requestBody") else {
            continue;
        };
        let Some(schema) = body["content"]["application/json"].get("schema") else {
            continue;
        };
        let schema = match schema["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
            None => schema,
        };
        let none_required = schema["required"].as_array().is_none_or(|r| r.is_empty());
        if none_required {
            assert_ne!(
                body["required"], true,
                "POST {path}: every field is optional, the body is required"
            );
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
