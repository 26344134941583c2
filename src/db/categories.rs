//! The category taxonomy (seeded by migration).

use diesel::prelude::*;

use super::DbConn;
use super::schema::categories;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub slug: String,
    pub name: String,
    pub name_en: String,
    pub position: i32,
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<CategoryRow>> {
    categories::table
        .order(categories::position.asc())
        .select(CategoryRow::as_select())
        .load(conn)
}

pub fn slugs(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    categories::table.select(categories::slug).load(conn)
}
