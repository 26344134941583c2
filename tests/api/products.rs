use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, fields, problem, product_body};

fn count(app: &TestApp, table: &str) -> i64 {
    use diesel::prelude::*;
    use kriya::db::schema::{product_variants, products};
    app.db(|c| match table {
        "products" => products::table.count().get_result(c),
        _ => product_variants::table.count().get_result(c),
    })
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

both_backends! {
    async fn a_product_without_variants_gets_one_default_variant(app) {
        let seller = app.active_seller().await;
        let body = product_body();
        let res = app.post("/v1/products", Some(&seller.token), body.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers().get("etag").unwrap(), "\"v1\"");
        let location = res.headers().get("location").unwrap().to_str().unwrap().to_owned();
        let product: Value = res.json().await.unwrap();
        assert_eq!(location, format!("/v1/products/{}", id(&product)));
        assert_eq!(product["status"], "draft");
        assert_eq!(product["price_idr"], 185555);
        assert_eq!(product["seller_id"], seller.seller_id());
        let variants = product["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 1);
        assert_eq!(variants[0]["sku"], body["sku"]);
        assert_eq!(variants[0]["price_idr"], 185555);
        assert_eq!(variants[0]["options"], json!({}));
        assert_eq!((count(&app, "products"), count(&app, "variants")), (1, 1));
    }

    async fn a_product_lists_its_variants(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({
            "category": "batik", "technique": "Batik Tulis", "materials": ["cotton", "indigo"], "sku": "KMJ-01",
            "price_idr": 350000,
            "variants": [
                {"sku": "KMJ-01-M", "options": {"size": "M", "colour": "indigo"}},
                {"sku": "KMJ-01-XL", "options": {"size": "XL", "colour": "indigo"}, "price_idr": 375000}
            ]
        })).await;
        let variants = product["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 2);
        assert_eq!(variants[0]["price_idr"], 350000);
        assert_eq!(variants[1]["price_idr"], 375000);
        assert_eq!(variants[1]["options"]["size"], "XL");
        assert_eq!(product["technique"], "batik tulis");
        let fetched: Value = app.get(&format!("/v1/products/{}", id(&product)), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(fetched["variants"], product["variants"]);
    }

    async fn skus_are_unique_per_seller(app) {
        let seller = app.active_seller().await;
        let first = app.create_product(&seller, json!({"sku": "LEAF-1"})).await;
        let mut dup = product_body();
        dup["sku"] = json!("LEAF-1");
        problem(app.post("/v1/products", Some(&seller.token), dup).await, 409).await;
        let mut body = product_body();
        body["variants"] = json!([{"sku": "LEAF-1", "options": {"size": "S"}}, {"sku": "LEAF-2", "options": {"size": "M"}}]);
        problem(app.post("/v1/products", Some(&seller.token), body).await, 409).await;
        assert_eq!((count(&app, "products"), count(&app, "variants")), (1, 1), "a refused product leaves nothing");
        let other = app.active_seller().await;
        app.create_product(&other, json!({"sku": "LEAF-1"})).await;
        assert_eq!(first["sku"], "LEAF-1");
    }

    async fn validation_names_every_bad_field(app) {
        let seller = app.active_seller().await;
        let res = app.post("/v1/products", Some(&seller.token), json!({
            "title": "ab", "description": "ok", "category": "cars", "technique": "x", "materials": [],
            "price_idr": 0, "sku": "bad sku", "weight_grams": 0, "dimensions_cm": {"length": -1, "width": 1, "height": 1},
            "variants": [{"sku": "A", "options": {"size": "M"}}, {"sku": "A", "options": {"size": "L"}}, {"sku": "no good"}]
        })).await;
        let body = problem(res, 422).await;
        let mut got = fields(&body);
        got.sort();
        let mut want = vec!["title", "category", "technique", "materials", "price_idr", "sku", "weight_grams",
            "dimensions_cm", "variants[2].sku", "variants[1]"];
        want.sort();
        assert_eq!(got, want);
        let body = problem(app.post("/v1/products", Some(&seller.token), json!({})).await, 422).await;
        let mut got = fields(&body);
        got.sort();
        assert_eq!(got, vec!["category", "description", "materials", "price_idr", "sku", "technique", "title", "weight_grams"]);
        assert_eq!(count(&app, "products"), 0);
    }

    async fn drafts_are_visible_only_to_their_seller_and_admins(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let path = format!("/v1/products/{}", id(&product));
        assert_eq!(app.get(&path, Some(&seller.token)).await.status(), StatusCode::OK);
        problem(app.get(&path, None).await, 404).await;
        let other = app.active_seller().await;
        problem(app.get(&path, Some(&other.token)).await, 404).await;
        let buyer = app.register("buyer").await;
        problem(app.get(&path, Some(&buyer.token)).await, 404).await;
        let hotel = app.register("hotel").await;
        problem(app.get(&path, Some(&hotel.token)).await, 404).await;
        let admin = app.admin().await;
        assert_eq!(app.get(&path, Some(&admin.token)).await.status(), StatusCode::OK);
    }

    async fn patch_honours_if_match(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let path = format!("/v1/products/{}", id(&product));
        let res = app.client.patch(app.url(&path)).bearer_auth(&seller.token).header("if-match", "\"v1\"")
            .json(&json!({"price_idr": 195000, "title_en": null, "materials": ["Copper", "resin"]})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers().get("etag").unwrap(), "\"v2\"");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["price_idr"], 195000);
        assert_eq!(body["title_en"], Value::Null);
        assert_eq!(body["materials"], json!(["copper", "resin"]));
        assert_eq!(body["variants"][0]["price_idr"], 195000, "the default variant follows the product price");
        assert_eq!(body["title"], product["title"], "fields left out are kept");

        let res = app.client.patch(app.url(&path)).bearer_auth(&seller.token).header("if-match", "\"v1\"")
            .json(&json!({"price_idr": 1})).send().await.unwrap();
        problem(res, 412).await;
        let res = app.client.patch(app.url(&path)).bearer_auth(&seller.token)
            .json(&json!({"price_idr": -5, "title": "", "weight_grams": 0})).send().await.unwrap();
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), vec!["title", "price_idr", "weight_grams"]);
        let stored: Value = app.get(&path, Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(stored["price_idr"], 195000, "refused edits change nothing");
    }

    async fn concurrent_patches_with_one_etag_let_exactly_one_win(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let url = app.url(&format!("/v1/products/{}", id(&product)));
        let mut tasks = Vec::new();
        for i in 0..6 {
            let (client, url, token) = (app.client.clone(), url.clone(), seller.token.clone());
            tasks.push(tokio::spawn(async move {
                client.patch(url).bearer_auth(token).header("if-match", "\"v1\"")
                    .json(&json!({"price_idr": 100000 + i})).send().await.unwrap().status()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().as_u16());
        }
        statuses.sort();
        assert_eq!(statuses, vec![200, 412, 412, 412, 412, 412]);
        let stored: Value = app.get(&format!("/v1/products/{}", id(&product)), Some(&seller.token)).await.json().await.unwrap();
        let price = stored["price_idr"].as_i64().unwrap();
        assert!((100000..100006).contains(&price));
    }

    async fn other_sellers_and_roles_cannot_change_a_product(app) {
        let seller = app.active_seller().await;
        let draft = app.create_product(&seller, json!({})).await;
        let published = app.published_product(&seller).await;
        let other = app.active_seller().await;
        let buyer = app.register("buyer").await;
        let admin = app.admin().await;
        for (product, other_status) in [(&draft, 404), (&published, 403)] {
            let path = format!("/v1/products/{}", id(product));
            let calls: Vec<(Method, String, Option<Value>)> = vec![
                (Method::PATCH, path.clone(), Some(json!({"price_idr": 1}))),
                (Method::DELETE, path.clone(), None),
                (Method::POST, format!("{path}/publish"), Some(json!({}))),
                (Method::POST, format!("{path}/unpublish"), Some(json!({}))),
            ];
            for (method, p, body) in calls {
                problem(app.request(method.clone(), &p, Some(&other.token), body.clone()).await, other_status).await;
                problem(app.request(method.clone(), &p, Some(&buyer.token), body.clone()).await, 403).await;
                problem(app.request(method.clone(), &p, Some(&admin.token), body.clone()).await, 403).await;
                problem(app.request(method.clone(), &p, None, body.clone()).await, 401).await;
            }
        }
        let stored: Value = app.get(&format!("/v1/products/{}", id(&published)), None).await.json().await.unwrap();
        assert_eq!(stored["status"], "published");
        assert_eq!(stored["price_idr"], 185555);
    }

    async fn publish_unpublish_and_archive(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let path = format!("/v1/products/{}", id(&product));
        let res = app.post(&format!("{path}/publish"), Some(&seller.token), json!({})).await;
        problem(res, 409).await;
        app.add_photo(&seller, id(&product)).await;
        let res = app.post(&format!("{path}/publish"), Some(&seller.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "published");
        assert!(body["published_at"].is_string());
        assert_eq!(app.get(&path, None).await.status(), StatusCode::OK);

        let res = app.post(&format!("{path}/unpublish"), Some(&seller.token), json!({})).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "draft");
        problem(app.get(&path, None).await, 404).await;

        let res = app.request(Method::DELETE, &path, Some(&seller.token), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let body: Value = app.get(&path, Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(body["status"], "archived");
        problem(app.post(&format!("{path}/publish"), Some(&seller.token), json!({})).await, 409).await;
        problem(app.request(Method::PATCH, &path, Some(&seller.token), Some(json!({"price_idr": 5}))).await, 409).await;
        assert_eq!(app.request(Method::DELETE, &path, Some(&seller.token), None).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(count(&app, "products"), 1, "archiving keeps the row");
    }

    async fn list_filters_and_pages(app) {
        let a = app.active_seller().await;
        let b = app.active_seller().await;
        let mut a_published = Vec::new();
        for _ in 0..3 {
            a_published.push(id(&app.published_product(&a).await).to_owned());
        }
        let batik = app.create_product(&b, json!({"category": "batik"})).await;
        app.add_photo(&b, id(&batik)).await;
        app.post(&format!("/v1/products/{}/publish", id(&batik)), Some(&b.token), json!({})).await;
        let a_draft = app.create_product(&a, json!({})).await;
        let b_draft = app.create_product(&b, json!({})).await;

        let all: Value = app.get("/v1/products", None).await.json().await.unwrap();
        assert_eq!(all["items"].as_array().unwrap().len(), 4);
        let only_b: Value = app.get(&format!("/v1/products?seller_id={}", b.seller_id()), None).await.json().await.unwrap();
        assert_eq!(only_b["items"].as_array().unwrap().len(), 1);
        let only_batik: Value = app.get("/v1/products?category=batik", None).await.json().await.unwrap();
        assert_eq!(id(&only_batik["items"][0]), id(&batik));

        let drafts: Value = app.get("/v1/products?status=draft", Some(&a.token)).await.json().await.unwrap();
        let draft_ids: Vec<&str> = drafts["items"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(draft_ids, vec![id(&a_draft)], "a seller sees only its own drafts");
        let anon: Value = app.get("/v1/products?status=draft", None).await.json().await.unwrap();
        assert!(anon["items"].as_array().unwrap().is_empty());
        let admin = app.admin().await;
        let every: Value = app.get("/v1/products?status=draft", Some(&admin.token)).await.json().await.unwrap();
        assert_eq!(every["items"].as_array().unwrap().len(), 2);
        assert!(every["items"].as_array().unwrap().iter().any(|p| id(p) == id(&b_draft)));

        let mut seen = Vec::new();
        let mut path = format!("/v1/products?seller_id={}&limit=2", a.seller_id());
        loop {
            let page: Value = app.get(&path, None).await.json().await.unwrap();
            seen.extend(page["items"].as_array().unwrap().iter().map(|p| id(p).to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/v1/products?seller_id={}&limit=2&cursor={c}", a.seller_id()),
                None => break,
            }
        }
        a_published.reverse();
        assert_eq!(seen, a_published);

        // The seller itself listing its own products sees every status unless it asks for one;
        // another seller asking the same list sees the catalogue only.
        let own = format!("/v1/products?seller_id={}", a.seller_id());
        let mine: Value = app.get(&own, Some(&a.token)).await.json().await.unwrap();
        let mine: Vec<&str> = mine["items"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(mine.len(), 4, "three published and the draft");
        assert_eq!(mine[0], id(&a_draft), "newest first");
        let published: Value = app.get(&format!("{own}&status=published"), Some(&a.token)).await.json().await.unwrap();
        assert_eq!(published["items"].as_array().unwrap().len(), 3);
        let theirs: Value = app.get(&own, Some(&b.token)).await.json().await.unwrap();
        assert_eq!(theirs["items"].as_array().unwrap().len(), 3, "no one else's drafts");
    }

    async fn racing_publish_and_archive_never_resurrect_a_product(app) {
        let seller = app.active_seller().await;
        for _ in 0..5 {
            let product = app.create_product(&seller, json!({})).await;
            app.add_photo(&seller, id(&product)).await;
            let path = format!("/v1/products/{}", id(&product));
            let publish = app.client.post(app.url(&format!("{path}/publish"))).bearer_auth(&seller.token).json(&json!({})).send();
            let archive = app.client.delete(app.url(&path)).bearer_auth(&seller.token).send();
            let (publish, archive) = tokio::join!(publish, archive);
            let (publish, archive) = (publish.unwrap().status().as_u16(), archive.unwrap().status().as_u16());
            assert!(matches!(publish, 200 | 409), "publish {publish}");
            assert!(matches!(archive, 204 | 409), "archive {archive}");
            let stored: Value = app.get(&path, Some(&seller.token)).await.json().await.unwrap();
            if archive == 204 {
                assert_eq!(stored["status"], "archived", "publish {publish} after archive");
            }
        }
    }
}
