//! `POST /api/v1/auth/login`: username and password for a session. Parses
//! the request, hands the attempt to the sign-in flow (`flows::sign_in`),
//! and turns its outcome into tokens, cookies or a problem document.

use super::{token_response, Delivery, IssuedTokens};
use crate::flows::sign_in::{Attempt, Outcome, SignInError, SignedIn};
use crate::http::client;
use crate::http::cookies::{self, Kind};
use crate::http::error::ApiError;
use crate::http::tenant::RequestTenant;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use shared::api::{LoginRequest, TokenDelivery};
use shared::password_policy::MAX_LENGTH;
use shared::username::Username;

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = shared::api::LoginRequest,
    responses((status = 200, description = "Signed in", body = shared::api::TokenResponse),
        (status = 401, description = "invalid_credentials: wrong password, unknown username or a waiting throttle", body = shared::Problem),
        (status = 403, description = "account_inactive", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
        (status = 503, description = "service_busy, with Retry-After", body = shared::Problem),
    ),
)]
pub async fn post(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Json<LoginRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest {
        username,
        password,
        token_delivery,
    } = body.into_inner();
    let username =
        Username::parse(&username).map_err(|e| ApiError::field("username", e.to_string()))?;
    if password.is_empty() {
        return Err(ApiError::field("password", "Enter your password."));
    }
    if password.chars().count() > MAX_LENGTH {
        return Err(ApiError::field(
            "password",
            format!("A password has at most {MAX_LENGTH} characters."),
        ));
    }
    let client = state.client(&req);
    let https = client.is_https();
    let attempt = Attempt {
        tenant_id: tenant.id.clone(),
        username,
        password: SecretString::from(password),
        address: client.address(),
        user_agent: client::user_agent(&req),
        device_cookie: cookies::read(&req, Kind::Device, https),
    };
    let outcome = state.sign_in.sign_in(attempt).await.map_err(|e| match e {
        SignInError::Busy => ApiError::busy(),
        other => ApiError::unexpected(other, "signing in"),
    })?;
    let signed_in = match outcome {
        Outcome::Refused => return Err(ApiError::invalid_credentials()),
        Outcome::Inactive => return Err(ApiError::account_inactive()),
        Outcome::SignedIn(signed_in) => *signed_in,
    };
    let SignedIn {
        user,
        facilities,
        session,
        refresh_token,
        refresh_expires_at,
        device_cookie,
        now,
    } = signed_in;
    let access_token = state
        .access_tokens
        .issue(&user, &facilities, &session, now)
        .map_err(|e| ApiError::unexpected(e, "signing a token"))?;
    let delivery = match token_delivery {
        TokenDelivery::Body => Delivery::Body,
        TokenDelivery::Cookie => Delivery::Cookie,
    };
    let mut response = token_response(
        &state,
        IssuedTokens {
            access_token,
            session_id: session.id,
            refresh_token: refresh_token.plaintext,
            refresh_lifetime: refresh_expires_at - now,
            must_change_password: user.must_change_password,
        },
        delivery,
        https,
    );
    // The browser is known to this account from now on (device cookie).
    let _ = response.add_cookie(&cookies::issue(
        Kind::Device,
        &device_cookie,
        crate::auth::device_cookie::LIFETIME,
        https,
    ));
    Ok(response)
}
