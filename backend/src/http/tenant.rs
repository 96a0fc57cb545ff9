//! The request's tenant, as an extractor: the host the client asked for
//! (`http::client`), resolved by the `tenancy` pattern. An address that
//! names no tenant gets a 404 problem.

use crate::http::error::ApiError;
use crate::model::tenant::Tenant;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

/// The tenant of `host`, or the problem to answer with.
pub async fn resolve(state: &AppState, host: &str) -> Result<Tenant, ApiError> {
    state
        .tenants
        .resolve(&state.db, host)
        .await?
        .ok_or_else(ApiError::unknown_tenant)
}

/// The app state and the host a request asked for, as the extractors
/// need them before they go async.
pub fn state_and_host(req: &HttpRequest) -> (Option<web::Data<AppState>>, String) {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let host = state
        .as_ref()
        .map(|state| state.client(req).host())
        .unwrap_or_default();
    (state, host)
}

/// The request's tenant, as an extractor.
pub struct RequestTenant(pub Tenant);

impl FromRequest for RequestTenant {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, host) = state_and_host(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                ApiError::unexpected(anyhow::anyhow!("no app state"), "tenant resolution")
            })?;
            resolve(&state, &host).await.map(RequestTenant)
        })
    }
}
