//! Product images: one row per upload, its renditions described in JSON.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbJson, DbTime};
use super::schema::product_images;
use super::search_outbox::{self, Subject};

/// A stored rendition, as kept in the row.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredRendition {
    /// `480.webp`.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// `webp` or `jpeg`.
    pub format: String,
    pub key: String,
    pub bytes: u64,
    /// Strong ETag: a digest of the bytes.
    pub etag: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = product_images)]
#[diesel(treat_none_as_default_value = false)]
pub struct ImageRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    pub position: i32,
    pub width: i32,
    pub height: i32,
    pub blurhash: String,
    pub original_key: String,
    pub original_format: String,
    pub original_bytes: i64,
    #[diesel(serialize_as = DbJson, deserialize_as = DbJson)]
    pub renditions: serde_json::Value,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

impl ImageRow {
    pub fn renditions(&self) -> Vec<StoredRendition> {
        serde_json::from_value(self.renditions.clone()).unwrap_or_default()
    }
}

pub fn insert(conn: &mut DbConn, row: ImageRow) -> QueryResult<()> {
    let product = row.product_id;
    diesel::insert_into(product_images::table)
        .values(row)
        .execute(conn)?;
    search_outbox::enqueue(conn, Subject::Product(product))
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<ImageRow>> {
    product_images::table
        .find(DbId(id))
        .select(ImageRow::as_select())
        .first(conn)
        .optional()
}

/// The images of these products, each product's in display order.
pub fn of_products(conn: &mut DbConn, product_ids: &[Uuid]) -> QueryResult<Vec<ImageRow>> {
    let ids: Vec<DbId> = product_ids.iter().copied().map(DbId).collect();
    product_images::table
        .filter(product_images::product_id.eq_any(ids))
        .order((
            product_images::product_id,
            product_images::position,
            product_images::id,
        ))
        .select(ImageRow::as_select())
        .load(conn)
}

/// Removes an image row; the product's search document follows.
pub fn delete(conn: &mut DbConn, id: Uuid) -> QueryResult<usize> {
    let product: Option<DbId> = product_images::table
        .find(DbId(id))
        .select(product_images::product_id)
        .first(conn)
        .optional()?;
    let n = diesel::delete(product_images::table.find(DbId(id))).execute(conn)?;
    if let Some(product) = product {
        search_outbox::enqueue(conn, Subject::Product(product.0))?;
    }
    Ok(n)
}

/// Moves an image; the first one is the product's thumbnail in search.
pub fn set_position(conn: &mut DbConn, id: Uuid, position: i32) -> QueryResult<()> {
    let product: DbId = diesel::update(product_images::table.find(DbId(id)))
        .set(product_images::position.eq(position))
        .returning(product_images::product_id)
        .get_result(conn)?;
    search_outbox::enqueue(conn, Subject::Product(product.0))
}
