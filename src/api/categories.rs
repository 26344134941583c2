//! The category taxonomy.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{Page, PageRequest};
use crate::db;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"slug": "batik", "name": "Batik", "name_en": "Batik"}))]
pub struct Category {
    pub slug: String,
    /// Indonesian name.
    pub name: String,
    pub name_en: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Every category, in display order.
#[utoipa::path(tag = "categories", params(CategoryQuery), responses(
    (status = 200, body = inline(Page<Category>)),
))]
#[get("/v1/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    query: web::Query<CategoryQuery>,
) -> AppResult<web::Json<Page<Category>>> {
    let mut v = Violations::new();
    let page = PageRequest::parse_keyed(query.limit, query.cursor.as_deref(), &mut v);
    v.finish()?;
    let page = page.ok_or_else(|| AppError::invalid("query", "is invalid"))?;
    let rows = state.db(|conn| Ok(db::categories::list(conn)?)).await?;
    // The taxonomy is small and kept in display order: a page starts after the slug the
    // cursor names.
    let start = match page.after.as_deref() {
        None => 0,
        Some(after) => rows
            .iter()
            .position(|c| c.slug == after)
            .map_or(rows.len(), |i| i + 1),
    };
    let rows: Vec<_> = rows
        .into_iter()
        .skip(start)
        .take(page.fetch() as usize)
        .collect();
    Ok(web::Json(page.finish(
        rows,
        |c| c.slug.clone(),
        |c| Category {
            slug: c.slug,
            name: c.name,
            name_en: c.name_en,
        },
    )))
}
