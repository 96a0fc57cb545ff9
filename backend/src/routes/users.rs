//! Account administration for administrators and supervisors:
//! `/api/v1/users…`, `/api/v1/facilities` and `/api/v1/audit-events`.
//! Parses, calls `flows::users`, maps its errors; who may reach which
//! account is decided there.

use crate::flows::users::{AuditQuery, UserQuery, UsersError, DEFAULT_PER_PAGE};
use crate::http::authenticated::Authenticated;
use crate::http::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use serde::Deserialize;
use shared::admin::{
    Affected, AuditEventView, FacilityView, NewFacility, NewUser, Page, SetPassword, UserChanges,
    UserView,
};
use shared::password_policy::{PasswordProblem, MAX_LENGTH};
use shared::{AccountStatus, ProblemCode, Role};

fn to_api_error(error: UsersError) -> ApiError {
    match error {
        UsersError::Forbidden => ApiError::forbidden(),
        UsersError::NotFound => ApiError::not_found(),
        UsersError::OwnAccount => ApiError::forbidden()
            .with_detail("Change your own account in Account settings (/api/v1/me)."),
        UsersError::SsoAccount => ApiError::password_managed_by_sso(),
        UsersError::Policy(problems) => ApiError::password_problems("password", &problems),
        UsersError::Invalid(faults) => ApiError::fields(faults),
        UsersError::VersionConflict { current } => ApiError::conflict(
            ProblemCode::VersionConflict,
            "Someone changed this account meanwhile. Load it again and repeat your change.",
        )
        .with_detail(format!("The account is now at version {current}.")),
        UsersError::UsernameTaken => ApiError::fields(vec![(
            "username",
            "username_taken",
            "This username is taken in this tenant.".to_owned(),
        )])
        .with_status_conflict(ProblemCode::UsernameTaken),
        UsersError::FacilityExists => ApiError::fields(vec![(
            "code",
            "facility_exists",
            "A facility with this code exists.".to_owned(),
        )])
        .with_status_conflict(ProblemCode::FacilityExists),
        UsersError::CannotInvite => ApiError::conflict(
            ProblemCode::CannotInvite,
            "Only an active account that signs in with a password and has an email address can be invited.",
        ),
        UsersError::Busy => ApiError::busy(),
        other => ApiError::unexpected(other, "administering accounts"),
    }
}

/// The query string as `T`, or a problem document naming what is wrong.
fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| ApiError::bad_request(ProblemCode::BadRequest, e.to_string()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    q: Option<String>,
    role: Option<Role>,
    status: Option<AccountStatus>,
    facility: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

/// `GET /api/v1/users?q=&role=&status=&facility=&page=&per_page=`.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    params(("q" = Option<String>, Query, description = "In the username, first or last name"), ("role" = Option<shared::Role>, Query), ("status" = Option<shared::AccountStatus>, Query), ("facility" = Option<String>, Query, description = "A facility id"), ("page" = Option<usize>, Query, description = "1-based"), ("per_page" = Option<usize>, Query, description = "At most 200")),
    responses((status = 200, description = "The accounts within reach", body = shared::admin::Page<shared::admin::UserView>),
        (status = 400, description = "bad_request", body = shared::Problem),
        (status = 401, description = "invalid_token", body = shared::Problem),
        (status = 403, description = "forbidden", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    req: HttpRequest,
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Page<UserView>>, ApiError> {
    let params: ListParams = query(&req)?;
    let page = state
        .users
        .list(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            UserQuery {
                search: params
                    .q
                    .map(|q| q.trim().to_owned())
                    .filter(|q| !q.is_empty()),
                role: params.role,
                status: params.status,
                facility: params.facility,
                page: params.page.unwrap_or(1),
                per_page: params.per_page.unwrap_or(DEFAULT_PER_PAGE),
            },
        )
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(page))
}

/// `POST /api/v1/users`: `201` with the account and its `Location`.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = shared::admin::NewUser,
    responses((status = 201, description = "Created (and invited, with an email and no password)", body = shared::admin::UserView),
        (status = 403, description = "forbidden", body = shared::Problem),
        (status = 409, description = "username_taken", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    req: HttpRequest,
    auth: Authenticated,
    body: web::Json<NewUser>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    if new
        .password
        .as_ref()
        .is_some_and(|p| p.chars().count() > MAX_LENGTH * 4)
    {
        return Err(ApiError::password_problems(
            "password",
            &[PasswordProblem::TooLong { max: MAX_LENGTH }],
        ));
    }
    let user = state
        .users
        .create(&auth.tenant, &auth.user, state.address_of(&req), new)
        .await
        .map_err(to_api_error)?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/users/{}", user.id),
        ))
        .json(user))
}

/// `PATCH /api/v1/users/{id}` with the `version` last read.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "users",
    request_body = shared::admin::UserChanges,
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The account after the change", body = shared::admin::UserView),
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
    body: web::Json<UserChanges>,
    state: web::Data<AppState>,
) -> Result<web::Json<UserView>, ApiError> {
    let user = state
        .users
        .update(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
            body.into_inner(),
        )
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(user))
}

/// `DELETE /api/v1/users/{id}`: `204`.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Deleted; its sessions ended"),
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
    state
        .users
        .delete(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
        )
        .await
        .map_err(to_api_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/users/{id}/invitation`: a new invitation mail; `202`.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/invitation",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 202, description = "A new invitation mail is on its way"),
        (status = 404, description = "not_found", body = shared::Problem),
        (status = 409, description = "cannot_invite", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn invite(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state
        .users
        .invite_again(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
        )
        .await
        .map_err(to_api_error)?;
    Ok(HttpResponse::Accepted().finish())
}

/// `POST /api/v1/facilities` (administrators): `201`.
#[utoipa::path(
    post,
    path = "/api/v1/facilities",
    tag = "facilities",
    request_body = shared::admin::NewFacility,
    responses((status = 201, description = "Created", body = shared::admin::FacilityView),
        (status = 403, description = "forbidden", body = shared::Problem),
        (status = 409, description = "facility_exists", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn create_facility(
    auth: Authenticated,
    body: web::Json<NewFacility>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let facility = state
        .users
        .create_facility(&auth.tenant, &auth.user, body.into_inner())
        .await
        .map_err(to_api_error)?;
    Ok(HttpResponse::Created().json(facility))
}

/// `GET /api/v1/users/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The account", body = shared::admin::UserView),
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
) -> Result<web::Json<UserView>, ApiError> {
    let user = state
        .users
        .get(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
        )
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(user))
}

/// `PUT /api/v1/users/{id}/password`: a temporary password; `204`.
#[utoipa::path(
    put,
    path = "/api/v1/users/{id}/password",
    tag = "users",
    request_body = shared::admin::SetPassword,
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "A temporary password is set; every session ended"),
        (status = 403, description = "forbidden or password_managed_by_sso", body = shared::Problem),
        (status = 404, description = "not_found", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn set_password(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    body: web::Json<SetPassword>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let SetPassword { password } = body.into_inner();
    if password.chars().count() > MAX_LENGTH * 4 {
        return Err(ApiError::password_problems(
            "password",
            &[PasswordProblem::TooLong { max: MAX_LENGTH }],
        ));
    }
    state
        .users
        .set_password(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
            SecretString::from(password),
        )
        .await
        .map_err(to_api_error)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/users/{id}/unlock`: every brute-force wait lifted.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/unlock",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "Every wait lifted", body = shared::admin::Affected),
        (status = 404, description = "not_found", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn unlock(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Affected>, ApiError> {
    let count = state
        .users
        .unlock(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
        )
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(Affected { count }))
}

/// `DELETE /api/v1/users/{id}/sessions`: signed out everywhere, at once.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/sessions",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "Every session ended", body = shared::admin::Affected),
        (status = 404, description = "not_found", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn revoke_sessions(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Affected>, ApiError> {
    let count = state
        .users
        .revoke_sessions(
            &auth.tenant,
            &auth.user,
            state.address_of(&req),
            path.into_inner(),
        )
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(Affected { count }))
}

/// `GET /api/v1/facilities`: those the caller administers.
#[utoipa::path(
    get,
    path = "/api/v1/facilities",
    tag = "facilities",
    responses((status = 200, description = "The facilities the caller administers", body = Vec<shared::admin::FacilityView>),
        (status = 403, description = "forbidden", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn facilities(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<FacilityView>>, ApiError> {
    let facilities = state
        .users
        .facilities(&auth.tenant, &auth.user)
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(facilities))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditParams {
    kind: Option<String>,
    username: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

/// `GET /api/v1/audit-events?kind=&username=&page=&per_page=`, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit-events",
    tag = "audit",
    params(("kind" = Option<String>, Query), ("username" = Option<String>, Query), ("page" = Option<usize>, Query), ("per_page" = Option<usize>, Query)),
    responses((status = 200, description = "The audit trail, newest first", body = shared::admin::Page<shared::admin::AuditEventView>),
        (status = 400, description = "bad_request", body = shared::Problem),
        (status = 403, description = "forbidden", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn audit_events(
    req: HttpRequest,
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Page<AuditEventView>>, ApiError> {
    let params: AuditParams = query(&req)?;
    let page = state
        .users
        .audit(
            &auth.tenant,
            &auth.user,
            AuditQuery {
                kind: params.kind,
                username: params.username.map(|u| u.trim().to_lowercase()),
                page: params.page.unwrap_or(1),
                per_page: params.per_page.unwrap_or(DEFAULT_PER_PAGE),
            },
        )
        .await
        .map_err(to_api_error)?;
    Ok(web::Json(page))
}
