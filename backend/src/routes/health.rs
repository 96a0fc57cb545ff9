//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the
//! database answers too), for load balancers and orchestrators.

use crate::http::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use shared::ProblemCode;

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process runs")
    ),
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses((status = 200, description = "The database answers"),
        (status = 503, description = "The database does not answer", body = shared::Problem),
    ),
)]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let reachable = state
        .db
        .read(|conn| Ok(conn.batch_execute("SELECT 1").is_ok()))
        .await
        .unwrap_or(false);
    if reachable {
        Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready", "database": "ok" })))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::DatabaseUnavailable,
            "The database does not answer.",
        ))
    }
}
