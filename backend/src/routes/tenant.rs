//! `GET /api/v1/tenant`: what the login screen shows about the tenant the
//! address belongs to.

use crate::http::tenant::RequestTenant;
use actix_web::web;
use shared::api::TenantInfo;

pub async fn get(RequestTenant(tenant): RequestTenant) -> web::Json<TenantInfo> {
    web::Json(TenantInfo {
        slug: tenant.slug,
        display_name: tenant.display_name,
        sso_enabled: false,
    })
}
