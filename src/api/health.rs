//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::blob::BlobStore;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: String,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".to_owned(),
    })
}

/// The service can reach what it depends on: the database, the blob store and search.
///
/// 503 with a problem naming the dependency otherwise.
#[utoipa::path(tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, description = "A dependency is down; `detail` names it", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    state
        .db(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|e| AppError::dependency_down("database", e))
        })
        .await
        .map_err(|e| match e {
            AppError::Unavailable(m) => AppError::Unavailable(m),
            other => AppError::dependency_down("database", other),
        })?;
    state
        .blobs
        .check()
        .await
        .map_err(|e| AppError::dependency_down("blob store", e))?;
    state.search.check().await.map_err(|e| {
        AppError::dependency_down("search", format!("{}: {e}", state.search.name()))
    })?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".to_owned(),
    }))
}
