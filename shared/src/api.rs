//! Request and response bodies of the JSON API under `/api/v1`.

use crate::account::SignInMethod;
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// `GET /api/v1/tenant`: the tenant resolved from the request's host name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantInfo {
    pub slug: String,
    pub display_name: String,
    /// Whether the login screen offers single sign-on: some provider is
    /// active.
    pub sso_enabled: bool,
    /// The active providers, one login button each; the button navigates
    /// to `/api/v1/auth/sso/start?provider={id}` (and `&return_to=/path`).
    #[serde(default)]
    pub sso_providers: Vec<crate::sso::SsoProviderRef>,
}

/// Where the refresh token goes. Browsers keep the default, an `HttpOnly`
/// cookie; scripts ask for `body` and keep the token themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TokenDelivery {
    #[default]
    Cookie,
    Body,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub token_delivery: TokenDelivery,
}

/// `POST /api/v1/auth/refresh` and `/logout`: the body is optional for the
/// browser, whose refresh token travels in the cookie.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// The answer to a login or a refresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Present only when the caller asked for `token_delivery: body` (or
    /// refreshed with a token from the body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    /// The session this token belongs to.
    pub session_id: String,
    /// The password was set by someone else: choose a new one
    /// (`POST /api/v1/me/password`) before anything else answers.
    #[serde(default)]
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacilityRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantRef {
    pub slug: String,
    pub display_name: String,
}

/// `GET /api/v1/me`: the signed-in account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: String,
    pub tenant: TenantRef,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub role: Role,
    /// The facilities the account may see; empty for administrators, who
    /// see the whole network.
    pub facilities: Vec<FacilityRef>,
    pub locale: String,
    pub sign_in_method: SignInMethod,
    pub must_change_password: bool,
    /// RFC 3339: the current sign-in (the latest session opened).
    pub last_login_at: Option<String>,
    /// RFC 3339: the sign-in before that one; none on the first.
    pub previous_login_at: Option<String>,
    pub session_id: String,
}

impl Me {
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        if full.is_empty() {
            self.username.clone()
        } else {
            full.to_owned()
        }
    }
}

/// `POST /api/v1/password-resets`: ask for a reset link by email.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub username: String,
}

/// The `202 Accepted` answer to a reset request: the same, word for word,
/// whether the account exists, has an email address, or can reset at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetAccepted {
    pub message: String,
}

impl PasswordResetAccepted {
    pub const MESSAGE: &'static str = "If the account exists and has an email address, a link to set a new password has been sent to it. If no email arrives, an administrator or supervisor can set a new password.";

    pub fn new() -> Self {
        PasswordResetAccepted {
            message: Self::MESSAGE.to_owned(),
        }
    }
}

impl Default for PasswordResetAccepted {
    fn default() -> Self {
        Self::new()
    }
}

/// `POST /api/v1/password-resets/verify`: is this link still good? Looking
/// does not use the token up; only setting the password does.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetVerify {
    pub token: String,
}

/// What the set-new-password page needs to apply the policy as the server
/// will: the account's username and the tenant's minimum length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetLink {
    pub username: String,
    pub password_min_length: usize,
    /// `reset` (Forgot password?) or `invitation` (a first password).
    #[serde(default = "reset_purpose")]
    pub purpose: String,
}

fn reset_purpose() -> String {
    "reset".to_owned()
}

/// `POST /api/v1/password-resets/confirm`: set the new password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    pub token: String,
    pub new_password: String,
}

/// `PATCH /api/v1/me`: what the account's owner may change about it. Absent
/// fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// One of `shared::locale::SUPPORTED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `POST /api/v1/me/password`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// One live session of the account, in `GET /api/v1/me/sessions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: the last refresh (or the sign-in).
    pub last_seen_at: String,
    /// RFC 3339: the latest it can end without being refreshed.
    pub expires_at: String,
    pub user_agent: Option<String>,
    pub client_address: Option<String>,
    /// The session of the token that asked.
    pub current: bool,
}

/// The answer to `POST /api/v1/me/sessions/revoke-others`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokedSessions {
    pub revoked: usize,
}
