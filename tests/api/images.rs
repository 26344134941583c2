//! Product photos on real files: renditions, orientation, stripped metadata, refusals that
//! leave nothing behind, and who may touch them.

use image::GenericImageView;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, fields, fixture, problem};

fn blob_files(app: &TestApp) -> usize {
    walk_files(&app.data_dir().join("blobs"))
}

fn image_rows(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    app.db(|c| {
        kriya::db::schema::product_images::table
            .count()
            .get_result(c)
    })
}

/// The JPEG has no APPn segment but JFIF (APP0) and no EXIF/XMP/ICC anywhere.
fn assert_no_metadata(bytes: &[u8]) {
    for needle in [
        &b"Exif"[..],
        b"GPS",
        b"http://ns.adobe.com/xap",
        b"ICC_PROFILE",
        b"samsung",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "metadata {:?} left in a rendition",
            String::from_utf8_lossy(needle)
        );
    }
}

async fn fetch(app: &TestApp, url: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = app.client.get(app.url(url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let headers = res.headers().clone();
    (headers, res.bytes().await.unwrap().to_vec())
}

both_backends! {
    async fn a_photo_gets_every_rendition_without_metadata(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let pid = product["id"].as_str().unwrap();
        let res = app.upload(Some(&seller.token), pid, "landscape.jpg", fixture("landscape.jpg")).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let image: Value = res.json().await.unwrap();
        assert_eq!((image["width"].as_i64(), image["height"].as_i64()), (Some(1600), Some(1200)));
        assert!(image["blurhash"].as_str().unwrap().len() >= 6);
        let renditions = image["renditions"].as_array().unwrap();
        let got: Vec<(u64, u64, &str)> = renditions.iter()
            .map(|r| (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap(), r["format"].as_str().unwrap())).collect();
        assert_eq!(got, vec![(1200, 900, "webp"), (1200, 900, "jpeg"), (480, 360, "webp"), (480, 360, "jpeg"), (160, 120, "webp"), (160, 120, "jpeg")]);
        for r in renditions {
            let url = r["url"].as_str().unwrap();
            let (headers, bytes) = fetch(&app, url).await;
            assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable");
            let etag = headers["etag"].to_str().unwrap().to_owned();
            assert!(etag.starts_with('"') && !etag.starts_with("W/"), "a strong ETag: {etag}");
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!(decoded.dimensions(), (r["width"].as_u64().unwrap() as u32, r["height"].as_u64().unwrap() as u32));
            if r["format"] == "webp" {
                assert_eq!(headers["content-type"], "image/webp");
                assert_eq!(&bytes[12..16], b"VP8 ", "lossy WebP (VP8), not lossless (VP8L)");
            } else {
                assert_eq!(headers["content-type"], "image/jpeg");
                assert_no_metadata(&bytes);
            }
            let res = app.client.get(app.url(url)).header("if-none-match", &etag).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        }
        let product: Value = app.get(&format!("/v1/products/{pid}"), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(product["images"][0]["id"], image["id"]);
        // The original is kept, but never served.
        let id = image["id"].as_str().unwrap();
        problem(app.get(&format!("/v1/images/{id}/original.jpg"), None).await, 404).await;
        problem(app.get(&format!("/v1/images/{id}/2400.webp"), None).await, 404).await;
        assert_eq!(blob_files(&app), 7, "the original and six renditions");
    }

    async fn a_sideways_photo_is_turned_upright_and_loses_its_gps(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let raw = fixture("sideways_gps.jpg");
        let res = app.upload(Some(&seller.token), product["id"].as_str().unwrap(), "IMG_2024.jpg", raw.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let image: Value = res.json().await.unwrap();
        assert_eq!((image["width"].as_i64(), image["height"].as_i64()), (Some(900), Some(1200)), "upright size");
        let sizes: Vec<(u64, u64)> = image["renditions"].as_array().unwrap().iter().step_by(2)
            .map(|r| (r["width"].as_u64().unwrap(), r["height"].as_u64().unwrap())).collect();
        assert_eq!(sizes, vec![(900, 1200), (480, 640), (160, 213)], "never upscaled; aspect kept");
        // Compare with the fixture turned upright by an independent decoder.
        let mut decoder = image::ImageReader::new(std::io::Cursor::new(&raw)).with_guessed_format().unwrap().into_decoder().unwrap();
        let orientation = image::ImageDecoder::orientation(&mut decoder).unwrap();
        let mut reference = image::DynamicImage::from_decoder(decoder).unwrap();
        reference.apply_orientation(orientation);
        let reference = reference.resize_exact(160, 213, image::imageops::FilterType::Triangle).to_rgb8();
        for r in image["renditions"].as_array().unwrap() {
            let (_, bytes) = fetch(&app, r["url"].as_str().unwrap()).await;
            assert_no_metadata(&bytes);
            if r["width"] == 160 {
                let got = image::load_from_memory(&bytes).unwrap().to_rgb8();
                let diff: f64 = got.as_raw().iter().zip(reference.as_raw()).map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs() as f64).sum::<f64>()
                    / got.as_raw().len() as f64;
                assert!(diff < 20.0, "the rendition is not upright (mean difference {diff:.1})");
            }
        }
    }

    async fn png_and_webp_are_accepted(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let pid = product["id"].as_str().unwrap();
        for (name, w, h) in [("batik.png", 480, 360), ("kain.webp", 640, 480)] {
            let res = app.upload(Some(&seller.token), pid, name, fixture(name)).await;
            assert_eq!(res.status(), StatusCode::CREATED, "{name}");
            let image: Value = res.json().await.unwrap();
            assert_eq!((image["width"].as_i64(), image["height"].as_i64()), (Some(w), Some(h)));
            assert_eq!(image["renditions"][0]["width"], w, "not upscaled to 1200");
            let (_, bytes) = fetch(&app, image["renditions"][3]["url"].as_str().unwrap()).await;
            assert_no_metadata(&bytes);
        }
        let product: Value = app.get(&format!("/v1/products/{pid}"), Some(&seller.token)).await.json().await.unwrap();
        assert_eq!(product["images"].as_array().unwrap().len(), 2);
    }

    async fn bad_files_are_refused_and_leave_nothing(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let pid = product["id"].as_str().unwrap();
        let cases: Vec<(&str, Vec<u8>, u16)> = vec![
            ("truncated.jpg", fixture("truncated.jpg"), 422),
            ("page.jpg", fixture("page.jpg"), 415),
            ("bomb.png", fixture("bomb.png"), 413),
            ("fake.heic", fixture("fake.heic"), 415),
            ("empty.jpg", Vec::new(), 422),
            ("huge.jpg", vec![0xFF; 20 * 1024 * 1024 + 1], 413),
        ];
        for (name, bytes, status) in cases {
            let res = app.upload(Some(&seller.token), pid, name, bytes).await;
            let body = problem(res, status).await;
            assert!(!body.to_string().contains("/tmp"), "{name}: {body}");
        }
        // No `file` field, and a body that is not multipart at all.
        let form = reqwest::multipart::Form::new().text("photo", "nope");
        let res = app.client.post(app.url(&format!("/v1/products/{pid}/images"))).bearer_auth(&seller.token).multipart(form).send().await.unwrap();
        assert_eq!(fields(&problem(res, 422).await), vec!["file"]);
        let res = app.post(&format!("/v1/products/{pid}/images"), Some(&seller.token), json!({"file": "x"})).await;
        problem(res, 415).await;
        assert_eq!(image_rows(&app), 0);
        assert_eq!(blob_files(&app), 0, "refused files leave no blobs");
        assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
        assert_eq!(app.get("/readyz", None).await.status(), StatusCode::OK);
        // Publishing still needs a photo.
        problem(app.post(&format!("/v1/products/{pid}/publish"), Some(&seller.token), json!({})).await, 409).await;
    }

    async fn photos_are_reordered_and_deleted_by_their_seller_only(app) {
        let seller = app.active_seller().await;
        let product = app.published_product(&seller).await;
        let pid = product["id"].as_str().unwrap().to_owned();
        let second = app.add_photo(&seller, &pid).await;
        let first: Value = app.get(&format!("/v1/products/{pid}"), None).await.json().await.unwrap();
        let first_id = first["images"][0]["id"].as_str().unwrap().to_owned();
        let second_id = second["id"].as_str().unwrap().to_owned();
        let draft = app.create_product(&seller, json!({})).await;
        let draft_photo = app.add_photo(&seller, draft["id"].as_str().unwrap()).await;

        let other = app.active_seller().await;
        let buyer = app.register("buyer").await;
        for (p, image, other_status) in [(&pid, &first_id, 403), (&draft["id"].as_str().unwrap().to_owned(), &draft_photo["id"].as_str().unwrap().to_owned(), 404)] {
            problem(app.upload(Some(&other.token), p, "kain.webp", fixture("kain.webp")).await, other_status).await;
            problem(app.upload(Some(&buyer.token), p, "kain.webp", fixture("kain.webp")).await, 403).await;
            problem(app.upload(None, p, "kain.webp", fixture("kain.webp")).await, 401).await;
            let path = format!("/v1/products/{p}/images/{image}");
            problem(app.request(Method::DELETE, &path, Some(&other.token), None).await, other_status).await;
            problem(app.request(Method::DELETE, &path, Some(&buyer.token), None).await, 403).await;
            let order = format!("/v1/products/{p}/images/order");
            problem(app.request(Method::PUT, &order, Some(&other.token), Some(json!({"image_ids": [image]}))).await, other_status).await;
        }
        assert_eq!(image_rows(&app), 3, "refused requests changed nothing");

        let order = format!("/v1/products/{pid}/images/order");
        let res = app.request(Method::PUT, &order, Some(&seller.token), Some(json!({"image_ids": [second_id, first_id]}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let listed: Value = app.get(&format!("/v1/products/{pid}"), None).await.json().await.unwrap();
        assert_eq!(listed["images"][0]["id"], second_id.as_str(), "the new first photo");
        let res = app.request(Method::PUT, &order, Some(&seller.token), Some(json!({"image_ids": [second_id]}))).await;
        assert_eq!(fields(&problem(res, 422).await), vec!["image_ids"]);

        let files = blob_files(&app);
        let res = app.request(Method::DELETE, &format!("/v1/products/{pid}/images/{first_id}"), Some(&seller.token), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(blob_files(&app), files - 7, "its blobs are gone");
        problem(app.get(&format!("/v1/images/{first_id}/480.webp"), None).await, 404).await;
        // The last photo of a published product stays.
        problem(app.request(Method::DELETE, &format!("/v1/products/{pid}/images/{second_id}"), Some(&seller.token), None).await, 409).await;
        // An image id of another product is not found under this one.
        let crossed = format!("/v1/products/{pid}/images/{}", draft_photo["id"].as_str().unwrap());
        problem(app.request(Method::DELETE, &crossed, Some(&seller.token), None).await, 404).await;
    }

    async fn ten_uploads_at_once_all_land(app) {
        let seller = app.active_seller().await;
        let product = app.create_product(&seller, json!({})).await;
        let url = app.url(&format!("/v1/products/{}/images", product["id"].as_str().unwrap()));
        let bytes = fixture("kain.webp");
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (client, url, token, bytes) = (app.client.clone(), url.clone(), seller.token.clone(), bytes.clone());
            tasks.push(tokio::spawn(async move {
                let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("kain.webp"));
                client.post(url).bearer_auth(token).multipart(form).send().await.unwrap().status().as_u16()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 201, "decodes queue behind the limit, none fail");
        }
        assert_eq!(image_rows(&app), 10);
        assert_eq!(blob_files(&app), 70);
        let listed: Value = app.get(&format!("/v1/products/{}", product["id"].as_str().unwrap()), Some(&seller.token)).await.json().await.unwrap();
        let positions: Vec<i64> = listed["images"].as_array().unwrap().iter().map(|i| i["position"].as_i64().unwrap()).collect();
        assert_eq!(positions.len(), 10);
    }
}

/// Blobs written before a failed commit are removed: an upload for a product that is gone by
/// commit time leaves neither a row nor a file.
async fn failed_commit_removes_blobs(backend: crate::support::Backend) {
    use std::sync::Arc;

    use kriya::blob::Blobs;
    use kriya::blob::fs::FsStore;
    use kriya::db::connection::{build_pool, run_migrations};
    use kriya::state::AppState;

    let dir = tempfile::tempdir().unwrap();
    let Some(url) = crate::support::migrated_database(backend, dir.path()) else {
        eprintln!("skipped: KRIYA_TEST_DATABASE_URL is not set");
        return;
    };
    let pool = build_pool(&url, 2).unwrap();
    run_migrations(&mut pool.get().unwrap()).unwrap();
    let blobs_dir = dir.path().join("blobs");
    let state = AppState {
        pool,
        blobs: Blobs::Fs(FsStore::new(&blobs_dir).unwrap()),
        decodes: Arc::new(tokio::sync::Semaphore::new(1)),
        jwt: kriya::auth::jwt::JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60),
        auth_limiter: kriya::auth::rate_limit::AuthRateLimiter::new(10),
        webhook_send_limiter: Arc::new(kriya::auth::rate_limit::WebhookSendLimiter::new(10)),
        checkout_limiter: kriya::auth::rate_limit::CheckoutRateLimiter::new(10),
        fair_use: Default::default(),
        refresh_token_ttl_days: 1,
        trusted_proxy_hops: 0,
        openapi_json: String::new(),
        search: Arc::new(
            kriya::search::embedded::EmbeddedIndex::open(&dir.path().join("search")).unwrap(),
        ),
        webhook_allow_private: false,
        read_cache: kriya::api::read_cache::ReadCache::new(std::time::Duration::ZERO).into(),
    };
    let missing_product = uuid::Uuid::now_v7();
    let result = kriya::services::uploads::upload(
        &state,
        missing_product,
        uuid::Uuid::now_v7(),
        fixture("kain.webp").into(),
    )
    .await;
    assert!(result.is_err(), "the commit fails: no such product");
    let leftover = walk_files(&blobs_dir);
    assert_eq!(
        leftover, 0,
        "the seven blobs written before the failed commit are gone"
    );
    use diesel::prelude::*;
    let rows: i64 = kriya::db::schema::product_images::table
        .count()
        .get_result(&mut state.pool.get().unwrap())
        .unwrap();
    assert_eq!(rows, 0);
}

fn walk_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

mod a_failed_commit_removes_written_blobs {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        failed_commit_removes_blobs(crate::support::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        failed_commit_removes_blobs(crate::support::Backend::Postgres).await;
    }
}
