//! RFC 9457 problem details: the one shape every API error has.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` style relative URIs
    /// under `/problems/` here, one per `code`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable machine-readable code, e.g. `invalid_credentials`.
    pub code: ProblemCode,
    /// Messages per request field, for forms to show beside each input.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
    /// Stable codes per request field, in the order of `errors`, for
    /// clients that show their own words (e.g. `password_too_short`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub error_codes: BTreeMap<String, Vec<String>>,
}

/// Every problem code the API answers with. Clients match on these, never
/// on titles or strings; a code a newer server adds reads as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// Wrong password, unknown username or a waiting account: one answer.
    InvalidCredentials,
    /// The right password of an inactive account.
    AccountInactive,
    /// A missing, malformed, expired or revoked access token.
    InvalidToken,
    /// The session behind a refresh token has ended.
    InvalidRefreshToken,
    /// Too many sign-ins wait for a password check; `Retry-After` says when.
    ServiceBusy,
    UnknownTenant,
    NotFound,
    MethodNotAllowed,
    /// The account changed since the caller read it: read it again.
    VersionConflict,
    UsernameTaken,
    FacilityExists,
    /// An invitation needs an active password account with an email address.
    CannotInvite,
    /// Signed in, but the account's role does not allow this.
    Forbidden,
    /// A cookie request from another site.
    ForbiddenOrigin,
    MalformedJson,
    UnreadableBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    /// Well-formed JSON whose fields break the rules; see `errors`.
    ValidationFailed,
    BadRequest,
    /// A reset link that is malformed or was never issued for this tenant.
    ResetLinkInvalid,
    /// A reset link past its lifetime.
    ResetLinkExpired,
    /// A reset link whose password has already been set.
    ResetLinkUsed,
    /// A reset link replaced by a newer one, or by a password change.
    ResetLinkReplaced,
    /// The account's password is temporary (set by someone else): only
    /// `GET /me` and `POST /me/password` answer until it chooses its own.
    PasswordChangeRequired,
    /// The account signs in through single sign-on: it has no password here.
    PasswordManagedBySso,
    /// Single sign-on failed: an unknown, used or expired sign-in, a token
    /// that does not check out, or an answer the provider should not give.
    /// The login screen gets it as `/login?sso_error=sso_failed`.
    SsoFailed,
    /// The person cancelled at the identity provider, or it refused them.
    SsoCancelled,
    /// The identity provider cannot be reached (or answers with errors).
    SsoUnavailable,
    /// The provider's claims give no role here, and the provider sets no
    /// default: an administrator must map the role.
    SsoRoleUnmapped,
    /// Too many wrong current passwords: `Retry-After` says when to try again.
    TooManyAttempts,
    DatabaseUnavailable,
    InternalError,
    #[serde(other)]
    Unknown,
}

impl ProblemCode {
    /// The code as it is written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::InvalidCredentials => "invalid_credentials",
            ProblemCode::AccountInactive => "account_inactive",
            ProblemCode::InvalidToken => "invalid_token",
            ProblemCode::InvalidRefreshToken => "invalid_refresh_token",
            ProblemCode::ServiceBusy => "service_busy",
            ProblemCode::UnknownTenant => "unknown_tenant",
            ProblemCode::NotFound => "not_found",
            ProblemCode::MethodNotAllowed => "method_not_allowed",
            ProblemCode::VersionConflict => "version_conflict",
            ProblemCode::UsernameTaken => "username_taken",
            ProblemCode::FacilityExists => "facility_exists",
            ProblemCode::CannotInvite => "cannot_invite",
            ProblemCode::Forbidden => "forbidden",
            ProblemCode::ForbiddenOrigin => "forbidden_origin",
            ProblemCode::MalformedJson => "malformed_json",
            ProblemCode::UnreadableBody => "unreadable_body",
            ProblemCode::UnsupportedMediaType => "unsupported_media_type",
            ProblemCode::PayloadTooLarge => "payload_too_large",
            ProblemCode::ValidationFailed => "validation_failed",
            ProblemCode::BadRequest => "bad_request",
            ProblemCode::ResetLinkInvalid => "reset_link_invalid",
            ProblemCode::ResetLinkExpired => "reset_link_expired",
            ProblemCode::ResetLinkUsed => "reset_link_used",
            ProblemCode::ResetLinkReplaced => "reset_link_replaced",
            ProblemCode::PasswordChangeRequired => "password_change_required",
            ProblemCode::PasswordManagedBySso => "password_managed_by_sso",
            ProblemCode::SsoFailed => "sso_failed",
            ProblemCode::SsoCancelled => "sso_cancelled",
            ProblemCode::SsoUnavailable => "sso_unavailable",
            ProblemCode::SsoRoleUnmapped => "sso_role_unmapped",
            ProblemCode::TooManyAttempts => "too_many_attempts",
            ProblemCode::DatabaseUnavailable => "database_unavailable",
            ProblemCode::InternalError => "internal_error",
            ProblemCode::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProblemCode;

    #[test]
    fn codes_are_written_as_as_str_says_and_new_ones_read_as_unknown() {
        for code in [
            ProblemCode::InvalidCredentials,
            ProblemCode::ServiceBusy,
            ProblemCode::UnsupportedMediaType,
            ProblemCode::DatabaseUnavailable,
            ProblemCode::ResetLinkReplaced,
            ProblemCode::SsoRoleUnmapped,
        ] {
            let wire = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(wire, format!("\"{}\"", code.as_str()));
        }
        let later: Result<ProblemCode, _> = serde_json::from_str("\"a_code_from_tomorrow\"");
        assert_eq!(later.ok(), Some(ProblemCode::Unknown));
    }
}
