//! `GET /api/v1/tenant`: what the login screen shows about the tenant the
//! address belongs to.

use crate::http::tenant::RequestTenant;
use actix_web::web;
use shared::api::TenantInfo;

#[utoipa::path(
    get,
    path = "/api/v1/tenant",
    tag = "tenant",
    responses((status = 200, description = "The tenant of this host", body = shared::api::TenantInfo),
        (status = 404, description = "unknown_tenant", body = shared::Problem),
    ),
)]
pub async fn get(RequestTenant(tenant): RequestTenant) -> web::Json<TenantInfo> {
    web::Json(TenantInfo {
        slug: tenant.slug,
        display_name: tenant.display_name,
        sso_enabled: false,
    })
}
