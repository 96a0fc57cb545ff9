//! `/api/v1/password-resets`: ask for a link by email, look at a link, and
//! set a new password with it. Parses, calls `flows::password_reset`, and
//! maps its outcome; the rules live in the flow.

use crate::flows::password_reset::{LinkProblem, ResetError};
use crate::http::cookies::{self, Kind};
use crate::http::error::ApiError;
use crate::http::tenant::RequestTenant;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use shared::api::{
    PasswordResetAccepted, PasswordResetConfirm, PasswordResetLink, PasswordResetRequest,
    PasswordResetVerify,
};
use shared::password_policy::MAX_LENGTH;
use shared::username::Username;
use shared::ProblemCode;

/// `POST /api/v1/password-resets`: `202` with the same body whatever the
/// account; only a malformed username is refused.
#[utoipa::path(
    post,
    path = "/api/v1/password-resets",
    tag = "password reset",
    request_body = shared::api::PasswordResetRequest,
    responses((status = 202, description = "The same answer whatever the account", body = shared::api::PasswordResetAccepted),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
)]
pub async fn request(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Json<PasswordResetRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let username =
        Username::parse(&body.username).map_err(|e| ApiError::field("username", e.to_string()))?;
    let address = state.client(&req).address();
    state
        .password_resets
        .request(tenant.id, username, address)
        .await?;
    Ok(HttpResponse::Accepted().json(PasswordResetAccepted::new()))
}

/// `POST /api/v1/password-resets/verify`: whether the link still works.
#[utoipa::path(
    post,
    path = "/api/v1/password-resets/verify",
    tag = "password reset",
    request_body = shared::api::PasswordResetVerify,
    responses((status = 200, description = "The link works; looking does not spend it", body = shared::api::PasswordResetLink),
        (status = 400, description = "reset_link_invalid", body = shared::Problem),
        (status = 410, description = "reset_link_expired, reset_link_used or reset_link_replaced", body = shared::Problem),
    ),
)]
pub async fn verify(
    RequestTenant(tenant): RequestTenant,
    body: web::Json<PasswordResetVerify>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let link = state
        .password_resets
        .verify(&tenant, &body.token)
        .await
        .map_err(to_api_error)?;
    Ok(HttpResponse::Ok().json(PasswordResetLink {
        username: link.username,
        password_min_length: link.password_min_length,
        purpose: link.purpose,
    }))
}

/// `POST /api/v1/password-resets/confirm`: `204` once the password is set;
/// the browser is remembered as the account's (device cookie).
#[utoipa::path(
    post,
    path = "/api/v1/password-resets/confirm",
    tag = "password reset",
    request_body = shared::api::PasswordResetConfirm,
    responses((status = 204, description = "The password is set; every session ended"),
        (status = 400, description = "reset_link_invalid", body = shared::Problem),
        (status = 410, description = "reset_link_expired, reset_link_used or reset_link_replaced", body = shared::Problem),
        (status = 422, description = "validation_failed, error_codes under new_password", body = shared::Problem),
    ),
)]
pub async fn confirm(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Json<PasswordResetConfirm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let PasswordResetConfirm {
        token,
        new_password,
    } = body.into_inner();
    if new_password.chars().count() > MAX_LENGTH * 4 {
        // Far past any policy: refused before it is even looked at.
        return Err(ApiError::password_problems(
            "new_password",
            &[shared::password_policy::PasswordProblem::TooLong { max: MAX_LENGTH }],
        ));
    }
    let client = state.client(&req);
    let https = client.is_https();
    let completed = state
        .password_resets
        .confirm(
            &tenant,
            &token,
            SecretString::from(new_password),
            cookies::read(&req, Kind::Device, https).as_deref(),
            client.address(),
        )
        .await
        .map_err(to_api_error)?;
    let mut response = HttpResponse::NoContent().finish();
    let _ = response.add_cookie(&cookies::issue(
        Kind::Device,
        &completed.device_cookie,
        crate::auth::device_cookie::LIFETIME,
        https,
    ));
    Ok(response)
}

fn to_api_error(error: ResetError) -> ApiError {
    match error {
        ResetError::Link(problem) => ApiError::reset_link(match problem {
            LinkProblem::Invalid => ProblemCode::ResetLinkInvalid,
            LinkProblem::Expired => ProblemCode::ResetLinkExpired,
            LinkProblem::Used => ProblemCode::ResetLinkUsed,
            LinkProblem::Replaced => ProblemCode::ResetLinkReplaced,
        }),
        ResetError::Policy(problems) => ApiError::password_problems("new_password", &problems),
        ResetError::Busy => ApiError::busy(),
        other => ApiError::unexpected(other, "resetting a password"),
    }
}
