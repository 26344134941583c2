//! The category taxonomy.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"slug": "batik", "name": "Batik", "name_en": "Batik"}))]
pub struct Category {
    pub slug: String,
    /// Indonesian name.
    pub name: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"items": [{"slug": "batik", "name": "Batik", "name_en": "Batik"}]}))]
pub struct CategoryList {
    pub items: Vec<Category>,
}

/// Every category, in display order.
#[utoipa::path(tag = "categories", responses((status = 200, body = CategoryList)))]
#[get("/v1/categories")]
pub async fn list_categories(state: web::Data<AppState>) -> AppResult<web::Json<CategoryList>> {
    let rows = state.db(|conn| Ok(db::categories::list(conn)?)).await?;
    let items = rows
        .into_iter()
        .map(|c| Category {
            slug: c.slug,
            name: c.name,
            name_en: c.name_en,
        })
        .collect();
    Ok(web::Json(CategoryList { items }))
}
