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
