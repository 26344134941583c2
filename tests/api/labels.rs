//! Shelf labels: the PDF sheet read back by independent tools (poppler renders it, zbar
//! decodes every QR code on it, poppler extracts its text), one label as SVG, the look-up a
//! till makes, a sale by label code, and who may see any of it.

use std::collections::BTreeMap;
use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, TestApp, fields, problem};

const TITLE: &str = "Kalung Ожерелье «Ñ» Électroformé";
const SELLER: &str = "Perak Ñusantara Čelik & Putri";

/// A seller with a two-variant product whose title is not ASCII, a hotel with an agreement,
/// and a consignment of 5 + 21 units (26 labels: two pages).
struct Setup {
    seller: Account,
    hotel: Account,
    hotel_id: String,
    agreement: String,
    product_id: String,
    consignment: Value,
    variants: Vec<String>,
}

async fn setup(app: &TestApp) -> Setup {
    let seller = app.active_seller().await;
    let res = app
        .request(Method::PUT, "/v1/sellers/me", Some(&seller.token), Some(json!({
            "business_name": SELLER, "story": "Perak dan tembaga.", "sector": "electroforming-jewellery",
            "kecamatan": "lowokwaru"
        })))
        .await;
    assert_eq!(res.status(), 200);
    let sku = format!("KDJ-{}", &uuid::Uuid::now_v7().simple().to_string()[24..]);
    let product = app
        .create_product(&seller, json!({
            "title": TITLE, "sku": sku, "price_idr": 185000,
            "variants": [
                {"sku": format!("{sku}-EMAS"), "options": {"warna": "emas", "ukuran": "kecil"}},
                {"sku": format!("{sku}-PERAK"), "options": {"warna": "perak", "ukuran": "besar"}, "price_idr": 1250000}
            ]
        }))
        .await;
    let pid = product["id"].as_str().unwrap().to_owned();
    let variants: Vec<String> = product["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    let (hotel, hotel_id) = app.active_hotel().await;
    let agreement = app.agreement(&seller, &hotel, &hotel_id, 2000, 90).await;
    app.restock(&seller, &pid, &variants[0], 10).await;
    app.restock(&seller, &pid, &variants[1], 30).await;
    let res = app
        .post(
            "/v1/consignments",
            Some(&seller.token),
            json!({"agreement_id": agreement, "items": [
                {"variant_id": variants[0], "quantity": 5, "unit_price_idr": 150000},
                {"variant_id": variants[1], "quantity": 21, "unit_price_idr": 1000000}
            ]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let consignment: Value = res.json().await.unwrap();
    Setup {
        seller,
        hotel,
        hotel_id,
        agreement,
        product_id: pid,
        consignment,
        variants,
    }
}

/// Each line's label code, by variant.
fn codes(consignment: &Value) -> BTreeMap<String, (String, i64)> {
    consignment["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["variant_id"].as_str().unwrap().to_owned(),
                (
                    l["label_code"].as_str().unwrap().to_owned(),
                    l["quantity"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Whether poppler and zbar are here. CI installs them and sets
/// `KRIYA_TEST_REQUIRE_LABEL_TOOLS`, so there a missing tool fails instead of skipping.
fn tools_present() -> bool {
    let present = ["pdftoppm", "pdftotext", "zbarimg"]
        .iter()
        .all(|tool| Command::new(tool).arg("-v").output().is_ok());
    if !present {
        assert!(
            std::env::var_os("KRIYA_TEST_REQUIRE_LABEL_TOOLS").is_none(),
            "pdftoppm, pdftotext (poppler-utils) and zbarimg (zbar-tools) are required"
        );
        eprintln!("skipped: poppler-utils and zbar-tools are not installed");
    }
    present
}

/// Renders every page of the PDF at `dpi`, cuts it into its 3 × 8 label cells (a till's
/// scanner sees one label at a time; zbar also misses some codes when two dozen identical
/// ones share one image) and decodes the QR code in each cell on its own: per page, per cell,
/// the codes zbar found there.
fn decode_cells(pdf: &[u8], dpi: u32) -> Vec<Vec<Vec<String>>> {
    use kriya::labels::layout::{LABEL_H, LABEL_W, MM, PER_PAGE, slot};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labels.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-gray", "-png"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    let px = |pt: f32| (pt / MM / 25.4 * dpi as f32).round() as u32;
    let mut decoded = Vec::new();
    for page in &pages {
        let image = image::open(page).unwrap().to_luma8();
        let mut cells = Vec::new();
        for i in 0..PER_PAGE {
            let (_, x, y) = slot(i);
            let cell = image::imageops::crop_imm(&image, px(x), px(y), px(LABEL_W), px(LABEL_H))
                .to_image();
            let cell_file = dir.path().join(format!("cell-{i}.png"));
            cell.save(&cell_file).unwrap();
            let out = Command::new("zbarimg")
                .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
                .arg(&cell_file)
                .output()
                .unwrap();
            // zbarimg exits 4 when it finds nothing: an empty cell at the end of a sheet.
            assert!(
                matches!(out.status.code(), Some(0 | 4)),
                "zbarimg: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            cells.push(
                String::from_utf8(out.stdout)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
        decoded.push(cells);
    }
    decoded
}

/// [`decode_cells`] at 200 dpi: `(pages, codes)`. A cell holds at most one code.
fn decode_pdf(pdf: &[u8]) -> (usize, Vec<String>) {
    let pages = decode_cells(pdf, 200);
    let mut decoded = Vec::new();
    for found in pages.iter().flatten() {
        assert!(
            found.len() <= 1,
            "{} codes in one label: {found:?}",
            found.len()
        );
        decoded.extend(found.iter().cloned());
    }
    (pages.len(), decoded)
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labels.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

async fn pdf_of(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let body = res.bytes().await.unwrap().to_vec();
    assert!(body.starts_with(b"%PDF-"), "a PDF");
    body
}

both_backends! {
    async fn every_qr_code_on_the_sheet_decodes_to_the_consignments_codes(app) {
        let s = setup(&app).await;
        let cid = s.consignment["id"].as_str().unwrap();
        let codes = codes(&s.consignment);
        assert_eq!(codes.len(), 2);
        let distinct: std::collections::BTreeSet<_> = codes.values().map(|(c, _)| c.clone()).collect();
        assert_eq!(distinct.len(), 2, "each line has its own code");
        for (code, _) in codes.values() {
            assert_eq!(code.len(), 10);
            assert!(code.bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)), "{code}");
        }
        if !tools_present() {
            return;
        }
        // The seller prints them; the hotel may print the same sheet.
        let pdf = pdf_of(&app, &format!("/v1/consignments/{cid}/labels"), &s.seller.token).await;
        assert_eq!(pdf, pdf_of(&app, &format!("/v1/consignments/{cid}/labels?format=pdf"), &s.hotel.token).await);
        let (pages, decoded) = decode_pdf(&pdf);
        assert_eq!(pages, 2, "26 labels, 24 to a page");
        let mut want: Vec<String> = codes
            .values()
            .flat_map(|(code, n)| std::iter::repeat_n(format!("KRY1:{code}"), *n as usize))
            .collect();
        let mut got = decoded.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "one label per unit dispatched, each decoding to its line's code");

        // The text is there as written: the title's accents and other scripts, the options,
        // SKUs, prices the Indonesian way, the seller and each code for typing by hand.
        let text = pdf_text(&pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needle in ["Kalung Ожерелье «Ñ»", "Électroformé", "Rp 185.000", "Rp 1.250.000",
            "ukuran: kecil · warna: emas", "ukuran: besar · warna: perak", "Perak Ñusantara Čelik & Putri"] {
            assert!(flat.contains(needle), "{needle:?} not in the PDF's text:\n{text}");
        }
        assert_eq!(flat.matches("Rp 185.000").count(), 5);
        assert_eq!(flat.matches("Rp 1.250.000").count(), 21);
        for (code, n) in codes.values() {
            let grouped = format!("{}-{}", &code[..5], &code[5..]);
            assert_eq!(flat.matches(&grouped).count(), *n as usize, "{grouped}");
        }

        // One line's labels only.
        let one = &s.variants[0];
        let pdf = pdf_of(&app, &format!("/v1/consignments/{cid}/labels?variant_id={one}"), &s.hotel.token).await;
        let (pages, decoded) = decode_pdf(&pdf);
        assert_eq!(pages, 1);
        assert_eq!(decoded, vec![format!("KRY1:{}", codes[one].0); 5]);
    }

    async fn one_label_as_svg_and_the_sheets_refusals(app) {
        let s = setup(&app).await;
        let cid = s.consignment["id"].as_str().unwrap();
        let codes = codes(&s.consignment);
        let (code, _) = &codes[&s.variants[1]];
        let res = app.get(&format!("/v1/consignments/{cid}/labels?format=svg&code={}", code.to_lowercase()), Some(&s.hotel.token)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/svg+xml; charset=utf-8");
        assert_eq!(res.headers()["content-security-policy"], "default-src 'none'");
        let svg = res.text().await.unwrap();
        assert!(svg.starts_with("<svg "), "{svg}");
        for needle in ["Rp 1.250.000", "ukuran: besar · warna: perak", "Perak Ñusantara Čelik &amp; Putri", "Électroformé"] {
            assert!(svg.contains(needle), "{needle:?} not in {svg}");
        }
        assert!(svg.contains(&format!(">{}-{}</text>", &code[..5], &code[5..])));
        assert!(svg.contains("<path d=\"M"), "the QR code");

        let bad = |q: &str| format!("/v1/consignments/{cid}/labels?{q}");
        for (query, field) in [
            ("format=svg", "code"),
            ("format=svg&code=NOTACODE!", "code"),
            ("format=docx", "format"),
            (&format!("format=svg&code={}", "0000000000"), "code"),
            (&format!("variant_id={}", uuid::Uuid::now_v7()), "variant_id"),
        ] {
            let body = problem(app.get(&bad(query), Some(&s.seller.token)).await, 422).await;
            assert_eq!(fields(&body), vec![field], "{query}");
        }
        problem(app.get(&bad("colour=red"), Some(&s.seller.token)).await, 422).await;
        // A code of another consignment of the same seller is not this one's.
        let other = app.dispatch(&s.seller, &s.agreement, &s.variants[0], 1, 150000).await;
        let other_code = other["items"][0]["label_code"].as_str().unwrap();
        let body = problem(app.get(&bad(&format!("format=svg&code={other_code}")), Some(&s.seller.token)).await, 422).await;
        assert_eq!(fields(&body), vec!["code"]);
        problem(app.get(&format!("/v1/consignments/{}/labels", uuid::Uuid::now_v7()), Some(&s.seller.token)).await, 404).await;
    }

    async fn a_till_scans_a_label_and_sells_by_its_code(app) {
        let s = setup(&app).await;
        let cid = s.consignment["id"].as_str().unwrap().to_owned();
        let codes = codes(&s.consignment);
        let (code, _) = codes[&s.variants[1]].clone();
        let lookup = |raw: String, token: String| {
            let app = &app;
            async move { app.get(&format!("/v1/labels/{raw}"), Some(&token)).await }
        };

        // In transit: the label reads back, nothing on the shelf yet.
        let res = lookup(format!("KRY1:{code}"), s.hotel.token.clone()).await;
        assert_eq!(res.status(), 200);
        let found: Value = res.json().await.unwrap();
        assert_eq!(found["label_code"], code.as_str());
        assert_eq!(found["consignment_id"], cid.as_str());
        assert_eq!(found["variant"]["id"], s.variants[1].as_str());
        assert_eq!(found["variant"]["options"], json!({"warna": "perak", "ukuran": "besar"}));
        assert_eq!(found["product"]["title"], TITLE);
        assert_eq!(found["price_idr"], 1250000);
        assert_eq!(found["unit_price_idr"], 1000000);
        assert_eq!(found["seller"]["name"], SELLER);
        assert_eq!(found["hotel"]["id"], s.hotel_id.as_str());
        assert_eq!(found["agreement"]["id"], s.agreement.as_str());
        assert_eq!(found["agreement"]["commission_bps"], 2000);
        assert_eq!(found["on_shelf"], 0);

        assert_eq!(app.post(&format!("/v1/consignments/{cid}/receive"), Some(&s.hotel.token), json!({})).await.status(), 200);
        // Typed by hand: lower case, a hyphen, O for 0 and I or L for 1 read the same.
        let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
        let found: Value = lookup(typed, s.seller.token.clone()).await.json().await.unwrap();
        assert_eq!(found["on_shelf"], 21);

        // The till posts the sale by the code it scanned.
        let sale = json!({"items": [{"label_code": format!("KRY1:{code}"), "quantity": 2, "unit_price_idr": 1250000}]});
        let res = app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token), sale).await;
        assert_eq!(res.status(), 201);
        let sold: Value = res.json().await.unwrap();
        assert_eq!(sold["lines"][0]["variant_id"], s.variants[1].as_str());
        assert_eq!(sold["total_idr"], 2500000);
        let found: Value = lookup(code.clone(), s.hotel.token.clone()).await.json().await.unwrap();
        assert_eq!(found["on_shelf"], 19);
        // Both given and agreeing is fine.
        let both = json!({"items": [{"label_code": code, "variant_id": s.variants[1], "quantity": 1, "unit_price_idr": 1250000}]});
        assert_eq!(app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token), both).await.status(), 201);

        // Refused, and nothing written: a code of the other variant beside a variant_id, a
        // line naming a variant twice, a code that names nothing, neither given.
        let (other_code, _) = codes[&s.variants[0]].clone();
        let sales = |items: Value| json!({"items": items});
        for (items, field) in [
            (json!([{"label_code": other_code, "variant_id": s.variants[1], "quantity": 1, "unit_price_idr": 1250000}]), "items[0].label_code"),
            (json!([{"label_code": code, "quantity": 1, "unit_price_idr": 1250000}, {"variant_id": s.variants[1], "quantity": 1, "unit_price_idr": 1250000}]), "items[1].variant_id"),
            (json!([{"label_code": "0000000000", "quantity": 1, "unit_price_idr": 1250000}]), "items[0].label_code"),
            (json!([{"label_code": "not a code", "quantity": 1, "unit_price_idr": 1250000}]), "items[0].label_code"),
            (json!([{"quantity": 1, "unit_price_idr": 1250000}]), "items[0].variant_id"),
        ] {
            let body = problem(app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&s.hotel.token), sales(items.clone())).await, 422).await;
            assert_eq!(fields(&body), vec![field], "{items}");
        }
        let found: Value = lookup(code.clone(), s.hotel.token.clone()).await.json().await.unwrap();
        assert_eq!(found["on_shelf"], 18);

        // Another hotel cannot sell by this hotel's labels, even on its own shelf.
        let (other_hotel, other_hotel_id) = app.active_hotel().await;
        let theirs = json!({"items": [{"label_code": code, "quantity": 1, "unit_price_idr": 1250000}]});
        let body = problem(app.post(&format!("/v1/hotels/{other_hotel_id}/sales"), Some(&other_hotel.token), theirs.clone()).await, 422).await;
        assert_eq!(fields(&body), vec!["items[0].label_code"]);
        problem(app.post(&format!("/v1/hotels/{}/sales", s.hotel_id), Some(&other_hotel.token), theirs).await, 403).await;
        let found: Value = lookup(code, s.hotel.token.clone()).await.json().await.unwrap();
        assert_eq!(found["on_shelf"], 18);
        app.assert_ledger_consistent();
    }

    async fn only_the_parties_and_admins_see_labels(app) {
        let s = setup(&app).await;
        let cid = s.consignment["id"].as_str().unwrap();
        let codes = codes(&s.consignment);
        let (code, _) = &codes[&s.variants[0]];
        let other_seller = app.active_seller().await;
        let (other_hotel, _) = app.active_hotel().await;
        let buyer = app.register("buyer").await;
        let admin = app.admin().await;
        let paths = [
            format!("/v1/consignments/{cid}/labels"),
            format!("/v1/consignments/{cid}/labels?format=svg&code={code}"),
            format!("/v1/labels/{code}"),
            format!("/v1/labels/KRY1:{code}"),
        ];
        for path in &paths {
            for token in [&other_seller, &other_hotel, &buyer] {
                problem(app.get(path, Some(&token.token)).await, 404).await;
            }
            problem(app.get(path, None).await, 401).await;
            for token in [&s.seller, &s.hotel, &admin] {
                assert_eq!(app.get(path, Some(&token.token)).await.status(), 200, "{path}");
            }
        }
        // A code naming nothing and a string that is no code read the same as someone else's.
        problem(app.get("/v1/labels/0000000000", Some(&s.hotel.token)).await, 404).await;
        problem(app.get("/v1/labels/..%2F..%2Fetc", Some(&s.hotel.token)).await, 404).await;
        problem(app.get(&format!("/v1/labels/{}", "A".repeat(500)), Some(&s.hotel.token)).await, 404).await;
    }

    async fn labels_outlive_the_listing_and_codes_are_never_reused(app) {
        // Many consignments: every line gets a code no other line has had.
        let s = setup(&app).await;
        let mut all: Vec<String> = codes(&s.consignment).values().map(|(c, _)| c.clone()).collect();
        app.restock(&s.seller, &s.product_id, &s.variants[0], 10).await;
        for _ in 0..8 {
            let c = app.dispatch(&s.seller, &s.agreement, &s.variants[0], 1, 150000).await;
            all.push(c["items"][0]["label_code"].as_str().unwrap().to_owned());
        }
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        let code = all[0].clone();
        let found: Value = app.get(&format!("/v1/labels/{code}"), Some(&s.hotel.token)).await.json().await.unwrap();
        let pid = found["product"]["id"].as_str().unwrap().to_owned();
        // The seller archives the product: the labels on the shelf still read back.
        let res = app.request(Method::DELETE, &format!("/v1/products/{pid}"), Some(&s.seller.token), None).await;
        assert!(res.status().is_success(), "{}", res.status());
        let found: Value = app.get(&format!("/v1/labels/{code}"), Some(&s.hotel.token)).await.json().await.unwrap();
        assert_eq!(found["product"]["status"], "archived");
    }

    async fn consignments_dispatched_before_labels_get_codes_by_migration(app) {
        use diesel_migrations::MigrationHarness;
        use kriya::db::DbConn;
        use kriya::db::connection::{PG_MIGRATIONS, SQLITE_MIGRATIONS};
        let s = setup(&app).await;
        let seller = &s.seller;
        let more = app.dispatch(seller, &s.agreement, &s.variants[0], 2, 150000).await;
        // Back to the schema before labels (reverting the later migrations first), then
        // forward again: the migration gives every existing line a code.
        {
            let mut conn = app.conn();
            let mut reverted = 0;
            loop {
                let last = match &mut *conn {
                    DbConn::Pg(c) => c.revert_last_migration(PG_MIGRATIONS).unwrap().to_string(),
                    DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS).unwrap().to_string(),
                };
                reverted += 1;
                if last.ends_with("000011") {
                    break;
                }
            }
            assert_eq!(kriya::db::connection::run_migrations(&mut conn).unwrap(), reverted);
        }
        let mut all = Vec::new();
        for consignment in [&s.consignment, &more] {
            let id = consignment["id"].as_str().unwrap();
            let now: Value = app.get(&format!("/v1/consignments/{id}"), Some(&s.hotel.token)).await.json().await.unwrap();
            for line in now["items"].as_array().unwrap() {
                let code = line["label_code"].as_str().unwrap().to_owned();
                assert_eq!(code.len(), 10);
                assert!(code.bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)), "{code}");
                let found: Value = app.get(&format!("/v1/labels/{code}"), Some(&s.hotel.token)).await.json().await.unwrap();
                assert_eq!(found["variant"]["id"], line["variant_id"]);
                assert_eq!(found["consignment_id"], id);
                all.push(code);
            }
        }
        let n = all.len();
        assert_eq!(n, 3);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "each line its own code");
        // New lines after the migration still get theirs.
        let later = app.dispatch(seller, &s.agreement, &s.variants[1], 1, 1000000).await;
        assert_eq!(later["items"][0]["label_code"].as_str().unwrap().len(), 10);
    }
}

both_backends! {
    async fn every_label_of_a_full_sheet_scans_on_its_own_at_150_dpi(app) {
        // Everything as long as the API allows, so the text crowds the code: a 140-character
        // title, 60-character option values, 64-character SKUs, a long seller name.
        let seller = app.active_seller().await;
        let res = app
            .request(Method::PUT, "/v1/sellers/me", Some(&seller.token), Some(json!({
                "business_name": "Koperasi Pengrajin Perak dan Tembaga Electroforming Tlogomas Sejahtera Bersama Mandiri Abadi Jaya",
                "sector": "electroforming-jewellery", "kecamatan": "lowokwaru"
            })))
            .await;
        assert_eq!(res.status(), 200);
        let title = "Kalung Daun Jati Electroforming Lapis Emas 24 Karat dengan Rantai Perak Sterling, Liontin Ranting Kopi dan Kotak Kado Anyaman Pandan Asli";
        assert!(title.chars().count() <= 140);
        let base = format!("KDJ-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        let sku = |i: usize| {
            let mut s = format!("{base}-EMAS-BESAR-RANTAI-PANJANG-LIONTIN-RANTING-KOPI");
            s.truncate(61);
            format!("{s}-{i:02}")
        };
        let variants: Vec<Value> = (0..24)
            .map(|i| json!({
                "sku": sku(i),
                "options": {
                    "warna": "emas kemerahan dengan patina hijau tembaga di tepi daunnya",
                    "ukuran": format!("nomor {i:02}, panjang rantai empat puluh lima sentimeter"),
                    "bahan": "tembaga, perak sterling 925 dan emas 24 karat lapis tebal",
                },
                "price_idr": 12_345_678 + 1000 * i as i64,
            }))
            .collect();
        let product = app
            .create_product(&seller, json!({"title": title, "sku": format!("{base}-0"), "price_idr": 185000, "variants": variants}))
            .await;
        let pid = product["id"].as_str().unwrap().to_owned();
        let variant_ids: Vec<String> = product["variants"].as_array().unwrap().iter()
            .map(|v| v["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(variant_ids.len(), 24);
        let (hotel, hotel_id) = app.active_hotel().await;
        let agreement = app.agreement(&seller, &hotel, &hotel_id, 2000, 90).await;
        for v in &variant_ids {
            app.restock(&seller, &pid, v, 1).await;
        }
        // One unit of each: 24 labels, a full sheet, no two codes alike.
        let items: Vec<Value> = variant_ids.iter()
            .map(|v| json!({"variant_id": v, "quantity": 1, "unit_price_idr": 150000})).collect();
        let res = app.post("/v1/consignments", Some(&seller.token), json!({"agreement_id": agreement, "items": items})).await;
        assert_eq!(res.status(), 201);
        let consignment: Value = res.json().await.unwrap();
        let want: Vec<String> = consignment["items"].as_array().unwrap().iter()
            .map(|l| format!("KRY1:{}", l["label_code"].as_str().unwrap())).collect();
        assert_eq!(want.len(), 24);
        if !tools_present() {
            return;
        }
        let cid = consignment["id"].as_str().unwrap();
        let pdf = pdf_of(&app, &format!("/v1/consignments/{cid}/labels"), &hotel.token).await;
        let pages = decode_cells(&pdf, 150);
        assert_eq!(pages.len(), 1, "24 labels: one sheet");
        let misread: Vec<(usize, &Vec<String>, &String)> = pages[0].iter().zip(&want).enumerate()
            .filter(|(_, (got, want))| got.as_slice() != [want.as_str()])
            .map(|(i, (got, want))| (i, got, want))
            .collect();
        assert!(misread.is_empty(), "labels that did not scan as their own code (cell, found, wanted): {misread:?}");
        // The text still fits beside the code, shortened where it had to be.
        let text = pdf_text(&pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Rp 12.345.678"), "{text}");
        assert!(flat.contains("Kalung Daun Jati"), "{text}");
    }
}
