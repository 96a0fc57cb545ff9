//! How an account stands and how it signs in, as both sides spell them.

use serde::{Deserialize, Serialize};

/// Whether `email` (trimmed) looks like a mail address: one `@`, something
/// before it, a dotted domain after it, no spaces, at most 254 characters.
/// Whether it exists only a mail can tell.
pub fn is_plausible_email(email: &str) -> bool {
    email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace)
}

/// Only active accounts can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    Active,
    Inactive,
}

/// How an account signs in: with a password here, or through the tenant's
/// identity provider (then it has no password here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignInMethod {
    Password,
    Oidc,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "ACTIVE",
            AccountStatus::Inactive => "INACTIVE",
        }
    }

    /// The stored spelling; anything unknown counts as inactive.
    pub fn parse(stored: &str) -> Self {
        if stored == AccountStatus::Active.as_str() {
            AccountStatus::Active
        } else {
            AccountStatus::Inactive
        }
    }
}

impl SignInMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::Password => "PASSWORD",
            SignInMethod::Oidc => "OIDC",
        }
    }

    /// The stored spelling; anything unknown is taken as single sign-on,
    /// which has no password features.
    pub fn parse(stored: &str) -> Self {
        if stored == SignInMethod::Password.as_str() {
            SignInMethod::Password
        } else {
            SignInMethod::Oidc
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_and_wire_spellings_agree() {
        for status in [AccountStatus::Active, AccountStatus::Inactive] {
            assert_eq!(AccountStatus::parse(status.as_str()), status);
            let wire = serde_json::to_string(&status).unwrap_or_default();
            assert_eq!(wire, format!("\"{}\"", status.as_str()));
        }
        for method in [SignInMethod::Password, SignInMethod::Oidc] {
            assert_eq!(SignInMethod::parse(method.as_str()), method);
            let wire = serde_json::to_string(&method).unwrap_or_default();
            assert_eq!(wire, format!("\"{}\"", method.as_str()));
        }
    }
}
