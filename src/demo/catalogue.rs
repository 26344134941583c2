//! The demo catalogue: `demo/catalogue.toml` and the photographs in `demo/photos/`, built
//! into the binary so `kriya demo` works wherever the binary is.

use serde::Deserialize;

const CATALOGUE: &str = include_str!("../../demo/catalogue.toml");

/// The photographs, by file name (downscaled stand-ins; sources and licences in
/// `demo/photos/README.md`).
pub const PHOTOS: [(&str, &[u8]); 12] = [
    (
        "p01_bridge.jpg",
        include_bytes!("../../demo/photos/p01_bridge.jpg"),
    ),
    (
        "p02_dragonfly.jpg",
        include_bytes!("../../demo/photos/p02_dragonfly.jpg"),
    ),
    (
        "p03_fig_bowl.jpg",
        include_bytes!("../../demo/photos/p03_fig_bowl.jpg"),
    ),
    (
        "p04_wine.jpg",
        include_bytes!("../../demo/photos/p04_wine.jpg"),
    ),
    (
        "p05_aitzgorri.jpg",
        include_bytes!("../../demo/photos/p05_aitzgorri.jpg"),
    ),
    (
        "p06_analogpattern.jpg",
        include_bytes!("../../demo/photos/p06_analogpattern.jpg"),
    ),
    (
        "p07_free_bird.jpg",
        include_bytes!("../../demo/photos/p07_free_bird.jpg"),
    ),
    (
        "p08_friends_dogs.jpg",
        include_bytes!("../../demo/photos/p08_friends_dogs.jpg"),
    ),
    (
        "p09_clock.jpg",
        include_bytes!("../../demo/photos/p09_clock.jpg"),
    ),
    (
        "p10_life_stream.jpg",
        include_bytes!("../../demo/photos/p10_life_stream.jpg"),
    ),
    (
        "p11_picos.jpg",
        include_bytes!("../../demo/photos/p11_picos.jpg"),
    ),
    (
        "p12_seeding.jpg",
        include_bytes!("../../demo/photos/p12_seeding.jpg"),
    ),
];

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub seller: Vec<Seller>,
    pub hotel: Vec<Hotel>,
    pub product: Vec<Product>,
    pub consignment: Vec<Consignment>,
    #[serde(default)]
    pub history: Vec<History>,
    #[serde(default)]
    pub training: Vec<Training>,
    #[serde(default)]
    pub mentoring: Vec<Mentoring>,
}

/// Hotel sales of past months, written as an import of older records would write them:
/// the agreement, an opening stock, one consignment and its receipt, then the sales, each
/// dated when it happened.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct History {
    pub seller: String,
    pub hotel: String,
    pub sku: String,
    pub commission_bps: i64,
    pub term_days: i64,
    /// The first month of `units`, `YYYY-MM`.
    pub from: String,
    /// Units sold in each month from `from` on.
    pub units: Vec<i64>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub title: String,
    pub sector: String,
    pub held_from: String,
    pub held_to: String,
    pub venue: String,
    pub organiser: String,
    pub participants: Vec<Participant>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub name: String,
    pub whatsapp: String,
    pub kelurahan: Option<String>,
    /// The demo seller this participant is (its key): the city office links the two.
    pub seller: Option<String>,
}

/// A seller who names the seller it learnt from.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Mentoring {
    pub mentee: String,
    pub mentor: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Seller {
    pub key: String,
    pub email: String,
    pub business_name: String,
    pub kecamatan: String,
    pub kelurahan: String,
    pub sector: String,
    pub story: String,
    pub whatsapp: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Hotel {
    pub key: String,
    pub email: String,
    pub name: String,
    pub address: String,
    pub kecamatan: String,
    pub phri_number: String,
    pub contact_name: String,
    pub contact_phone: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub seller: String,
    pub sku: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    pub category: String,
    pub technique: String,
    pub materials: Vec<String>,
    pub price_idr: i64,
    pub weight_grams: i64,
    pub photo: String,
    pub stock: i64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Consignment {
    pub seller: String,
    pub hotel: String,
    pub commission_bps: i64,
    pub term_days: i64,
    pub items: Vec<Line>,
    pub sold: Vec<Line>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub sku: String,
    pub quantity: i64,
}

impl Catalogue {
    /// The built-in catalogue, checked for references the API cannot check.
    pub fn builtin() -> Result<Self, String> {
        let catalogue: Catalogue = toml::from_str(CATALOGUE).map_err(|e| e.to_string())?;
        catalogue.check()?;
        Ok(catalogue)
    }

    fn check(&self) -> Result<(), String> {
        let seller = |key: &str| self.seller.iter().any(|s| s.key == key);
        for p in &self.product {
            if !seller(&p.seller) {
                return Err(format!("product {}: no seller `{}`", p.sku, p.seller));
            }
            if photo(&p.photo).is_none() {
                return Err(format!("product {}: no photo `{}`", p.sku, p.photo));
            }
        }
        for c in &self.consignment {
            if !seller(&c.seller) || !self.hotel.iter().any(|h| h.key == c.hotel) {
                return Err(format!(
                    "consignment {} → {}: unknown party",
                    c.seller, c.hotel
                ));
            }
            for line in c.items.iter().chain(&c.sold) {
                if self.product(&c.seller, &line.sku).is_none() {
                    return Err(format!(
                        "consignment of {}: no product {}",
                        c.seller, line.sku
                    ));
                }
            }
        }
        for h in &self.history {
            if !seller(&h.seller) || !self.hotel.iter().any(|x| x.key == h.hotel) {
                return Err(format!("history {} → {}: unknown party", h.seller, h.hotel));
            }
            if self.product(&h.seller, &h.sku).is_none() {
                return Err(format!("history of {}: no product {}", h.seller, h.sku));
            }
            let later = self
                .consignment
                .iter()
                .find(|c| c.seller == h.seller && c.hotel == h.hotel);
            if later
                .is_some_and(|c| (c.commission_bps, c.term_days) != (h.commission_bps, h.term_days))
            {
                return Err(format!(
                    "history {} → {}: its agreement is the consignments' one, on other terms",
                    h.seller, h.hotel
                ));
            }
        }
        for t in &self.training {
            for p in &t.participants {
                if let Some(key) = &p.seller
                    && !seller(key)
                {
                    return Err(format!("training {}: no seller `{key}`", t.title));
                }
            }
        }
        for m in &self.mentoring {
            if !seller(&m.mentee) || !seller(&m.mentor) || m.mentee == m.mentor {
                return Err(format!(
                    "mentoring {} ← {}: unknown seller",
                    m.mentee, m.mentor
                ));
            }
        }
        Ok(())
    }

    pub fn product(&self, seller: &str, sku: &str) -> Option<&Product> {
        self.product
            .iter()
            .find(|p| p.seller == seller && p.sku == sku)
    }
}

pub fn photo(name: &str) -> Option<&'static [u8]> {
    PHOTOS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}
