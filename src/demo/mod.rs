//! `kriya demo`: loads a Malang catalogue (sellers in the five kecamatan, their products with
//! photos, two partner hotels with consignments and a few sales) through the API, as any
//! client would: validation, photo renditions, the stock ledger and the search outbox all
//! apply. It runs its own server, detached from search, so it works while `kriya serve`
//! runs on the same data dir (that server indexes what the demo wrote). Running it again
//! adds nothing twice.

pub mod catalogue;
mod existing;
mod history;

use std::collections::HashMap;

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::app::Application;
use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::db::Pool;
use crate::domain::account::Role;
use crate::domain::phone::parse_whatsapp;
use catalogue::Catalogue;

/// Every demo account signs in with this password.
pub const PASSWORD: &str = "demo-kriya-2026";
const ADMIN_EMAIL: &str = "kurator@demo.kriya.id";

/// What the demo holds after a run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub sellers: usize,
    pub hotels: usize,
    pub products: usize,
    pub consignments: usize,
    /// Products this run created (0 on a second run).
    pub created: usize,
    /// Hotel sales of past months this run wrote (0 on a second run).
    pub past_sales: usize,
    pub trainings: usize,
}

/// How far the run is: (done, total, what now).
pub trait Progress {
    fn step(&self, done: u64, total: u64, what: &str);
}

pub async fn run(config: &Config, progress: &impl Progress) -> anyhow::Result<Summary> {
    let catalogue = Catalogue::builtin().map_err(anyhow::Error::msg)?;
    let mut config = config.clone();
    config.bind = "127.0.0.1:0".parse()?;
    // Its server answers only the demo's own requests: no read cache, so no change feed to
    // follow either (a busy search worker elsewhere is no concern of the demo's).
    config.read_cache = std::time::Duration::ZERO;
    let app = Application::build_detached(&config)?;
    let demo = Demo {
        api: Api {
            client: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{}", app.port()),
        },
        pool: crate::app::open_tool_database(&config)?,
        tokens: HashMap::new(),
        keys: app.token_keys(),
    };
    let handle = app.handle();
    let server = tokio::spawn(app.run_until_stopped());
    let result = demo.load(&catalogue, progress).await;
    handle.stop(true).await;
    let _ = server.await;
    result
}

struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {text}");
        }
        Ok(if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        })
    }

    async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, token, Some(body)).await
    }

    async fn upload(
        &self,
        product: Uuid,
        token: &str,
        name: &str,
        bytes: &'static [u8],
    ) -> anyhow::Result<()> {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
        let res = self
            .client
            .post(format!("{}/v1/products/{product}/images", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!(
                "uploading {name} answered {}: {}",
                res.status(),
                res.text().await?
            );
        }
        Ok(())
    }
}

struct Demo {
    api: Api,
    pool: Pool,
    /// Access tokens by email.
    tokens: HashMap<String, String>,
    keys: JwtKeys,
}

impl Demo {
    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut crate::db::DbConn) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// The account with this email (created with the demo password when missing) and a
    /// token for it.
    async fn account(
        &mut self,
        email: &str,
        name: &str,
        role: Role,
    ) -> anyhow::Result<(Uuid, String)> {
        let (e, n) = (email.to_owned(), name.to_owned());
        let id = self
            .db(move |conn| {
                if let Some(user) = crate::db::users::find_by_email(conn, &e)? {
                    return Ok(user.id);
                }
                crate::accounts::create_user(conn, &e, PASSWORD, Some(&n), role)
                    .map_err(|err| anyhow::anyhow!("creating {e}: {err}"))
            })
            .await?;
        let token = self.keys.issue(id, role).map_err(anyhow::Error::msg)?;
        self.tokens.insert(email.to_owned(), token.clone());
        Ok((id, token))
    }

    async fn load(mut self, c: &Catalogue, progress: &impl Progress) -> anyhow::Result<Summary> {
        let total = (c.seller.len()
            + c.hotel.len()
            + c.product.len()
            + c.history.len()
            + c.consignment.len()) as u64;
        let mut done = 0;
        let mut summary = Summary::default();
        let (_, admin) = self
            .account(ADMIN_EMAIL, "Kurator Dekranasda", Role::Admin)
            .await?;

        let mut sellers: HashMap<&str, Uuid> = HashMap::new();
        let mut users: HashMap<&str, Uuid> = HashMap::new();
        for s in &c.seller {
            progress.step(done, total, &format!("seller {}", s.business_name));
            let (user, token) = self
                .account(&s.email, &s.business_name, Role::Seller)
                .await?;
            let profile = json!({
                "business_name": s.business_name, "story": s.story, "sector": s.sector,
                "kecamatan": s.kecamatan, "kelurahan": s.kelurahan, "whatsapp": s.whatsapp
            });
            let me = self
                .api
                .call(Method::PUT, "/v1/sellers/me", &token, Some(profile))
                .await?;
            let id: Uuid = me["id"].as_str().context("seller id")?.parse()?;
            if me["status"] != "active" {
                self.api
                    .post(
                        &format!("/v1/admin/sellers/{id}/approve"),
                        &admin,
                        json!({}),
                    )
                    .await?;
            }
            sellers.insert(&s.key, id);
            users.insert(&s.key, user);
            summary.sellers += 1;
            done += 1;
        }

        let mut hotels: HashMap<&str, Uuid> = HashMap::new();
        for h in &c.hotel {
            progress.step(done, total, &format!("hotel {}", h.name));
            let (user, token) = self.account(&h.email, &h.contact_name, Role::Hotel).await?;
            users.insert(&h.key, user);
            // Look before registering: a hotel account without a hotel is a 403 on
            // `/v1/hotels/me`, which the server would log as a warning.
            let me = self.api.get("/v1/me", &token).await?;
            let hotel = match me.get("hotel_id") {
                Some(_) => self.api.get("/v1/hotels/me", &token).await?,
                None => {
                    self.api
                        .post(
                            "/v1/hotels",
                            &token,
                            json!({
                                "name": h.name, "address": h.address, "kecamatan": h.kecamatan,
                                "phri_number": h.phri_number, "contact_name": h.contact_name,
                                "contact_phone": h.contact_phone
                            }),
                        )
                        .await?
                }
            };
            let id: Uuid = hotel["id"].as_str().context("hotel id")?.parse()?;
            if hotel["status"] != "active" {
                self.api
                    .post(&format!("/v1/admin/hotels/{id}/approve"), &admin, json!({}))
                    .await?;
            }
            hotels.insert(&h.key, id);
            summary.hotels += 1;
            done += 1;
        }

        // (seller key, sku) → (product id, variant id, price)
        let mut variants: HashMap<(&str, &str), (Uuid, Uuid, i64)> = HashMap::new();
        for p in &c.product {
            progress.step(done, total, &p.title);
            let seller = c
                .seller
                .iter()
                .find(|s| s.key == p.seller)
                .context("seller")?;
            let token = self.tokens[&seller.email].clone();
            let seller_id = sellers[p.seller.as_str()];
            let sku = p.sku.clone();
            let existing = self
                .db(move |conn| Ok(existing::product(conn, seller_id, &sku)?))
                .await?;
            let (id, status, images, movements) = match existing {
                Some(e) => (e.id, e.status, e.images, e.movements),
                None => {
                    let created = self
                        .api
                        .post("/v1/products", &token, json!({
                            "title": p.title, "title_en": p.title_en, "description": p.description,
                            "description_en": p.description_en, "category": p.category,
                            "technique": p.technique, "materials": p.materials,
                            "price_idr": p.price_idr, "sku": p.sku, "weight_grams": p.weight_grams
                        }))
                        .await?;
                    summary.created += 1;
                    (
                        created["id"].as_str().context("id")?.parse()?,
                        "draft".to_owned(),
                        0,
                        0,
                    )
                }
            };
            if images == 0 {
                let bytes = catalogue::photo(&p.photo).context("photo")?;
                self.api.upload(id, &token, &p.photo, bytes).await?;
            }
            if status == "draft" {
                self.api
                    .post(&format!("/v1/products/{id}/publish"), &token, json!({}))
                    .await?;
            }
            let product = self.api.get(&format!("/v1/products/{id}"), &token).await?;
            let variant: Uuid = product["variants"][0]["id"]
                .as_str()
                .context("variant")?
                .parse()?;
            if movements == 0 {
                self.api
                    .post(
                        &format!("/v1/products/{id}/stock/adjustments"),
                        &token,
                        json!({"variant_id": variant, "delta": p.stock, "reason": "stok awal"}),
                    )
                    .await?;
            }
            variants.insert(
                (p.seller.as_str(), p.sku.as_str()),
                (id, variant, p.price_idr),
            );
            summary.products += 1;
            done += 1;
        }

        for h in &c.history {
            progress.step(done, total, &format!("past sales of {}", h.sku));
            let who = history::Parties {
                seller_id: sellers[h.seller.as_str()],
                seller_user: users[h.seller.as_str()],
                hotel_id: hotels[h.hotel.as_str()],
                hotel_user: users[h.hotel.as_str()],
            };
            let line = h.clone();
            let written = self
                .db(move |conn| Ok(history::write(conn, &line, &who)?))
                .await?;
            if written {
                summary.past_sales += h.units.iter().sum::<i64>() as usize;
            }
            done += 1;
        }
        self.trainings(c, &admin, &sellers, &mut summary).await?;
        self.mentoring(c, &sellers).await?;

        for k in &c.consignment {
            progress.step(
                done,
                total,
                &format!("consignment {} → {}", k.seller, k.hotel),
            );
            let seller = c
                .seller
                .iter()
                .find(|s| s.key == k.seller)
                .context("seller")?;
            let hotel = c.hotel.iter().find(|h| h.key == k.hotel).context("hotel")?;
            let (seller_token, hotel_token) = (
                self.tokens[&seller.email].clone(),
                self.tokens[&hotel.email].clone(),
            );
            let (seller_id, hotel_id) = (sellers[k.seller.as_str()], hotels[k.hotel.as_str()]);
            let agreement = match self
                .db(move |conn| Ok(existing::active_agreement(conn, seller_id, hotel_id)?))
                .await?
            {
                Some(id) => id,
                None => {
                    let proposed = self
                        .api
                        .post("/v1/consignment-agreements", &seller_token, json!({
                            "hotel_id": hotel_id, "commission_bps": k.commission_bps, "term_days": k.term_days
                        }))
                        .await?;
                    let id: Uuid = proposed["id"].as_str().context("agreement")?.parse()?;
                    self.api
                        .post(
                            &format!("/v1/consignment-agreements/{id}/accept"),
                            &hotel_token,
                            json!({}),
                        )
                        .await?;
                    id
                }
            };
            let since = history::end_of(c, &k.seller, &k.hotel);
            let (sent, sold) = self
                .db(move |conn| Ok(existing::agreement_activity(conn, agreement, since)?))
                .await?;
            let line = |l: &catalogue::Line| -> anyhow::Result<Value> {
                let (_, variant, price) = variants
                    .get(&(k.seller.as_str(), l.sku.as_str()))
                    .with_context(|| format!("no product {}", l.sku))?;
                Ok(json!({"variant_id": variant, "quantity": l.quantity, "unit_price_idr": price}))
            };
            if sent == 0 {
                let items: Vec<Value> = k.items.iter().map(line).collect::<anyhow::Result<_>>()?;
                let shipment = self
                    .api
                    .post(
                        "/v1/consignments",
                        &seller_token,
                        json!({"agreement_id": agreement, "items": items}),
                    )
                    .await?;
                let shipment = shipment["id"].as_str().context("consignment")?;
                self.api
                    .post(
                        &format!("/v1/consignments/{shipment}/receive"),
                        &hotel_token,
                        json!({}),
                    )
                    .await?;
            }
            if sold == 0 && !k.sold.is_empty() {
                let items: Vec<Value> = k.sold.iter().map(line).collect::<anyhow::Result<_>>()?;
                self.api
                    .post(
                        &format!("/v1/hotels/{hotel_id}/sales"),
                        &hotel_token,
                        json!({"items": items}),
                    )
                    .await?;
            }
            summary.consignments += 1;
            done += 1;
        }
        progress.step(done, total, "done");
        Ok(summary)
    }

    /// The city office's trainings and their participants (each added once: by title, and
    /// per WhatsApp number), each participant that is a demo seller linked to it by the office
    /// (also on a data dir an earlier version left with links by number only).
    async fn trainings(
        &self,
        c: &Catalogue,
        admin: &str,
        sellers: &HashMap<&str, Uuid>,
        summary: &mut Summary,
    ) -> anyhow::Result<()> {
        let listed = self.api.get("/v1/admin/trainings?limit=100", admin).await?;
        for t in &c.training {
            let known = listed["items"]
                .as_array()
                .and_then(|items| items.iter().find(|i| i["title"] == t.title.as_str()));
            let id = match known {
                Some(found) => found["id"].as_str().context("training id")?.to_owned(),
                None => {
                    let created = self
                        .api
                        .post(
                            "/v1/admin/trainings",
                            admin,
                            json!({
                                "title": t.title, "sector": t.sector, "held_from": t.held_from,
                                "held_to": t.held_to, "venue": t.venue, "organiser": t.organiser
                            }),
                        )
                        .await?;
                    created["id"].as_str().context("training id")?.to_owned()
                }
            };
            let seller_of = |p: &catalogue::Participant| p.seller.as_deref().map(|k| sellers[k]);
            let people: Vec<Value> = t
                .participants
                .iter()
                .map(|p| {
                    json!({"name": p.name, "whatsapp": p.whatsapp, "kelurahan": p.kelurahan,
                        "seller_id": seller_of(p)})
                })
                .collect();
            self.api
                .post(
                    &format!("/v1/admin/trainings/{id}/participants"),
                    admin,
                    json!({ "participants": people }),
                )
                .await?;
            let mut listed = Vec::new();
            let mut cursor = String::new();
            loop {
                let page = self
                    .api
                    .get(
                        &format!("/v1/admin/trainings/{id}/participants?limit=100{cursor}"),
                        admin,
                    )
                    .await?;
                listed.extend(page["items"].as_array().cloned().unwrap_or_default());
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = format!("&cursor={next}"),
                    None => break,
                }
            }
            for p in &t.participants {
                let Some(seller) = seller_of(p) else {
                    continue;
                };
                let number = parse_whatsapp(&p.whatsapp).map_err(anyhow::Error::msg)?;
                let row = listed
                    .iter()
                    .find(|r| r["whatsapp"] == number.as_str())
                    .context("a participant just added")?;
                if row["seller"]["id"] != seller.to_string().as_str() {
                    let pid = row["id"].as_str().context("participant id")?;
                    self.api
                        .post(
                            &format!("/v1/admin/trainings/{id}/participants/{pid}/link"),
                            admin,
                            json!({ "seller_id": seller }),
                        )
                        .await?;
                }
            }
            summary.trainings += 1;
        }
        Ok(())
    }

    /// Each mentee names its mentor on its profile, unless it already has.
    async fn mentoring(&self, c: &Catalogue, sellers: &HashMap<&str, Uuid>) -> anyhow::Result<()> {
        for m in &c.mentoring {
            let mentee = c
                .seller
                .iter()
                .find(|s| s.key == m.mentee)
                .context("mentee")?;
            let token = &self.tokens[&mentee.email];
            let me = self.api.get("/v1/sellers/me", token).await?;
            if !me["mentor_seller_id"].is_null() {
                continue;
            }
            let profile = json!({
                "business_name": mentee.business_name, "story": mentee.story,
                "sector": mentee.sector, "kecamatan": mentee.kecamatan,
                "kelurahan": mentee.kelurahan, "whatsapp": mentee.whatsapp,
                "mentor_seller_id": sellers[m.mentor.as_str()]
            });
            self.api
                .call(Method::PUT, "/v1/sellers/me", token, Some(profile))
                .await?;
        }
        Ok(())
    }
}
