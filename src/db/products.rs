//! Products and their variants.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::portable::{DbId, DbJson, DbTime};

use super::DbConn;
use super::schema::{product_variants, products, sellers};
use super::search_outbox::{self, Subject};
use super::sellers::SellerRow;
use super::variants::VariantRow;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = products)]
#[diesel(treat_none_as_default_value = false)]
pub struct ProductRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub seller_id: Uuid,
    pub title: String,
    pub description: String,
    pub title_en: Option<String>,
    pub description_en: Option<String>,
    pub category: String,
    pub technique: String,
    #[diesel(serialize_as = DbJson, deserialize_as = DbJson)]
    pub materials: serde_json::Value,
    pub price_idr: i64,
    pub sku: String,
    pub weight_grams: i32,
    pub dimensions_cm: Option<DbJson>,
    pub status: String,
    pub version: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DbTime>,
}

/// Field changes of a PATCH; `None` leaves a column as it is.
#[derive(AsChangeset, Default)]
#[diesel(table_name = products)]
pub struct ProductChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub title_en: Option<Option<String>>,
    pub description_en: Option<Option<String>>,
    pub category: Option<String>,
    pub technique: Option<String>,
    pub materials: Option<DbJson>,
    pub price_idr: Option<i64>,
    pub weight_grams: Option<i32>,
    pub dimensions_cm: Option<Option<DbJson>>,
}

pub fn insert(
    conn: &mut DbConn,
    product: ProductRow,
    variants: Vec<VariantRow>,
) -> QueryResult<()> {
    let id = product.id;
    diesel::insert_into(products::table)
        .values(product)
        .execute(conn)?;
    for variant in variants {
        super::variants::insert(conn, variant)?;
    }
    search_outbox::enqueue(conn, Subject::Product(id))
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<ProductRow>> {
    products::table
        .find(DbId(id))
        .select(ProductRow::as_select())
        .first(conn)
        .optional()
}

/// The product with its seller's status, in one query.
pub fn find_with_seller_status(
    conn: &mut DbConn,
    id: Uuid,
) -> QueryResult<Option<(ProductRow, String)>> {
    products::table
        .inner_join(sellers::table)
        .filter(products::id.eq(DbId(id)))
        .select((ProductRow::as_select(), sellers::status))
        .first(conn)
        .optional()
}

/// Which products a list may show: everyone sees published products of active sellers;
/// a seller also sees its own in any status; an admin sees all.
pub enum Visibility {
    Public,
    Seller(Uuid),
    Admin,
}

pub struct ListFilter {
    pub seller_id: Option<Uuid>,
    /// `None`: every status the viewer may see.
    pub status: Option<String>,
    pub category: Option<String>,
    pub before: Option<Uuid>,
    pub limit: i64,
}

pub fn list(
    conn: &mut DbConn,
    visibility: &Visibility,
    filter: &ListFilter,
) -> QueryResult<Vec<ProductRow>> {
    let mut query = products::table
        .inner_join(sellers::table)
        .select(ProductRow::as_select())
        .order(products::id.desc())
        .limit(filter.limit)
        .into_boxed();
    let public = products::status
        .eq("published")
        .and(sellers::status.eq("active"));
    query = match visibility {
        Visibility::Public => query.filter(public),
        Visibility::Seller(own) => query.filter(public.or(products::seller_id.eq(DbId(*own)))),
        Visibility::Admin => query,
    };
    if let Some(status) = &filter.status {
        query = query.filter(products::status.eq(status));
    }
    if let Some(seller_id) = filter.seller_id {
        query = query.filter(products::seller_id.eq(DbId(seller_id)));
    }
    if let Some(category) = &filter.category {
        query = query.filter(products::category.eq(category));
    }
    if let Some(before) = filter.before {
        query = query.filter(products::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// Applies `changes` only if the product is still at `expected_version`; returns whether
/// it was (a concurrent edit makes this false, never a lost update).
pub fn update_if_version(
    conn: &mut DbConn,
    id: Uuid,
    expected_version: i32,
    changes: &ProductChanges,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        products::table
            .filter(products::id.eq(DbId(id)))
            .filter(products::version.eq(expected_version)),
    )
    .set((
        changes,
        products::version.eq(expected_version + 1),
        products::updated_at.eq(DbTime(now)),
    ))
    .execute(conn)?;
    if n == 1 {
        search_outbox::enqueue(conn, Subject::Product(id))?;
    }
    Ok(n == 1)
}

/// Moves a product at `expected_version` to `status` (bumping its version); `published_at`
/// is set on publish. False when the product changed meanwhile (nothing is written then).
pub fn set_status(
    conn: &mut DbConn,
    id: Uuid,
    expected_version: i32,
    status: &str,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        products::table
            .filter(products::id.eq(DbId(id)))
            .filter(products::version.eq(expected_version)),
    )
    .set((
        products::status.eq(status),
        products::published_at.eq(published_at.map(DbTime)),
        products::version.eq(products::version + 1),
        products::updated_at.eq(DbTime(now)),
    ))
    .execute(conn)?;
    if n == 1 {
        search_outbox::enqueue(conn, Subject::Product(id))?;
    }
    Ok(n == 1)
}

/// These products (those that exist), in no particular order.
pub fn by_ids(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<Vec<ProductRow>> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    products::table
        .filter(products::id.eq_any(ids))
        .select(ProductRow::as_select())
        .load(conn)
}

/// Variants with their products and those products' sellers, in one query: what a checkout
/// checks of the catalogue.
pub fn of_variants(
    conn: &mut DbConn,
    ids: &[Uuid],
) -> QueryResult<Vec<(VariantRow, ProductRow, SellerRow)>> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    product_variants::table
        .inner_join(products::table.inner_join(sellers::table))
        .filter(product_variants::id.eq_any(ids))
        .select((
            VariantRow::as_select(),
            ProductRow::as_select(),
            SellerRow::as_select(),
        ))
        .load(conn)
}
