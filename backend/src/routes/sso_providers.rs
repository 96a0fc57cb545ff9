//! `/api/v1/sso-providers` and `/api/v1/sso-providers/{id}`: the tenant's
//! single sign-on providers, for administrators only (others get `403`).
//! Parses, calls `flows::sso_providers` in one transaction, maps its
//! errors. The client secret goes in and never comes out.

use crate::flows::sso_providers::{ChangedBy, ProviderError};
use crate::http::authenticated::Authenticated;
use crate::http::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use shared::sso::{NewSsoProvider, SsoProviderChanges, SsoProviderView};
use shared::{ProblemCode, Role};

fn to_api_error(error: ProviderError) -> ApiError {
    match error {
        ProviderError::NotFound => ApiError::not_found(),
        ProviderError::Invalid(faults) => ApiError::fields(faults),
        ProviderError::VersionConflict { current } => ApiError::conflict(
            ProblemCode::VersionConflict,
            "Someone changed this provider meanwhile. Load it again and repeat your change.",
        )
        .with_detail(format!("The provider is now at version {current}.")),
        ProviderError::Database(error) => ApiError::from(error),
    }
}

/// Runs `work` for an administrator in one transaction, with who did it.
async fn as_administrator<T: Send + 'static>(
    req: &HttpRequest,
    auth: Authenticated,
    state: &web::Data<AppState>,
    work: impl FnOnce(
            &crate::flows::sso_providers::SsoProviders,
            &mut crate::db::DbConnection,
            &crate::model::tenant::Tenant,
            &ChangedBy<'_>,
        ) -> Result<T, ProviderError>
        + Send
        + 'static,
) -> Result<T, ApiError> {
    if auth.user.role() != Role::Administrator {
        return Err(ApiError::forbidden());
    }
    let address = state.address_of(req);
    let (providers, tenant, who) = (state.sso.providers.clone(), auth.tenant, auth.user.username);
    state
        .db
        .write(move |conn| {
            let by = ChangedBy {
                who: &who,
                address: Some(&address),
            };
            Ok(work(&providers, conn, &tenant, &by))
        })
        .await?
        .map_err(to_api_error)
}

#[utoipa::path(
    get,
    path = "/api/v1/sso-providers",
    tag = "sso",
    responses((status = 200, description = "The tenant's providers, by name", body = Vec<shared::sso::SsoProviderView>),
        (status = 401, description = "invalid_token", body = shared::Problem),
        (status = 403, description = "forbidden: not an administrator", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    req: HttpRequest,
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<SsoProviderView>>, ApiError> {
    as_administrator(&req, auth, &state, |providers, conn, tenant, _| {
        providers.list(conn, tenant)
    })
    .await
    .map(web::Json)
}

#[utoipa::path(
    post,
    path = "/api/v1/sso-providers",
    tag = "sso",
    request_body = shared::sso::NewSsoProvider,
    responses((status = 201, description = "Created; `redirect_uri` is the address to register at the provider", body = shared::sso::SsoProviderView),
        (status = 403, description = "forbidden", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    req: HttpRequest,
    auth: Authenticated,
    body: web::Json<NewSsoProvider>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let view = as_administrator(&req, auth, &state, move |providers, conn, tenant, by| {
        providers.create(conn, tenant, new, by)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/sso-providers/{}", view.id),
        ))
        .json(view))
}

#[utoipa::path(
    get,
    path = "/api/v1/sso-providers/{id}",
    tag = "sso",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The provider", body = shared::sso::SsoProviderView),
        (status = 403, description = "forbidden", body = shared::Problem),
        (status = 404, description = "not_found", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn get(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<SsoProviderView>, ApiError> {
    let id = path.into_inner();
    as_administrator(&req, auth, &state, move |providers, conn, tenant, _| {
        providers.get(conn, tenant, &id)
    })
    .await
    .map(web::Json)
}

#[utoipa::path(
    patch,
    path = "/api/v1/sso-providers/{id}",
    tag = "sso",
    request_body = shared::sso::SsoProviderChanges,
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The provider after the change", body = shared::sso::SsoProviderView),
        (status = 403, description = "forbidden", body = shared::Problem),
        (status = 404, description = "not_found", body = shared::Problem),
        (status = 409, description = "version_conflict", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn update(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    body: web::Json<SsoProviderChanges>,
    state: web::Data<AppState>,
) -> Result<web::Json<SsoProviderView>, ApiError> {
    let (id, changes) = (path.into_inner(), body.into_inner());
    as_administrator(&req, auth, &state, move |providers, conn, tenant, by| {
        providers.update(conn, tenant, &id, changes, by)
    })
    .await
    .map(web::Json)
}

#[utoipa::path(
    delete,
    path = "/api/v1/sso-providers/{id}",
    tag = "sso",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Deleted; its accounts stay"),
        (status = 403, description = "forbidden", body = shared::Problem),
        (status = 404, description = "not_found", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn delete(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    as_administrator(&req, auth, &state, move |providers, conn, tenant, by| {
        providers.delete(conn, tenant, &id, by)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
