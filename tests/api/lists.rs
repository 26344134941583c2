//! Every list is a cursor page (SPEC §2): `{items, next_cursor}` answering `?limit=` and
//! `?cursor=`, never a bare array. Read off the OpenAPI document, so a new list that forgets
//! fails here.

use serde_json::Value;

fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        schema = &doc["components"]["schemas"][name];
    }
    schema
}

#[test]
fn every_list_is_a_page_with_a_cursor() {
    let doc: Value = serde_json::from_str(&kriya::api::openapi_json()).unwrap();
    let mut wrong = Vec::new();
    let mut lists = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let Some(content) = get["responses"]["200"]["content"].as_object() else {
            continue;
        };
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for (media, body) in content {
            if !media.contains("json") {
                continue;
            }
            let schema = resolve(&doc, &body["schema"]);
            if schema["type"] == "array" {
                wrong.push(format!("GET {path} answers a bare array"));
                continue;
            }
            let props = &schema["properties"];
            // A resource that has an `id` and lines named `items` (a consignment) is one thing.
            if props.get("items").is_none() || props.get("id").is_some() {
                continue;
            }
            lists += 1;
            if props.get("next_cursor").is_none() {
                wrong.push(format!("GET {path} lists `items` without `next_cursor`"));
            }
            for wanted in ["limit", "cursor"] {
                if !params.contains(&wanted) {
                    wrong.push(format!("GET {path} lists without `?{wanted}=`"));
                }
            }
        }
    }
    assert!(lists >= 12, "the document lists {lists} collections");
    assert!(
        wrong.is_empty(),
        "lists that are not cursor pages:\n{}",
        wrong.join("\n")
    );
}
