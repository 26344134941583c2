//! A participant upload built to be slow to read (1 MiB, tens of thousands of rows between
//! blank lines) is refused quickly, stores nothing, and the server keeps answering meanwhile.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{fields, problem};

/// About 1 MiB of rows that look like participants, blank lines between them.
fn hostile_csv() -> String {
    let mut csv = String::from("name,whatsapp,kelurahan\n");
    let mut i = 0u64;
    while csv.len() < 1024 * 1024 - 64 {
        csv.push_str(&format!(
            "\r\n\nSiti {i},0812{:08},Tlogomas\n",
            i % 100_000_000
        ));
        i += 1;
    }
    csv
}

crate::both_backends! {
    async fn a_hostile_csv_upload_is_refused_quickly_and_the_server_keeps_answering(app) {
        let admin = app.admin().await;
        let res = app
            .post(
                "/v1/admin/trainings",
                Some(&admin.token),
                json!({"title": "Pelatihan Electroforming", "sector": "electroforming-jewellery",
                    "held_from": "2021-02-22", "held_to": "2021-02-24",
                    "venue": "Hotel Santika Malang", "organiser": "Diskopindag Kota Malang"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let training: Value = res.json().await.unwrap();
        let url = app.url(&format!("/v1/admin/trainings/{}/participants", training["id"].as_str().unwrap()));
        let csv = hostile_csv();
        assert!(csv.len() > 1000 * 1024);
        let uploads: Vec<_> = (0..2)
            .map(|_| {
                let req = app
                    .client
                    .post(&url)
                    .bearer_auth(&admin.token)
                    .header("content-type", "text/csv")
                    .body(csv.clone());
                tokio::spawn(async move { req.send().await.expect("upload answered") })
            })
            .collect();
        // While they are read, the server answers (a generous bound: "answered", not timed).
        let mut answered = 0;
        while uploads.iter().any(|u| !u.is_finished()) {
            let res = app
                .client
                .get(app.url("/healthz"))
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .expect("/healthz answered while a CSV upload was read");
            assert_eq!(res.status(), StatusCode::OK);
            answered += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        eprintln!("/healthz answered {answered} times during the uploads");
        for upload in uploads {
            let body = problem(upload.await.unwrap(), 422).await;
            assert!(fields(&body).contains(&"file".to_owned()), "the row cap is named: {body}");
        }
        let res = app
            .get(
                &format!("/v1/admin/trainings/{}/participants", training["id"].as_str().unwrap()),
                Some(&admin.token),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let listed: Value = res.json().await.unwrap();
        let count = listed
            .as_array()
            .or_else(|| listed["items"].as_array())
            .map_or(0, Vec::len);
        assert_eq!(count, 0, "nothing of a refused upload is stored");
    }
}
