//! Reports: the figures they are built from (sales per seller and month in Western Indonesia
//! Time, from hotel sale lines and completed order parts), each report checked against a
//! scenario worked out by hand, as JSON, CSV and SVG, and who may see which, on both databases.

use diesel::prelude::*;
use kriya::db::portable::{DbId, DbTime};
use kriya::domain::consignment::Period;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::orders::{goods, order, part_of, walk};
use crate::support::{Account, TestApp, problem};

fn at(raw: &str) -> DbTime {
    DbTime(chrono::DateTime::parse_from_rfc3339(raw).unwrap().to_utc())
}

both_backends! {
    async fn sales_fall_in_the_month_of_western_indonesia_time(app) {
        let g = goods(&app, 10).await;
        let (hotel, hotel_id) = app.active_hotel().await;
        let agreement = app.agreement(&g.seller, &hotel, &hotel_id, 2000, 90).await;
        let consignment = app.dispatch(&g.seller, &agreement, &g.variant_id, 3, 150_000).await;
        let cid = consignment["id"].as_str().unwrap();
        let res = app.post(&format!("/v1/consignments/{cid}/receive"), Some(&hotel.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mut sales = Vec::new();
        for _ in 0..3 {
            let res = app.post(&format!("/v1/hotels/{hotel_id}/sales"), Some(&hotel.token),
                json!({"items": [{"variant_id": g.variant_id, "quantity": 1, "unit_price_idr": 185_555}]})).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            sales.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
        }
        let buyer = app.register("buyer").await;
        let placed = order(&app, &buyer, &[(&g, 2)]).await;
        let part = part_of(&placed, &g);
        walk(&app, &g, &buyer, &part, &["confirm", "mark-paid", "ship", "received"]).await;
        // Dated as an import of older records would date them.
        {
            use kriya::db::schema::hotel_sale_lines::dsl as l;
            use kriya::db::schema::order_part_events::dsl as e;
            let part: uuid::Uuid = part.parse().unwrap();
            app.db(move |c| {
                for (sale, when) in sales.iter().zip([
                    "2026-11-30T16:30:00Z", // 23:30 WIB on 30 November: November
                    "2026-11-30T17:30:00Z", // 00:30 WIB on 1 December: December
                    "2026-12-15T03:00:00Z",
                ]) {
                    diesel::update(l::hotel_sale_lines.filter(l::sale_id.eq(DbId(*sale)))).set(l::sold_at.eq(at(when))).execute(c)?;
                }
                diesel::update(e::order_part_events.filter(e::part_id.eq(DbId(part))).filter(e::status.eq("completed")))
                    .set(e::at.eq(at("2026-12-10T03:00:00Z"))).execute(c)
            });
        }
        let (nov, dec) = (Period::parse("2026-11").unwrap(), Period::parse("2026-12").unwrap());
        let rows = app.db(|c| kriya::db::reports::monthly_sales(c, nov, dec));
        let seller: uuid::Uuid = g.seller.seller_id().parse().unwrap();
        let figures: Vec<(String, i64, i128, i64, i128)> = rows.iter().filter(|r| r.seller_id == seller)
            .map(|r| (r.month.clone(), r.online_count, r.online_idr, r.hotel_count, r.hotel_idr)).collect();
        assert_eq!(figures, [
            ("2026-11".to_owned(), 0, 0, 1, 185_555),
            ("2026-12".to_owned(), 1, i128::from(2 * g.price), 2, 2 * 185_555),
        ]);
        // A range of one month sees only that month.
        let rows = app.db(|c| kriya::db::reports::monthly_sales(c, nov, nov));
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].month.as_str(), rows[0].hotel_count), ("2026-11", 1));
    }
}

/// A seller with one published product (10 units), its profile filled in, five units at
/// `hotel` on an agreement at 100 000 rupiah a unit.
struct Maker {
    goods: crate::orders::Goods,
}

async fn maker(
    app: &TestApp,
    hotel: &(Account, String),
    name: &str,
    sector: &str,
    kecamatan: Option<&str>,
    whatsapp: Option<&str>,
) -> Maker {
    let g = goods(app, 10).await;
    let mut profile = json!({"business_name": name, "sector": sector});
    if let Some(k) = kecamatan {
        profile["kecamatan"] = json!(k);
    }
    if let Some(w) = whatsapp {
        profile["whatsapp"] = json!(w);
    }
    let res = app
        .request(
            Method::PUT,
            "/v1/sellers/me",
            Some(&g.seller.token),
            Some(profile),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let agreement = app.agreement(&g.seller, &hotel.0, &hotel.1, 2000, 90).await;
    let consignment = app
        .dispatch(&g.seller, &agreement, &g.variant_id, 5, 100_000)
        .await;
    let cid = consignment["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/v1/consignments/{cid}/receive"),
            Some(&hotel.0.token),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    Maker { goods: g }
}

impl Maker {
    fn id(&self) -> uuid::Uuid {
        self.goods.seller.seller_id().parse().unwrap()
    }

    /// One unit sold at the hotel at `price`, dated `when` as an import would date it.
    async fn sold(&self, app: &TestApp, hotel: &(Account, String), price: i64, when: &'static str) {
        let res = app.post(&format!("/v1/hotels/{}/sales", hotel.1), Some(&hotel.0.token),
            json!({"items": [{"variant_id": self.goods.variant_id, "quantity": 1, "unit_price_idr": price}]})).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let sale: uuid::Uuid = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        use kriya::db::schema::hotel_sale_lines::dsl as l;
        app.db(move |c| {
            diesel::update(l::hotel_sale_lines.filter(l::sale_id.eq(DbId(sale))))
                .set(l::sold_at.eq(at(when)))
                .execute(c)
        });
    }

    /// Registered and published on these days (as imported records would be).
    fn dated(&self, app: &TestApp, registered: &'static str, published: &'static str) {
        use kriya::db::schema::products::dsl as p;
        use kriya::db::schema::sellers::dsl as s;
        let (seller, product): (uuid::Uuid, uuid::Uuid) =
            (self.id(), self.goods.product_id.parse().unwrap());
        app.db(move |c| {
            diesel::update(s::sellers.filter(s::id.eq(DbId(seller))))
                .set(s::created_at.eq(at(registered)))
                .execute(c)?;
            diesel::update(p::products.filter(p::id.eq(DbId(product))))
                .set(p::published_at.eq(at(published)))
                .execute(c)
        });
    }
}

async fn get_json(app: &TestApp, path: &str, who: &Account) -> Value {
    let res = app.get(path, Some(&who.token)).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{path}: {}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

async fn get_as(app: &TestApp, path: &str, who: &Account, accept: &str) -> (String, String) {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(&who.token)
        .header("Accept", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path} as {accept}");
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    (kind, res.text().await.unwrap())
}

const PRICE: i64 = 185_555;

/// The scenario the figures below are worked out from by hand. A training on 15 September
/// 2026 (electroforming); report window August–October.
/// - P1 (listed by seller id): 120 000 at a hotel in August (before); 130 000 at the hotel and
///   an online order of one unit (185 555) completed in October.
/// - P2 (listed by number, which it fills into its profile afterwards): 140 000 at 23:30 WIB on
///   30 September, its first sale ever.
/// - Budi: listed, no seller.
/// - C1, C2: active electroforming sellers without a training; C1 sold 150 000 at 00:30 WIB on
///   1 October (still September in UTC).
/// - M (batik): P1's mentee, 160 000 in October. X (batik, no kecamatan): 170 000 in September.
///
/// P1, P2, C1, C2 registered in July, M and X in September; every product published in July.
struct Scenario {
    admin: Account,
    training: String,
    p1: Maker,
    p2: Maker,
    c1: Maker,
    m: Maker,
    x: Maker,
    hotel: (Account, String),
}

async fn scenario(app: &TestApp) -> Scenario {
    scenario_with(app, true).await
}

/// The scenario; with `confirm_p2` the city office confirms the link P2's number suggests.
async fn scenario_with(app: &TestApp, confirm_p2: bool) -> Scenario {
    let admin = app.admin().await;
    let hotel = app.active_hotel().await;
    let ej = "electroforming-jewellery";
    let p1 = maker(
        app,
        &hotel,
        "Perak Daun Tlogomas",
        ej,
        Some("Lowokwaru"),
        None,
    )
    .await;
    let p2 = maker(app, &hotel, "Tembaga Dinoyo", ej, Some("Lowokwaru"), None).await;
    let c1 = maker(app, &hotel, "Kilau Klojen", ej, Some("Klojen"), None).await;
    let c2 = maker(app, &hotel, "Sinar Kauman", ej, Some("Klojen"), None).await;
    let m = maker(
        app,
        &hotel,
        "Batik Sukun Asri",
        "batik",
        Some("Sukun"),
        None,
    )
    .await;
    let x = maker(
        app,
        &hotel,
        "=HYPERLINK(\"https://x.example/\",\"open\")",
        "batik",
        None,
        None,
    )
    .await;
    let res = app
        .request(
            Method::PUT,
            "/v1/sellers/me",
            Some(&m.goods.seller.token),
            Some(json!({
        "business_name": "Batik Sukun Asri", "sector": "batik", "kecamatan": "Sukun",
        "mentor_seller_id": p1.id()})),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let res = app
        .post(
            "/v1/admin/trainings",
            Some(&admin.token),
            json!({
        "title": "Pelatihan Electroforming", "sector": ej, "held_from": "2026-09-15",
        "held_to": "2026-09-17", "venue": "Hotel Santika Malang", "organiser": "Diskopindag"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let training = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            &format!("/v1/admin/trainings/{training}/participants"),
            Some(&admin.token),
            json!({
        "participants": [
            {"name": "Pak Eko", "whatsapp": "0812-1111-2222", "seller_id": p1.id()},
            {"name": "Bu Sri", "whatsapp": "0812-3333-4444"},
            {"name": "Budi", "whatsapp": "0812-5555-6666"}]}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    // P2 fills in its number after the training's list was made.
    let res = app
        .request(
            Method::PUT,
            "/v1/sellers/me",
            Some(&p2.goods.seller.token),
            Some(json!({
        "business_name": "Tembaga Dinoyo", "sector": ej, "kecamatan": "Lowokwaru",
        "whatsapp": "+62 812 3333 4444"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    if confirm_p2 {
        confirm(app, &admin, &training, "+6281233334444", p2.id()).await;
    }

    p1.sold(app, &hotel, 120_000, "2026-08-10T03:00:00Z").await;
    p1.sold(app, &hotel, 130_000, "2026-10-05T03:00:00Z").await;
    p2.sold(app, &hotel, 140_000, "2026-09-30T16:30:00Z").await; // 23:30 WIB, 30 September
    c1.sold(app, &hotel, 150_000, "2026-09-30T17:30:00Z").await; // 00:30 WIB, 1 October
    m.sold(app, &hotel, 160_000, "2026-10-20T03:00:00Z").await;
    x.sold(app, &hotel, 170_000, "2026-09-12T03:00:00Z").await;
    let buyer = app.register("buyer").await;
    let placed = order(app, &buyer, &[(&p1.goods, 1)]).await;
    let part = part_of(&placed, &p1.goods);
    walk(
        app,
        &p1.goods,
        &buyer,
        &part,
        &["confirm", "mark-paid", "ship", "received"],
    )
    .await;
    {
        use kriya::db::schema::order_part_events::dsl as e;
        let part: uuid::Uuid = part.parse().unwrap();
        app.db(move |c| {
            diesel::update(
                e::order_part_events
                    .filter(e::part_id.eq(DbId(part)))
                    .filter(e::status.eq("completed")),
            )
            .set(e::at.eq(at("2026-10-25T03:00:00Z")))
            .execute(c)
        });
    }
    for who in [&p1, &p2, &c1, &c2] {
        who.dated(app, "2026-07-01T03:00:00Z", "2026-07-15T03:00:00Z");
    }
    for who in [&m, &x] {
        who.dated(app, "2026-09-10T03:00:00Z", "2026-07-15T03:00:00Z");
    }
    Scenario {
        admin,
        training,
        p1,
        p2,
        c1,
        m,
        x,
        hotel,
    }
}

/// The city office confirms `seller` as the participant with WhatsApp number `whatsapp`.
async fn confirm(
    app: &TestApp,
    admin: &Account,
    training: &str,
    whatsapp: &str,
    seller: uuid::Uuid,
) {
    let list = get_json(
        app,
        &format!("/v1/admin/trainings/{training}/participants?limit=100"),
        admin,
    )
    .await;
    let participant = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["whatsapp"] == whatsapp)
        .expect("the participant")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            &format!("/v1/admin/trainings/{training}/participants/{participant}/link"),
            Some(&admin.token),
            json!({ "seller_id": seller }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

fn groups(v: &Value) -> Vec<(String, i64, i64)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, g)| {
            (
                k.clone(),
                g["active_sellers"].as_i64().unwrap(),
                g["sales_idr"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn s(k: &str, a: i64, b: i64) -> (String, i64, i64) {
    (k.to_owned(), a, b)
}

both_backends! {
    async fn the_overview_adds_up_to_the_hand_worked_scenario(app) {
        let sc = scenario(&app).await;
        let o = get_json(&app, "/v1/admin/reports/overview?from=2026-08&to=2026-10", &sc.admin).await;
        let months = o["months"].as_array().unwrap();
        let row = |m: &Value| ["active_sellers", "new_sellers", "published_listings", "online_sales_count",
            "online_sales_idr", "hotel_sales_count", "hotel_sales_idr"].map(|k| m[k].as_i64().unwrap());
        assert_eq!(months.iter().map(|m| m["month"].as_str().unwrap()).collect::<Vec<_>>(), ["2026-08", "2026-09", "2026-10"]);
        assert_eq!(row(&months[0]), [4, 0, 6, 0, 0, 1, 120_000]);
        assert_eq!(row(&months[1]), [6, 2, 6, 0, 0, 2, 140_000 + 170_000]);
        assert_eq!(row(&months[2]), [6, 0, 6, 1, PRICE, 3, 130_000 + 150_000 + 160_000]);
        let ej = "electroforming-jewellery";
        assert_eq!(groups(&months[0]["by_sector"]), [s(ej, 4, 120_000)]);
        assert_eq!(groups(&months[1]["by_sector"]), [s("batik", 2, 170_000), s(ej, 4, 140_000)]);
        assert_eq!(groups(&months[2]["by_sector"]), [s("batik", 2, 160_000), s(ej, 4, 130_000 + PRICE + 150_000)]);
        assert_eq!(groups(&months[2]["by_kecamatan"]), [
            s("Klojen", 2, 150_000), s("Lowokwaru", 2, 130_000 + PRICE), s("Sukun", 1, 160_000), s("unspecified", 1, 0)]);
        let top: Vec<(String, i64, i64)> = o["top_products"].as_array().unwrap().iter()
            .map(|p| (p["product_id"].as_str().unwrap().to_owned(), p["units"].as_i64().unwrap(), p["sales_idr"].as_i64().unwrap())).collect();
        let pid = |m: &Maker| m.goods.product_id.clone();
        assert_eq!(top, [(pid(&sc.p1), 3, 250_000 + PRICE), (pid(&sc.x), 1, 170_000), (pid(&sc.m), 1, 160_000),
            (pid(&sc.c1), 1, 150_000), (pid(&sc.p2), 1, 140_000)]);
        let sellers: Vec<(String, i64)> = o["top_sellers"].as_array().unwrap().iter()
            .map(|s| (s["name"].as_str().unwrap().to_owned(), s["sales_idr"].as_i64().unwrap())).collect();
        assert_eq!(sellers[0], ("Perak Daun Tlogomas".to_owned(), 250_000 + PRICE));
        assert_eq!(sellers.len(), 5);
        assert_eq!(o["trainings"][0]["id"], json!(sc.training));

        // The same figures as a spreadsheet, formulas neutralised.
        let (kind, csv) = get_as(&app, "/v1/admin/reports/overview?from=2026-08&to=2026-10", &sc.admin, "text/csv").await;
        assert!(kind.starts_with("text/csv"), "{kind}");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "Months");
        assert!(lines[1].starts_with("month,active_sellers,new_sellers,published_listings,online_sales_count,online_sales_idr,hotel_sales_count,hotel_sales_idr,"), "{}", lines[1]);
        assert!(lines[2].starts_with("2026-08,4,0,6,0,0,1,120000,"), "{}", lines[2]);
        assert!(lines[4].starts_with(&format!("2026-10,6,0,6,1,{PRICE},3,440000,")), "{}", lines[4]);
        assert!(csv.contains("\"'=HYPERLINK(\"\"https://x.example/\"\",\"\"open\"\")\",170000"), "{csv}");
        assert!(!csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"), "{csv}");

        // And as a chart.
        let (kind, svg) = get_as(&app, "/v1/admin/reports/overview?from=2026-08&to=2026-10", &sc.admin, "image/svg+xml").await;
        assert!(kind.starts_with("image/svg+xml"), "{kind}");
        assert!(svg.starts_with("<svg"));
        for text in ["Agu 2026", "Okt 2026", "Rp ", "Bulan (WIB)", "Pelatihan Electroforming (15 Sep 2026)"] {
            assert!(svg.contains(text), "{text} missing from the chart");
        }
    }

    async fn a_trainings_report_compares_participants_with_the_untrained(app) {
        let sc = scenario(&app).await;
        let path = format!("/v1/admin/reports/trainings/{}?months=1", sc.training);
        let r = get_json(&app, &path, &sc.admin).await;
        let figures = ["participants", "linked_sellers", "comparison_sellers", "with_published_product", "with_first_sale"]
            .map(|k| r[k].as_i64().unwrap());
        assert_eq!(figures, [3, 2, 2, 2, 1]);
        assert_eq!(r["suggested_links"], 0);
        assert_eq!((r["from"].as_str().unwrap(), r["to"].as_str().unwrap()), ("2026-08", "2026-10"));
        let months: Vec<(String, [i64; 6])> = r["months"].as_array().unwrap().iter().map(|m| (
            m["month"].as_str().unwrap().to_owned(),
            ["participants_total_idr", "participants_median_idr", "participants_average_idr",
             "comparison_total_idr", "comparison_median_idr", "comparison_average_idr"].map(|k| m[k].as_i64().unwrap()),
        )).collect();
        let oct = 130_000 + PRICE;
        assert_eq!(months, [
            ("2026-08".to_owned(), [120_000, 60_000, 60_000, 0, 0, 0]),
            ("2026-09".to_owned(), [140_000, 70_000, 70_000, 0, 0, 0]),
            ("2026-10".to_owned(), [oct, oct / 2, oct / 2, 150_000, 75_000, 75_000]),
        ]);
        assert_eq!(r["mentees"], json!({"count": 1, "sales_idr": 160_000}));

        let (_, csv) = get_as(&app, &path, &sc.admin, "text/csv").await;
        assert!(csv.contains("with_first_sale,1\n"), "{csv}");
        assert!(csv.contains("suggested_links,0\n"), "{csv}");
        assert!(csv.contains(&format!("2026-10,{oct},{},{},150000,75000,75000\n", oct / 2, oct / 2)), "{csv}");
        let (kind, svg) = get_as(&app, &path, &sc.admin, "image/svg+xml").await;
        assert!(kind.starts_with("image/svg+xml"));
        for text in ["Pelatihan (15 Sep 2026)", "Peserta (2 penjual): rata-rata", "Pembanding (2 penjual): rata-rata", "Sep 2026", "Rp "] {
            assert!(svg.contains(text), "{text} missing from the chart");
        }

        // Widening the window takes in nothing more (no sales outside it); an unknown
        // training is 404, a silly window 422.
        let wide = get_json(&app, &format!("/v1/admin/reports/trainings/{}?months=12", sc.training), &sc.admin).await;
        assert_eq!(wide["months"].as_array().unwrap().len(), 25);
        let total = |r: &Value, k: &str| r["months"].as_array().unwrap().iter().map(|m| m[k].as_i64().unwrap()).sum::<i64>();
        assert_eq!(total(&wide, "participants_total_idr"), 120_000 + 140_000 + oct);
        assert_eq!(total(&wide, "comparison_total_idr"), 150_000);
        let res = app.get(&format!("/v1/admin/reports/trainings/{}", uuid::Uuid::now_v7()), Some(&sc.admin.token)).await;
        problem(res, 404).await;
        for bad in ["0", "13", "x"] {
            let res = app.get(&format!("/v1/admin/reports/trainings/{}?months={bad}", sc.training), Some(&sc.admin.token)).await;
            problem(res, 422).await;
        }
    }

    async fn a_seller_sees_its_own_months_products_and_shelves(app) {
        let sc = scenario(&app).await;
        let path = "/v1/sellers/me/report?from=2026-08&to=2026-10";
        let r = get_json(&app, path, &sc.p1.goods.seller).await;
        assert_eq!(r["seller_id"], json!(sc.p1.id()));
        let months: Vec<[i64; 5]> = r["months"].as_array().unwrap().iter().map(|m|
            ["online_sales_count", "online_sales_idr", "hotel_sales_count", "hotel_sales_idr", "sales_idr"].map(|k| m[k].as_i64().unwrap())).collect();
        assert_eq!(months, [[0, 0, 1, 120_000, 120_000], [0, 0, 0, 0, 0], [1, PRICE, 1, 130_000, 130_000 + PRICE]]);
        assert_eq!(r["months"][2]["hotels"], json!([{"hotel_id": sc.hotel.1, "name": "Hotel Tugu Malang",
            "sales_count": 1, "sales_idr": 130_000}]));
        let top = r["top_products"].as_array().unwrap();
        assert_eq!(top.len(), 1, "only its own products");
        assert_eq!((top[0]["units"].as_i64(), top[0]["sales_idr"].as_i64()), (Some(3), Some(250_000 + PRICE)));
        let shelves = r["on_shelves"].as_array().unwrap();
        assert_eq!(shelves.len(), 1);
        assert_eq!((shelves[0]["units"].as_i64(), shelves[0]["value_idr"].as_i64()), (Some(3), Some(300_000)));
        assert_eq!(r["trainings"][0]["id"], json!(sc.training));

        // P2's report holds P2's sale only: another seller's figures never show.
        let r2 = get_json(&app, path, &sc.p2.goods.seller).await;
        let sales: Vec<i64> = r2["months"].as_array().unwrap().iter().map(|m| m["sales_idr"].as_i64().unwrap()).collect();
        assert_eq!(sales, [0, 140_000, 0]);
        assert_eq!(r2["trainings"][0]["id"], json!(sc.training), "linked by the number filled in later, once confirmed");
        // Naming another seller is not a way in.
        let res = app.get(&format!("{path}&seller_id={}", sc.c1.id()), Some(&sc.p2.goods.seller.token)).await;
        problem(res, 422).await;

        let (_, csv) = get_as(&app, path, &sc.p1.goods.seller, "text/csv").await;
        assert!(csv.contains(&format!("2026-10,1,{PRICE},1,130000,{},1,130000\n", 130_000 + PRICE)), "{csv}");
        assert!(csv.contains("On shelves\nhotel,title,sku,units,value_idr\n"), "{csv}");
        let (kind, svg) = get_as(&app, path, &sc.p1.goods.seller, "image/svg+xml").await;
        assert!(kind.starts_with("image/svg+xml"));
        assert!(svg.contains("Penjualan Perak Daun Tlogomas") && svg.contains("Pelatihan Electroforming (15 Sep 2026)"));
        let _ = (&sc.m, &sc.x);
    }

    async fn a_participant_matched_only_by_number_counts_once_the_office_confirms(app) {
        let sc = scenario_with(&app, false).await;
        let path = format!("/v1/admin/reports/trainings/{}?months=1", sc.training);
        let r = get_json(&app, &path, &sc.admin).await;
        let figures = ["participants", "linked_sellers", "suggested_links", "comparison_sellers", "with_published_product", "with_first_sale"]
            .map(|k| r[k].as_i64().unwrap());
        // P2 is only suggested: in neither group (nor the comparison) until the office decides.
        assert_eq!(figures, [3, 1, 1, 2, 1, 0]);
        let months: Vec<[i64; 6]> = r["months"].as_array().unwrap().iter().map(|m|
            ["participants_total_idr", "participants_median_idr", "participants_average_idr",
             "comparison_total_idr", "comparison_median_idr", "comparison_average_idr"].map(|k| m[k].as_i64().unwrap())).collect();
        let oct = 130_000 + PRICE;
        assert_eq!(months, [[120_000, 120_000, 120_000, 0, 0, 0], [0, 0, 0, 0, 0, 0], [oct, oct, oct, 150_000, 75_000, 75_000]]);
        assert_eq!(r["mentees"], json!({"count": 1, "sales_idr": 160_000}));
        let own = "/v1/sellers/me/report?from=2026-08&to=2026-10";
        assert_eq!(get_json(&app, own, &sc.p2.goods.seller).await["trainings"], json!([]));

        confirm(&app, &sc.admin, &sc.training, "+6281233334444", sc.p2.id()).await;
        let r = get_json(&app, &path, &sc.admin).await;
        let figures = ["participants", "linked_sellers", "suggested_links", "comparison_sellers", "with_published_product", "with_first_sale"]
            .map(|k| r[k].as_i64().unwrap());
        assert_eq!(figures, [3, 2, 0, 2, 2, 1]);
        assert_eq!(get_json(&app, own, &sc.p2.goods.seller).await["trainings"][0]["id"], json!(sc.training));
    }

    async fn only_admins_see_city_reports_and_only_sellers_their_own(app) {
        let admin = app.admin().await;
        let seller = app.active_seller().await;
        let (hotel, _) = app.active_hotel().await;
        let buyer = app.register("buyer").await;
        let res = app.post("/v1/admin/trainings", Some(&admin.token), json!({
            "title": "Batik Kelurahan", "sector": "batik", "held_from": "2026-03-02",
            "held_to": "2026-03-03", "venue": "Kantor Kelurahan", "organiser": "Dekranasda"})).await;
        let training = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let city = ["/v1/admin/reports/overview?from=2026-01&to=2026-03".to_owned(),
            format!("/v1/admin/reports/trainings/{training}")];
        for path in &city {
            for who in [&seller, &hotel, &buyer] {
                for accept in ["application/json", "text/csv", "image/svg+xml"] {
                    let res = app.client.get(app.url(path)).bearer_auth(&who.token).header("Accept", accept).send().await.unwrap();
                    problem(res, 403).await;
                }
            }
            problem(app.get(path, None).await, 401).await;
            get_json(&app, path, &admin).await;
        }
        let own = "/v1/sellers/me/report?from=2026-01&to=2026-03";
        for who in [&admin, &hotel, &buyer] {
            problem(app.get(own, Some(&who.token)).await, 403).await;
        }
        problem(app.get(own, None).await, 401).await;
        get_json(&app, own, &seller).await;
        // Windows are checked before anything is read.
        for bad in ["from=2026-03&to=2026-01", "from=2026-01", "from=2026-13&to=2027-01", "from=2020-01&to=2023-01", "from=2026-01&to=2026-02&x=1"] {
            let res = app.get(&format!("/v1/admin/reports/overview?{bad}"), Some(&admin.token)).await;
            problem(res, 422).await;
            let res = app.get(&format!("/v1/sellers/me/report?{bad}"), Some(&seller.token)).await;
            problem(res, 422).await;
        }
    }
}

/// 5 × 10^18 rupiah: two of them are more than an i64 holds.
const HUGE: i64 = 5_000_000_000_000_000_000;

/// A report path asked for as JSON, CSV and SVG: a 422 each time, naming `want` (in any
/// order), never a 500.
async fn refused_as_too_large(app: &TestApp, path: &str, who: &Account, want: &[&str]) {
    for accept in ["application/json", "text/csv", "image/svg+xml"] {
        let res = app
            .client
            .get(app.url(path))
            .bearer_auth(&who.token)
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        let body = problem(res, 422).await;
        let mut got = crate::support::fields(&body);
        got.sort();
        let mut want: Vec<String> = want.iter().map(|f| (*f).to_owned()).collect();
        want.sort();
        assert_eq!(got, want, "{path} as {accept}: {body}");
        for e in body["errors"].as_array().unwrap() {
            assert!(
                e["message"].as_str().unwrap().contains("larger than"),
                "{e}"
            );
        }
    }
}

both_backends! {
    async fn totals_beyond_an_i64_are_a_422_naming_them_never_a_500(app) {
        let admin = app.admin().await;
        let hotel = app.active_hotel().await;
        let ej = "electroforming-jewellery";
        let p = maker(&app, &hotel, "Perak Raksasa", ej, Some("Lowokwaru"), None).await;
        let q = maker(&app, &hotel, "Tembaga Kecil", ej, Some("Klojen"), None).await;
        // Two sale lines in October, then made worth 5 × 10^18 each straight in the database
        // (no API would take them): their sum does not fit in an i64.
        p.sold(&app, &hotel, 100_001, "2026-10-05T03:00:00Z").await;
        p.sold(&app, &hotel, 100_001, "2026-10-06T03:00:00Z").await;
        let changed = app.db(|c| {
            diesel::sql_query(format!(
                "UPDATE hotel_sale_lines SET unit_price_idr = {HUGE} WHERE unit_price_idr = 100001"
            ))
            .execute(c)
        });
        assert_eq!(changed, 2);
        let res = app.post("/v1/admin/trainings", Some(&admin.token), json!({
            "title": "Pelatihan Electroforming", "sector": ej, "held_from": "2026-10-01",
            "held_to": "2026-10-02", "venue": "Hotel Santika Malang", "organiser": "Diskopindag"})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let training = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let res = app.post(&format!("/v1/admin/trainings/{training}/participants"), Some(&admin.token), json!({
            "participants": [
                {"name": "Pak Eko", "whatsapp": "0812-1111-2222", "seller_id": p.id()},
                {"name": "Bu Sri", "whatsapp": "0812-3333-4444", "seller_id": q.id()}]})).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());

        // October is months[1] of September–November.
        refused_as_too_large(&app, "/v1/admin/reports/overview?from=2026-09&to=2026-11", &admin, &[
            "months[1].hotel_sales_idr",
            "months[1].by_sector.electroforming-jewellery.sales_idr",
            "months[1].by_kecamatan.Lowokwaru.sales_idr",
            "top_products[0].sales_idr",
            "top_sellers[0].sales_idr",
        ]).await;
        refused_as_too_large(&app, "/v1/sellers/me/report?from=2026-09&to=2026-11", &p.goods.seller, &[
            "months[1].hotel_sales_idr",
            "months[1].sales_idr",
            "months[1].hotels[0].sales_idr",
            "top_products[0].sales_idr",
        ]).await;
        // Of two participant sellers one sold 10^19: the median and the average (half of it)
        // fit, the total does not.
        refused_as_too_large(&app, &format!("/v1/admin/reports/trainings/{training}?months=1"), &admin, &[
            "months[1].participants_total_idr",
        ]).await;

        // Months without those sales still answer.
        let o = get_json(&app, "/v1/admin/reports/overview?from=2026-11&to=2026-12", &admin).await;
        assert_eq!(o["months"][0]["hotel_sales_idr"], 0);
        let r = get_json(&app, "/v1/sellers/me/report?from=2026-11&to=2026-12", &p.goods.seller).await;
        assert_eq!(r["months"][0]["sales_idr"], 0);
        let r = get_json(&app, "/v1/sellers/me/report?from=2026-09&to=2026-11", &q.goods.seller).await;
        assert_eq!(r["months"][1]["sales_idr"], 0, "another seller's report is not touched");
    }
}
