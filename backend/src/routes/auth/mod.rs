//! Sign-in (by password and by single sign-on), token refresh and
//! sign-out.

pub mod login;
pub mod logout;
pub mod refresh;
pub mod sso;

use crate::http::cookies::{self, Kind};
use crate::state::AppState;
use actix_web::HttpResponse;
use shared::api::TokenResponse;

/// Where the refresh token goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In the JSON body: scripts that asked for it, or that refreshed with
    /// a token from the body.
    Body,
    /// In the `HttpOnly` cookie: browsers.
    Cookie,
}

/// A fresh token pair, and what the answer says beside it.
pub struct IssuedTokens {
    pub access_token: String,
    pub session_id: String,
    pub refresh_token: String,
    pub refresh_lifetime: chrono::TimeDelta,
    /// The account's password is temporary.
    pub must_change_password: bool,
}

/// The answer carrying a fresh token pair.
pub fn token_response(
    state: &AppState,
    issued: IssuedTokens,
    delivery: Delivery,
    https: bool,
) -> HttpResponse {
    let IssuedTokens {
        access_token,
        session_id,
        refresh_token,
        refresh_lifetime,
        must_change_password,
    } = issued;
    let refresh_expires_in = refresh_lifetime.to_std().unwrap_or_default().as_secs();
    let mut body = TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.access_tokens.ttl.as_secs(),
        refresh_token: None,
        refresh_expires_in,
        session_id,
        must_change_password,
    };
    let mut builder = HttpResponse::Ok();
    match delivery {
        Delivery::Body => body.refresh_token = Some(refresh_token),
        Delivery::Cookie => {
            builder.cookie(refresh_cookie(&refresh_token, refresh_lifetime, https));
        }
    }
    builder.json(body)
}

/// The browser's refresh cookie for a token that lives `lifetime`.
pub fn refresh_cookie(
    refresh_token: &str,
    lifetime: chrono::TimeDelta,
    https: bool,
) -> actix_web::cookie::Cookie<'static> {
    cookies::issue(
        Kind::Refresh,
        refresh_token,
        lifetime.to_std().unwrap_or_default(),
        https,
    )
}
