//! `GET /api/v1/tenant`: what the login screen shows about the tenant the
//! address belongs to, with its active single sign-on providers.

use crate::http::error::ApiError;
use crate::http::tenant::RequestTenant;
use crate::model::sso_provider::SsoProvider;
use crate::state::AppState;
use actix_web::web;
use shared::api::TenantInfo;
use shared::sso::SsoProviderRef;

#[utoipa::path(
    get,
    path = "/api/v1/tenant",
    tag = "tenant",
    responses((status = 200, description = "The tenant of this host, and the single sign-on providers its login screen offers", body = shared::api::TenantInfo),
        (status = 404, description = "unknown_tenant", body = shared::Problem),
    ),
)]
pub async fn get(
    RequestTenant(tenant): RequestTenant,
    state: web::Data<AppState>,
) -> Result<web::Json<TenantInfo>, ApiError> {
    let tenant_id = tenant.id.clone();
    let providers = state
        .db
        .read(move |conn| Ok(SsoProvider::active_of_tenant(conn, &tenant_id)?))
        .await?;
    let sso_providers: Vec<SsoProviderRef> = providers
        .into_iter()
        .map(|(id, display_name)| SsoProviderRef { id, display_name })
        .collect();
    Ok(web::Json(TenantInfo {
        slug: tenant.slug,
        display_name: tenant.display_name,
        sso_enabled: !sso_providers.is_empty(),
        sso_providers,
    }))
}
