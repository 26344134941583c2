//! Trainings and participants: admins only; JSON and spreadsheet CSV; idempotent per number;
//! a bad row stores nothing; linking by id, by number, and to a seller who fills in its
//! number later. Mentoring: once, not itself, no cycles.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, TestApp, fields, problem};

fn training_body() -> Value {
    json!({"title": "Pelatihan Electroforming bagi IKM Kota Malang", "sector": "electroforming-jewellery",
        "held_from": "2021-02-22", "held_to": "2021-02-24", "venue": "Hotel Santika Malang",
        "organiser": "Diskopindag Kota Malang"})
}

async fn training(app: &TestApp, admin: &Account) -> String {
    let res = app
        .post("/v1/admin/trainings", Some(&admin.token), training_body())
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn csv(app: &TestApp, admin: &Account, id: &str, body: &'static str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v1/admin/trainings/{id}/participants")))
        .bearer_auth(&admin.token)
        .header("Content-Type", "text/csv; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn participants(app: &TestApp, admin: &Account, id: &str) -> Vec<Value> {
    let res = app
        .get(
            &format!("/v1/admin/trainings/{id}/participants"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Vec<Value>>().await.unwrap()
}

/// Sets the seller's WhatsApp number through its profile.
async fn set_whatsapp(app: &TestApp, seller: &Account, number: &str) {
    let res = app
        .request(
            Method::PUT,
            "/v1/sellers/me",
            Some(&seller.token),
            Some(json!({
        "business_name": "Daun Abadi", "sector": "electroforming-jewellery", "whatsapp": number})),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

both_backends! {
    async fn an_admin_records_a_training_and_its_participants(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        let res = app.get(&format!("/v1/admin/trainings/{id}"), Some(&admin.token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let t: Value = res.json().await.unwrap();
        assert_eq!((t["held_from"].as_str(), t["participants"].as_i64()), (Some("2021-02-22"), Some(0)));

        let named = app.active_seller().await;
        let res = app.post(&format!("/v1/admin/trainings/{id}/participants"), Some(&admin.token), json!({"participants": [
            {"name": "Siti Aminah", "whatsapp": "0812-3456-7890", "kelurahan": "Tlogomas"},
            {"name": "Budi Santoso", "whatsapp": "+62 813 1111 2222", "seller_id": named.seller_id()}]})).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"added": 2, "already_listed": 0}));
        // A spreadsheet export: BOM, semicolons, a number already listed, one new.
        let res = csv(&app, &admin, &id, "\u{feff}Name;WhatsApp;Kelurahan\nSiti A.;+6281234567890;Tlogomas\nDewi Lestari;0857 0000 1111;Merjosari\n").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"added": 1, "already_listed": 1}));
        let list = participants(&app, &admin, &id).await;
        assert_eq!(list.len(), 3);
        assert_eq!(list[0]["name"], "Siti Aminah", "a listed number is left as it was");
        assert_eq!(list[0]["whatsapp"], "+6281234567890");
        assert_eq!(list[1]["seller_id"], named.seller_id(), "linked by id");
        assert_eq!(list[2]["seller_id"], Value::Null);

        // A seller who fills in the number later is linked then.
        let later = app.active_seller().await;
        set_whatsapp(&app, &later, "+6285700001111").await;
        let list = participants(&app, &admin, &id).await;
        assert_eq!(list[2]["seller_id"], later.seller_id(), "linked by number");

        let res = app.request(Method::PATCH, &format!("/v1/admin/trainings/{id}"), Some(&admin.token),
            Some(json!({"venue": "Hotel Tugu Malang"}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.client.patch(app.url(&format!("/v1/admin/trainings/{id}"))).bearer_auth(&admin.token)
            .header("If-Match", etag).json(&json!({"venue": "Balai Kota"})).send().await.unwrap();
        problem(res, 412).await;
        let res = app.request(Method::PATCH, &format!("/v1/admin/trainings/{id}"), Some(&admin.token),
            Some(json!({"held_to": "2021-02-01"}))).await;
        assert_eq!(fields(&problem(res, 422).await), ["held_to"]);
        let listed: Value = app.get("/v1/admin/trainings", Some(&admin.token)).await.json().await.unwrap();
        assert_eq!(listed["items"][0]["participants"], 3);
    }

    async fn a_bad_row_stores_nothing_of_its_upload(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        let res = csv(&app, &admin, &id, "name,whatsapp,kelurahan\nSiti Aminah,081234567890,Tlogomas\nBudi,12345,\n,081311112222,Sumbersari\n").await;
        let p = problem(res, 422).await;
        assert_eq!(fields(&p), ["line 3.whatsapp", "line 4.name"], "{p}");
        assert!(participants(&app, &admin, &id).await.is_empty(), "nothing stored");
        let res = csv(&app, &admin, &id, "nama,telepon\nSiti,0812\n").await;
        assert_eq!(fields(&problem(res, 422).await), ["file"]);
        let res = app.post(&format!("/v1/admin/trainings/{id}/participants"), Some(&admin.token), json!({"participants": [
            {"name": "Siti Aminah", "whatsapp": "081234567890"},
            {"name": "Budi", "whatsapp": "081311112222", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11"}]})).await;
        assert_eq!(fields(&problem(res, 422).await), ["participants[1].seller_id"]);
        assert!(participants(&app, &admin, &id).await.is_empty(), "nothing stored");
        let res = app.client.post(app.url(&format!("/v1/admin/trainings/{id}/participants"))).bearer_auth(&admin.token)
            .header("Content-Type", "application/xml").body("<p/>").send().await.unwrap();
        problem(res, 415).await;
        let res = app.post(&format!("/v1/admin/trainings/{id}/participants"), Some(&admin.token), json!({"participants": []})).await;
        assert_eq!(fields(&problem(res, 422).await), ["participants"]);
        let res = app.post("/v1/admin/trainings", Some(&admin.token), json!({"title": "x", "sector": "kites",
            "held_from": "2021-02-30", "venue": "Malang"})).await;
        assert_eq!(fields(&problem(res, 422).await), ["title", "held_from", "held_to", "organiser"]);
        let mut body = training_body();
        body["sector"] = json!("kites");
        let res = app.post("/v1/admin/trainings", Some(&admin.token), body).await;
        assert_eq!(fields(&problem(res, 422).await), ["sector"]);
    }

    async fn only_admins_see_trainings(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        let seller = app.active_seller().await;
        let (hotel, _) = app.active_hotel().await;
        let buyer = app.register("buyer").await;
        for (method, path, body) in [
            (Method::POST, "/v1/admin/trainings".to_owned(), Some(training_body())),
            (Method::GET, "/v1/admin/trainings".to_owned(), None),
            (Method::GET, format!("/v1/admin/trainings/{id}"), None),
            (Method::PATCH, format!("/v1/admin/trainings/{id}"), Some(json!({"venue": "Balai Kota"}))),
            (Method::POST, format!("/v1/admin/trainings/{id}/participants"), Some(json!({"participants": [{"name": "Siti", "whatsapp": "081234567890"}]}))),
            (Method::GET, format!("/v1/admin/trainings/{id}/participants"), None),
        ] {
            for who in [&seller, &hotel, &buyer] {
                let res = app.request(method.clone(), &path, Some(&who.token), body.clone()).await;
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path} by {}", who.email);
            }
            let res = app.request(method.clone(), &path, None, body).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        assert!(participants(&app, &admin, &id).await.is_empty());
        let res = app.get(&format!("/v1/admin/trainings/{}", uuid::Uuid::now_v7()), Some(&admin.token)).await;
        problem(res, 404).await;
    }
}

/// `PUT /v1/sellers/me` naming a mentor (the rest of the profile as `set_whatsapp` leaves it).
async fn name_mentor(app: &TestApp, seller: &Account, mentor: &str) -> reqwest::Response {
    app.request(Method::PUT, "/v1/sellers/me", Some(&seller.token), Some(json!({
        "business_name": "Daun Abadi", "sector": "electroforming-jewellery", "mentor_seller_id": mentor}))).await
}

both_backends! {
    async fn a_seller_names_its_mentor_once_never_itself_and_never_in_a_circle(app) {
        let (a, b, c) = (app.active_seller().await, app.active_seller().await, app.active_seller().await);
        let res = name_mentor(&app, &b, a.seller_id()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["mentor_seller_id"], a.seller_id());
        let public: Value = app.get(&format!("/v1/sellers/{}", b.seller_id()), None).await.json().await.unwrap();
        assert_eq!(public["mentor_seller_id"], a.seller_id(), "shown on the public profile");
        // The same again is fine; another is not; leaving it out keeps it.
        assert_eq!(name_mentor(&app, &b, a.seller_id()).await.status(), StatusCode::OK);
        problem(name_mentor(&app, &b, c.seller_id()).await, 409).await;
        set_whatsapp(&app, &b, "081299998888").await;
        let me: Value = app.get("/v1/sellers/me", Some(&b.token)).await.json().await.unwrap();
        assert_eq!(me["mentor_seller_id"], a.seller_id());
        // c learnt from b: a chain. a naming c would close a circle a → c → b → a.
        assert_eq!(name_mentor(&app, &c, b.seller_id()).await.status(), StatusCode::OK);
        let res = name_mentor(&app, &a, c.seller_id()).await;
        assert_eq!(fields(&problem(res, 422).await), ["mentor_seller_id"]);
        let res = name_mentor(&app, &a, a.seller_id()).await;
        assert_eq!(fields(&problem(res, 422).await), ["mentor_seller_id"]);
        let res = name_mentor(&app, &a, &uuid::Uuid::now_v7().to_string()).await;
        assert_eq!(fields(&problem(res, 422).await), ["mentor_seller_id"]);
        let pending = app.register("seller").await;
        let res = name_mentor(&app, &a, pending.seller_id()).await;
        assert_eq!(fields(&problem(res, 422).await), ["mentor_seller_id"], "a mentor is an active seller");
        let me: Value = app.get("/v1/sellers/me", Some(&a.token)).await.json().await.unwrap();
        assert_eq!(me["mentor_seller_id"], Value::Null, "nothing changed");
    }
}
