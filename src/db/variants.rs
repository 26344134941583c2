//! Product variants: the unit every stock figure and sale line refers to.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbJson, DbTime};
use super::schema::product_variants;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = product_variants)]
#[diesel(treat_none_as_default_value = false)]
pub struct VariantRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    pub sku: String,
    #[diesel(serialize_as = DbJson, deserialize_as = DbJson)]
    pub options: serde_json::Value,
    pub price_idr: Option<i64>,
    pub position: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

/// Changes to one variant; `None` leaves a column as it is.
#[derive(AsChangeset, Default)]
#[diesel(table_name = product_variants)]
pub struct VariantChanges {
    pub sku: Option<String>,
    pub options: Option<DbJson>,
    pub price_idr: Option<Option<i64>>,
}

pub fn insert(conn: &mut DbConn, variant: VariantRow) -> QueryResult<()> {
    diesel::insert_into(product_variants::table)
        .values(variant)
        .execute(conn)
        .map(|_| ())
}

/// The variants of these products, each product's in position order.
pub fn of_products(conn: &mut DbConn, product_ids: &[Uuid]) -> QueryResult<Vec<VariantRow>> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    product_variants::table
        .filter(
            product_variants::product_id
                .eq_any(product_ids.iter().copied().map(DbId).collect::<Vec<_>>()),
        )
        .order((product_variants::product_id, product_variants::position))
        .select(VariantRow::as_select())
        .load(conn)
}

pub fn update(conn: &mut DbConn, id: Uuid, changes: VariantChanges) -> QueryResult<()> {
    diesel::update(product_variants::table.find(DbId(id)))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<VariantRow>> {
    product_variants::table
        .find(DbId(id))
        .select(VariantRow::as_select())
        .first(conn)
        .optional()
}
