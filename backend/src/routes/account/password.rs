//! `POST /api/v1/me/password`: the owner changes the account's password
//! (`flows::password_change`); `204`, and this session stays signed in.
//! The one way out of a temporary password, so it admits such accounts.

use crate::flows::password_change::{ChangeError, ChangeRequest};
use crate::http::authenticated::AnyAuthenticated;
use crate::http::cookies::{self, Kind};
use crate::http::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use shared::api::ChangePassword;
use shared::password_policy::{PasswordProblem, MAX_LENGTH};

#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "account",
    request_body = shared::api::ChangePassword,
    responses((status = 204, description = "Changed; this session stays, the others end"),
        (status = 401, description = "invalid_token", body = shared::Problem),
        (status = 403, description = "password_managed_by_sso", body = shared::Problem),
        (status = 422, description = "validation_failed, error_codes under current_password or new_password", body = shared::Problem),
        (status = 429, description = "too_many_attempts", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn post(
    req: HttpRequest,
    AnyAuthenticated(auth): AnyAuthenticated,
    body: web::Json<ChangePassword>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ChangePassword {
        current_password,
        new_password,
    } = body.into_inner();
    if current_password.is_empty() {
        return Err(ApiError::field_code(
            "current_password",
            "current_password_missing",
            "Enter your current password.",
        ));
    }
    if current_password.chars().count() > MAX_LENGTH
        || new_password.chars().count() > MAX_LENGTH * 4
    {
        // Far past any policy: refused before it is even looked at.
        return Err(ApiError::password_problems(
            "new_password",
            &[PasswordProblem::TooLong { max: MAX_LENGTH }],
        ));
    }
    let client = state.client(&req);
    let https = client.is_https();
    let request = ChangeRequest {
        tenant: auth.tenant,
        user: auth.user,
        session_id: auth.session.id,
        current_password: SecretString::from(current_password),
        new_password: SecretString::from(new_password),
        address: client.address(),
        device_cookie: cookies::read(&req, Kind::Device, https),
    };
    state
        .password_changes
        .change(request)
        .await
        .map_err(|e| match e {
            ChangeError::SsoAccount => ApiError::password_managed_by_sso(),
            ChangeError::Policy(problems) => ApiError::password_problems("new_password", &problems),
            ChangeError::SameAsCurrent => ApiError::field_code(
                "new_password",
                "password_same_as_current",
                "Choose a password other than the current one.",
            ),
            ChangeError::WrongCurrent => ApiError::field_code(
                "current_password",
                "current_password_wrong",
                "The current password is not correct.",
            ),
            ChangeError::Waiting => ApiError::too_many_attempts(),
            ChangeError::Busy => ApiError::busy(),
            other => ApiError::unexpected(other, "changing a password"),
        })?;
    Ok(HttpResponse::NoContent().finish())
}
