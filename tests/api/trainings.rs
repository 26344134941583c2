//! Trainings and participants: admins only; JSON and spreadsheet CSV; idempotent per number;
//! a bad row stores nothing; listed a page at a time. Links: by id (confirmed), by number only
//! as a suggestion the city office confirms (also for a seller who fills in its number later),
//! never for a number two sellers share; a seller typing a participant's number claims
//! nothing. Mentoring: once, not itself, no cycles.

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

/// One page of a training's participants (`query` is `limit=…&cursor=…`, or empty).
async fn page(app: &TestApp, admin: &Account, id: &str, query: &str) -> Value {
    let res = app
        .get(
            &format!("/v1/admin/trainings/{id}/participants?{query}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// Every participant of the training, page after page.
async fn participants(app: &TestApp, admin: &Account, id: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut query = "limit=100".to_owned();
    loop {
        let p = page(app, admin, id, &query).await;
        all.extend(p["items"].as_array().expect("items").iter().cloned());
        match p["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=100&cursor={cursor}"),
            None => return all,
        }
    }
}

/// Adds participants (JSON), asserting 200.
async fn add(app: &TestApp, admin: &Account, id: &str, people: Value) {
    let res = app
        .post(
            &format!("/v1/admin/trainings/{id}/participants"),
            Some(&admin.token),
            json!({ "participants": people }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

fn link_path(training: &str, participant: &str) -> String {
    format!("/v1/admin/trainings/{training}/participants/{participant}/link")
}

/// `POST …/link` with `body`.
async fn link(
    app: &TestApp,
    who: &Account,
    training: &str,
    participant: &str,
    body: Value,
) -> reqwest::Response {
    app.post(&link_path(training, participant), Some(&who.token), body)
        .await
}

/// `DELETE …/link`.
async fn unlink(
    app: &TestApp,
    who: &Account,
    training: &str,
    participant: &str,
) -> reqwest::Response {
    app.request(
        Method::DELETE,
        &link_path(training, participant),
        Some(&who.token),
        None,
    )
    .await
}

/// Confirms `seller` as the participant's seller, asserting 200; the participant as answered.
async fn confirm(
    app: &TestApp,
    admin: &Account,
    training: &str,
    participant: &str,
    seller: &Account,
) -> Value {
    let res = link(
        app,
        admin,
        training,
        participant,
        json!({"seller_id": seller.seller_id()}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// The training's report (`linked_sellers`, `suggested_links`, …).
async fn report(app: &TestApp, admin: &Account, id: &str) -> Value {
    let res = app
        .get(
            &format!("/v1/admin/reports/trainings/{id}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The ids of the trainings a seller's own report (January–March 2021) shows.
async fn own_trainings(app: &TestApp, seller: &Account) -> Vec<String> {
    let res = app
        .get(
            "/v1/sellers/me/report?from=2021-01&to=2021-03",
            Some(&seller.token),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let r: Value = res.json().await.unwrap();
    r["trainings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
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
        assert_eq!(list[1]["seller"]["id"], named.seller_id(), "linked by id: confirmed");
        assert_eq!(list[1]["suggested_seller"], Value::Null);
        assert_eq!((&list[2]["seller"], &list[2]["suggested_seller"]), (&Value::Null, &Value::Null));

        // A seller who fills in the number later is suggested then, and linked once confirmed.
        let later = app.active_seller().await;
        set_whatsapp(&app, &later, "+6285700001111").await;
        let list = participants(&app, &admin, &id).await;
        assert_eq!(list[2]["seller"], Value::Null, "a matching number links nothing by itself");
        assert_eq!(list[2]["suggested_seller"]["id"], later.seller_id(), "suggested by number");
        assert_eq!(list[2]["suggested_seller"]["status"], "active");
        let confirmed = confirm(&app, &admin, &id, &id_of(&list[2]), &later).await;
        assert_eq!(confirmed["seller"]["id"], later.seller_id());
        assert_eq!(confirmed["suggested_seller"], Value::Null);

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
            (Method::POST, link_path(&id, &uuid::Uuid::now_v7().to_string()), Some(json!({"seller_id": seller.seller_id()}))),
            (Method::DELETE, link_path(&id, &uuid::Uuid::now_v7().to_string()), None),
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

both_backends! {
    async fn a_seller_typing_a_participants_number_claims_nothing(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        add(&app, &admin, &id, json!([{"name": "Siti Aminah", "whatsapp": "0812-3456-7890", "kelurahan": "Tlogomas"}])).await;
        let before = report(&app, &admin, &id).await;
        assert_eq!(before["linked_sellers"], 0);

        // A pending seller sets its WhatsApp number to hers.
        let impostor = app.register("seller").await;
        set_whatsapp(&app, &impostor, "+62 812-3456-7890").await;
        assert!(own_trainings(&app, &impostor).await.is_empty(), "its report does not show her training");
        let list = participants(&app, &admin, &id).await;
        assert_eq!(list[0]["seller"], Value::Null, "the admin's list shows no seller of hers");
        assert_eq!(list[0]["suggested_seller"]["id"], impostor.seller_id(), "only a suggestion");
        assert_eq!(list[0]["suggested_seller"]["status"], "pending");
        let after = report(&app, &admin, &id).await;
        assert_eq!(after["linked_sellers"], before["linked_sellers"], "linked_sellers unchanged");
        assert_eq!(after["suggested_links"], 1);
        assert_eq!(after["with_published_product"], before["with_published_product"]);

        // An approved seller doing the same claims nothing either until the office confirms.
        let other = app.active_seller().await;
        add(&app, &admin, &id, json!([{"name": "Budi Santoso", "whatsapp": "0813-1111-2222"}])).await;
        set_whatsapp(&app, &other, "081311112222").await;
        assert!(own_trainings(&app, &other).await.is_empty());
        assert_eq!(report(&app, &admin, &id).await["linked_sellers"], 0);
        let budi = participants(&app, &admin, &id).await.into_iter().find(|p| p["name"] == "Budi Santoso").unwrap();
        confirm(&app, &admin, &id, &id_of(&budi), &other).await;
        assert_eq!(own_trainings(&app, &other).await, [id.as_str()], "confirmed: shown");
        let confirmed = report(&app, &admin, &id).await;
        assert_eq!((confirmed["linked_sellers"].as_i64(), confirmed["suggested_links"].as_i64()), (Some(1), Some(1)));

        // A seller not approved gets no report of anything linked to it, even a link the office
        // made: not while pending, not once suspended.
        confirm(&app, &admin, &id, &id_of(&list[0]), &impostor).await;
        assert!(own_trainings(&app, &impostor).await.is_empty(), "pending: nothing linked shows");
        let res = app.post(&format!("/v1/admin/sellers/{}/suspend", other.seller_id()), Some(&admin.token), json!({})).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        assert!(own_trainings(&app, &other).await.is_empty(), "suspended: nothing linked shows");
    }

    async fn a_number_two_sellers_share_suggests_no_one(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        add(&app, &admin, &id, json!([{"name": "Dewi Lestari", "whatsapp": "0857 0000 1111"}])).await;
        let (a, b) = (app.active_seller().await, app.active_seller().await);
        set_whatsapp(&app, &a, "085700001111").await;
        set_whatsapp(&app, &b, "+6285700001111").await;
        let list = participants(&app, &admin, &id).await;
        assert_eq!((&list[0]["seller"], &list[0]["suggested_seller"]), (&Value::Null, &Value::Null));
        let r = report(&app, &admin, &id).await;
        assert_eq!((r["linked_sellers"].as_i64(), r["suggested_links"].as_i64()), (Some(0), Some(0)));
        assert!(own_trainings(&app, &a).await.is_empty() && own_trainings(&app, &b).await.is_empty());
        // The office decides which one she is.
        confirm(&app, &admin, &id, &id_of(&list[0]), &b).await;
        assert_eq!(report(&app, &admin, &id).await["linked_sellers"], 1);
        assert_eq!(own_trainings(&app, &b).await, [id.as_str()]);
        assert!(own_trainings(&app, &a).await.is_empty());
    }

    async fn the_office_confirms_changes_and_removes_links(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        add(&app, &admin, &id, json!([
            {"name": "Siti Aminah", "whatsapp": "0812-3456-7890"},
            {"name": "Budi Santoso", "whatsapp": "0813-1111-2222"}])).await;
        let (s, t) = (app.active_seller().await, app.active_seller().await);
        set_whatsapp(&app, &s, "081234567890").await;
        let list = participants(&app, &admin, &id).await;
        let (siti, budi) = (id_of(&list[0]), id_of(&list[1]));
        assert_eq!(list[0]["suggested_seller"]["id"], s.seller_id());
        assert_eq!(list[0]["suggested_seller"]["business_name"], "Daun Abadi");

        // Confirming the suggestion: counted, shown to the seller; the same again changes nothing.
        let p = confirm(&app, &admin, &id, &siti, &s).await;
        assert_eq!((p["id"].as_str(), &p["seller"]["id"], &p["suggested_seller"]), (Some(siti.as_str()), &json!(s.seller_id()), &Value::Null));
        let r = report(&app, &admin, &id).await;
        assert_eq!((r["linked_sellers"].as_i64(), r["suggested_links"].as_i64()), (Some(1), Some(0)));
        assert_eq!(own_trainings(&app, &s).await, [id.as_str()]);
        confirm(&app, &admin, &id, &siti, &s).await;
        assert_eq!(report(&app, &admin, &id).await["linked_sellers"], 1);

        // One seller is one participant of a training: a second link is a conflict.
        let res = link(&app, &admin, &id, &budi, json!({"seller_id": s.seller_id()})).await;
        problem(res, 409).await;
        // A seller nobody suggested may be linked.
        let p = confirm(&app, &admin, &id, &budi, &t).await;
        assert_eq!(p["seller"]["id"], t.seller_id());
        assert_eq!(report(&app, &admin, &id).await["linked_sellers"], 2);

        // Removing a link: no longer counted or shown, and not suggested again.
        let res = unlink(&app, &admin, &id, &siti).await;
        assert_eq!(res.status(), StatusCode::OK);
        let p: Value = res.json().await.unwrap();
        assert_eq!((&p["seller"], &p["suggested_seller"]), (&Value::Null, &Value::Null));
        let r = report(&app, &admin, &id).await;
        assert_eq!((r["linked_sellers"].as_i64(), r["suggested_links"].as_i64()), (Some(1), Some(0)));
        assert!(own_trainings(&app, &s).await.is_empty());
        let list = participants(&app, &admin, &id).await;
        assert_eq!((&list[0]["seller"], &list[0]["suggested_seller"]), (&Value::Null, &Value::Null));
        assert_eq!(unlink(&app, &admin, &id, &siti).await.status(), StatusCode::OK, "again: nothing to remove");

        // Turning down a suggestion that was never confirmed.
        let u = app.active_seller().await;
        add(&app, &admin, &id, json!([{"name": "Rina Kartika", "whatsapp": "0813-3100-4101"}])).await;
        set_whatsapp(&app, &u, "081331004101").await;
        let rina = participants(&app, &admin, &id).await.into_iter().find(|p| p["name"] == "Rina Kartika").unwrap();
        assert_eq!(rina["suggested_seller"]["id"], u.seller_id());
        assert_eq!(report(&app, &admin, &id).await["suggested_links"], 1);
        let p: Value = unlink(&app, &admin, &id, &id_of(&rina)).await.json().await.unwrap();
        assert_eq!(p["suggested_seller"], Value::Null);
        assert_eq!(report(&app, &admin, &id).await["suggested_links"], 0);

        // The office may still link a seller it turned down, and move a link.
        confirm(&app, &admin, &id, &siti, &s).await;
        let p = confirm(&app, &admin, &id, &budi, &u).await;
        assert_eq!(p["seller"]["id"], u.seller_id());
        let res = link(&app, &admin, &id, &id_of(&rina), json!({"seller_id": u.seller_id()})).await;
        problem(res, 409).await;
        assert_eq!(report(&app, &admin, &id).await["linked_sellers"], 2);
        assert!(own_trainings(&app, &t).await.is_empty(), "t's link moved to u");

        // Adding a participant that names a seller already linked in this training is a
        // conflict; naming one seller twice in one request is invalid. Nothing is stored.
        let res = app.post(&format!("/v1/admin/trainings/{id}/participants"), Some(&admin.token), json!({"participants": [
            {"name": "Yuliana", "whatsapp": "0813-3100-4202"},
            {"name": "Siti Maemunah", "whatsapp": "0813-3100-4201", "seller_id": s.seller_id()}]})).await;
        problem(res, 409).await;
        let res = app.post(&format!("/v1/admin/trainings/{id}/participants"), Some(&admin.token), json!({"participants": [
            {"name": "Yuliana", "whatsapp": "0813-3100-4202", "seller_id": t.seller_id()},
            {"name": "Siti Maemunah", "whatsapp": "0813-3100-4201", "seller_id": t.seller_id()}]})).await;
        assert_eq!(fields(&problem(res, 422).await), ["participants[1].seller_id"]);
        assert_eq!(participants(&app, &admin, &id).await.len(), 3, "nothing stored");
        // Sending a list again (its numbers already listed) is still fine.
        add(&app, &admin, &id, json!([{"name": "Siti Aminah", "whatsapp": "0812-3456-7890", "seller_id": s.seller_id()}])).await;
    }

    async fn links_are_admin_only_checked_before_the_body_and_404_for_anything_unknown(app) {
        let admin = app.admin().await;
        let (a, b) = (training(&app, &admin).await, training(&app, &admin).await);
        add(&app, &admin, &a, json!([{"name": "Siti Aminah", "whatsapp": "0812-3456-7890"}])).await;
        add(&app, &admin, &b, json!([{"name": "Budi Santoso", "whatsapp": "0813-1111-2222"}])).await;
        let siti = id_of(&participants(&app, &admin, &a).await[0]);
        let seller = app.active_seller().await;
        let body = json!({"seller_id": seller.seller_id()});
        let nobody = uuid::Uuid::now_v7().to_string();

        for (training, participant, body) in [
            (nobody.as_str(), siti.as_str(), body.clone()),
            (b.as_str(), siti.as_str(), body.clone()),
            (a.as_str(), nobody.as_str(), body.clone()),
            (a.as_str(), siti.as_str(), json!({"seller_id": nobody})),
        ] {
            problem(link(&app, &admin, training, participant, body).await, 404).await;
        }
        for (training, participant) in [(nobody.as_str(), siti.as_str()), (b.as_str(), siti.as_str()), (a.as_str(), nobody.as_str())] {
            problem(unlink(&app, &admin, training, participant).await, 404).await;
        }
        for bad in [json!({}), json!({"seller_id": "x"}), json!({"seller_id": 5}), json!({"seller_id": seller.seller_id(), "note": "x"})] {
            let res = link(&app, &admin, &a, &siti, bad.clone()).await;
            assert_eq!(problem(res, 422).await["status"], 422, "{bad}");
        }
        let p = participants(&app, &admin, &a).await;
        assert_eq!(p[0]["seller"], Value::Null, "nothing changed");

        // Anyone but an admin: 403 before the body is looked at (this one is not even JSON).
        let (hotel, _) = app.active_hotel().await;
        let buyer = app.register("buyer").await;
        for who in [&seller, &hotel, &buyer] {
            problem(link(&app, who, &a, &siti, json!({"seller_id": 5})).await, 403).await;
            let res = app.client.post(app.url(&link_path(&a, &siti))).bearer_auth(&who.token)
                .header("Content-Type", "application/xml").body("<p/>").send().await.unwrap();
            problem(res, 403).await;
            problem(link(&app, who, &nobody, &nobody, json!({})).await, 403).await;
            problem(unlink(&app, who, &a, &siti).await, 403).await;
        }
        problem(app.post(&link_path(&a, &siti), None, json!({"seller_id": 5})).await, 401).await;
        problem(app.request(Method::DELETE, &link_path(&a, &siti), None, None).await, 401).await;
        assert_eq!(participants(&app, &admin, &a).await[0]["seller"], Value::Null);
    }

    async fn participants_are_listed_a_page_at_a_time(app) {
        let admin = app.admin().await;
        let id = training(&app, &admin).await;
        let people: Vec<Value> = (1..=5).map(|i| json!({"name": format!("Peserta {i}"), "whatsapp": format!("0812-0000-000{i}")})).collect();
        add(&app, &admin, &id, json!(people)).await;
        let first = page(&app, &admin, &id, "limit=2").await;
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let cursor = first["next_cursor"].as_str().expect("a next page").to_owned();
        let second = page(&app, &admin, &id, &format!("limit=2&cursor={cursor}")).await;
        let cursor = second["next_cursor"].as_str().expect("a next page").to_owned();
        let third = page(&app, &admin, &id, &format!("limit=2&cursor={cursor}")).await;
        assert_eq!(third["next_cursor"], Value::Null, "the last page");
        let names: Vec<String> = [&first, &second, &third].iter()
            .flat_map(|p| p["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(names, (1..=5).map(|i| format!("Peserta {i}")).collect::<Vec<_>>(), "in the order added");
        let all = page(&app, &admin, &id, "").await;
        assert_eq!((all["items"].as_array().unwrap().len(), &all["next_cursor"]), (5, &Value::Null), "20 by default");
        for bad in ["limit=0", "limit=101", "cursor=nonsense"] {
            let res = app.get(&format!("/v1/admin/trainings/{id}/participants?{bad}"), Some(&admin.token)).await;
            problem(res, 422).await;
        }
        let res = app.get(&format!("/v1/admin/trainings/{}/participants", uuid::Uuid::now_v7()), Some(&admin.token)).await;
        problem(res, 404).await;
        // Anyone else is refused before the query is looked at.
        let seller = app.active_seller().await;
        for bad in ["limit=0", "limit=x", "cursor=nonsense"] {
            let res = app.get(&format!("/v1/admin/trainings/{id}/participants?{bad}"), Some(&seller.token)).await;
            problem(res, 403).await;
        }
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
