//! The one product document both search adapters index, built from the database (so
//! rebuilding it again is always harmless).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::portable::DbId;
use crate::db::products::ProductRow;
use crate::db::schema::{products, sellers, shelf_lots};
use crate::db::search_outbox::Subject;
use crate::db::{self, DbConn};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    pub url: String,
    pub blurhash: String,
}

/// A published product of an active seller, as search sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDocument {
    pub id: Uuid,
    pub title: String,
    pub title_en: Option<String>,
    pub description: String,
    pub description_en: Option<String>,
    /// Category slug.
    pub category: String,
    pub technique: String,
    pub materials: Vec<String>,
    pub price_idr: i64,
    pub seller_id: Uuid,
    pub seller_name: String,
    /// The seller's kecamatan, when the profile names one.
    pub kecamatan: Option<String>,
    /// Approved hotels holding at least one unit on their shelf, sorted.
    pub hotel_ids: Vec<Uuid>,
    /// The seller holds units of some variant in its own stock (can be ordered online).
    #[serde(default)]
    pub in_stock: bool,
    pub thumbnail: Option<Thumbnail>,
    /// Microseconds since the Unix epoch.
    pub published_at: i64,
}

/// What a search hit shows of a document: all an adapter reads back (Meilisearch is asked
/// for these attributes only, the embedded index skips the rest when it reads a stored
/// document).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Hit {
    pub id: Uuid,
    pub title: String,
    pub category: String,
    pub price_idr: i64,
    pub seller_id: Uuid,
    pub seller_name: String,
    pub kecamatan: Option<String>,
    #[serde(default)]
    pub in_stock: bool,
    pub thumbnail: Option<Thumbnail>,
}

impl Hit {
    /// The document attributes a hit is read from.
    pub const ATTRIBUTES: [&str; 9] = [
        "id",
        "title",
        "category",
        "price_idr",
        "seller_id",
        "seller_name",
        "kecamatan",
        "in_stock",
        "thumbnail",
    ];
}

impl From<&ProductDocument> for Hit {
    fn from(d: &ProductDocument) -> Self {
        Hit {
            id: d.id,
            title: d.title.clone(),
            category: d.category.clone(),
            price_idr: d.price_idr,
            seller_id: d.seller_id,
            seller_name: d.seller_name.clone(),
            kecamatan: d.kecamatan.clone(),
            in_stock: d.in_stock,
            thumbnail: d.thumbnail.clone(),
        }
    }
}

/// What the index should do about one product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Upsert(Box<ProductDocument>),
    /// Not searchable (draft, archived, seller not active, gone).
    Remove(Uuid),
}

/// The products whose documents the subjects touch. `All` is handled by the caller (a
/// rebuild); `Stock` touches none.
pub fn expand(conn: &mut DbConn, subjects: &[Subject]) -> QueryResult<Vec<Uuid>> {
    let mut out: Vec<Uuid> = Vec::new();
    for subject in subjects {
        match *subject {
            Subject::Product(id) => out.push(id),
            Subject::Seller(id) => {
                let ids: Vec<DbId> = products::table
                    .filter(products::seller_id.eq(DbId(id)))
                    .select(products::id)
                    .load(conn)?;
                out.extend(ids.into_iter().map(|i| i.0));
            }
            Subject::Hotel(id) => {
                let ids: Vec<DbId> = shelf_lots::table
                    .filter(shelf_lots::hotel_id.eq(DbId(id)))
                    .select(shelf_lots::product_id)
                    .distinct()
                    .load(conn)?;
                out.extend(ids.into_iter().map(|i| i.0));
            }
            // Nothing the index holds changed.
            Subject::Stock(_) | Subject::All => {}
        }
    }
    let mut seen = HashSet::new();
    out.retain(|id| seen.insert(*id));
    Ok(out)
}

/// Rebuilds the documents of `ids` from the database, in a handful of queries.
pub fn build(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<Vec<Change>> {
    let keys: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    let rows: Vec<(ProductRow, String, String, Option<String>)> = products::table
        .inner_join(sellers::table)
        .filter(products::id.eq_any(keys))
        .filter(products::status.eq("published"))
        .filter(sellers::status.eq("active"))
        .select((
            ProductRow::as_select(),
            sellers::business_name,
            sellers::status,
            sellers::kecamatan,
        ))
        .load(conn)?;
    let found: Vec<Uuid> = rows.iter().map(|(p, ..)| p.id).collect();

    let mut thumbnails: HashMap<Uuid, Thumbnail> = HashMap::new();
    for image in db::images::of_products(conn, &found)? {
        if thumbnails.contains_key(&image.product_id) {
            continue;
        }
        let renditions = image.renditions();
        let pick = renditions
            .iter()
            .filter(|r| r.format == "webp")
            .min_by_key(|r| r.width.abs_diff(480));
        if let Some(r) = pick {
            thumbnails.insert(
                image.product_id,
                Thumbnail {
                    url: format!("/v1/images/{}/{}", image.id, r.name),
                    blurhash: image.blurhash.clone(),
                },
            );
        }
    }

    let mut shelves: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (product, hotel, _) in db::stock_levels::shelf_holdings_at_active_hotels(conn, &found)? {
        shelves.entry(product).or_default().push(hotel.id);
    }

    let in_stock: HashSet<Uuid> = db::stock_levels::products_with_own_stock(conn, &found)?
        .into_iter()
        .collect();

    let mut docs: HashMap<Uuid, ProductDocument> = HashMap::new();
    for (p, seller_name, _, kecamatan) in rows {
        let mut hotels = shelves.remove(&p.id).unwrap_or_default();
        hotels.sort();
        hotels.dedup();
        let materials: Vec<String> =
            serde_json::from_value(p.materials.clone()).unwrap_or_default();
        docs.insert(
            p.id,
            ProductDocument {
                id: p.id,
                thumbnail: thumbnails.remove(&p.id),
                title: p.title,
                title_en: p.title_en,
                description: p.description,
                description_en: p.description_en,
                category: p.category,
                technique: p.technique,
                materials,
                price_idr: p.price_idr,
                seller_id: p.seller_id,
                seller_name,
                kecamatan,
                hotel_ids: hotels,
                in_stock: in_stock.contains(&p.id),
                published_at: p
                    .published_at
                    .map(|t| t.0.timestamp_micros())
                    .unwrap_or_default(),
            },
        );
    }
    Ok(ids
        .iter()
        .map(|id| match docs.remove(id) {
            Some(doc) => Change::Upsert(Box::new(doc)),
            None => Change::Remove(*id),
        })
        .collect())
}

/// Ids of every searchable product after `after` (by id), at most `limit`: the pages of a
/// rebuild.
pub fn searchable_ids(
    conn: &mut DbConn,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    let mut query = products::table
        .inner_join(sellers::table)
        .filter(products::status.eq("published"))
        .filter(sellers::status.eq("active"))
        .select(products::id)
        .order(products::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(products::id.gt(DbId(after)));
    }
    let ids: Vec<DbId> = query.load(conn)?;
    Ok(ids.into_iter().map(|i| i.0).collect())
}

/// Searchable products in all.
pub fn searchable_count(conn: &mut DbConn) -> QueryResult<i64> {
    products::table
        .inner_join(sellers::table)
        .filter(products::status.eq("published"))
        .filter(sellers::status.eq("active"))
        .count()
        .get_result(conn)
}
