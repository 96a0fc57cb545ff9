//! Single sign-on through a tenant's OpenID Connect providers: what the
//! login screen learns about them, and what administrators and scripts
//! exchange with `/api/v1/sso-providers`. The client secret is write-only:
//! it goes in with a create or an update and never comes out.

use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An active provider as the login screen offers it: one button each,
/// which navigates to `/api/v1/auth/sso/start?provider={id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoProviderRef {
    pub id: String,
    pub display_name: String,
}

/// Whether the login screen offers a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SsoProviderStatus {
    Active,
    Inactive,
}

impl SsoProviderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SsoProviderStatus::Active => "ACTIVE",
            SsoProviderStatus::Inactive => "INACTIVE",
        }
    }

    /// The stored spelling; anything unknown counts as inactive.
    pub fn parse(stored: &str) -> Self {
        if stored.eq_ignore_ascii_case(SsoProviderStatus::Active.as_str()) {
            SsoProviderStatus::Active
        } else {
            SsoProviderStatus::Inactive
        }
    }
}

/// Who decides an SSO account's role and facilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleManagement {
    /// The provider: role and facilities are replaced from the claims at
    /// every sign-in.
    #[default]
    IdpManaged,
    /// Administrators here: the provider only says who the person is; a
    /// new account gets the default role (or is refused without one).
    IdpIdentityOnly,
}

impl RoleManagement {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleManagement::IdpManaged => "IDP_MANAGED",
            RoleManagement::IdpIdentityOnly => "IDP_IDENTITY_ONLY",
        }
    }

    /// The stored spelling; anything unknown keeps roles here.
    pub fn parse(stored: &str) -> Self {
        if stored.eq_ignore_ascii_case(RoleManagement::IdpManaged.as_str()) {
            RoleManagement::IdpManaged
        } else {
            RoleManagement::IdpIdentityOnly
        }
    }
}

impl std::str::FromStr for RoleManagement {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [RoleManagement::IdpManaged, RoleManagement::IdpIdentityOnly]
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("`{s}`: expected IDP_MANAGED or IDP_IDENTITY_ONLY"))
    }
}

/// The scopes asked for when a provider names none.
pub fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email"]
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// One provider as an administrator sees it. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoProviderView {
    pub id: String,
    pub display_name: String,
    pub status: SsoProviderStatus,
    /// The provider's issuer URL; its discovery document is at
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Whether a client secret is stored (it is never shown).
    pub client_secret_set: bool,
    /// Extra parameters of the authorization request, e.g. Entra's
    /// `domain_hint`.
    pub extra_params: BTreeMap<String, String>,
    pub scopes: Vec<String>,
    pub role_management: RoleManagement,
    /// The claim (in the ID token or from userinfo) that carries the
    /// role: a string or a list of strings.
    pub role_claim: Option<String>,
    /// Claim value → role. Of several mapped values the most powerful
    /// role wins.
    pub role_mapping: BTreeMap<String, Role>,
    /// The role of an account whose claims map to none (`null`: refused).
    pub default_role: Option<Role>,
    /// The claim that carries the groups: a string or a list of strings.
    pub group_claim: Option<String>,
    /// Group → facility codes of this tenant.
    pub group_mapping: BTreeMap<String, Vec<String>>,
    /// The address to register at the provider as the redirect URI.
    pub redirect_uri: String,
    /// For optimistic locking: send it back with a change.
    pub version: i32,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub modified_at: String,
}

/// `POST /api/v1/sso-providers`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSsoProvider {
    pub display_name: String,
    /// `ACTIVE` when absent.
    #[serde(default)]
    pub status: Option<SsoProviderStatus>,
    pub issuer: String,
    pub client_id: String,
    /// Write-only. Absent for a public client (PKCE only).
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub extra_params: BTreeMap<String, String>,
    /// `openid profile email` when absent; `openid` is always asked for.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub role_management: RoleManagement,
    #[serde(default)]
    pub role_claim: Option<String>,
    #[serde(default)]
    pub role_mapping: BTreeMap<String, Role>,
    #[serde(default)]
    pub default_role: Option<Role>,
    #[serde(default)]
    pub group_claim: Option<String>,
    #[serde(default)]
    pub group_mapping: BTreeMap<String, Vec<String>>,
}

/// `PATCH /api/v1/sso-providers/{id}`: the `version` read last and the
/// fields to change; absent fields stay. `"default_role": null`,
/// `"role_claim": null` and `"group_claim": null` remove the value;
/// `"client_secret": null` removes the secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SsoProviderChanges {
    pub version: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SsoProviderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::admin::present"
    )]
    pub client_secret: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_params: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_management: Option<RoleManagement>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::admin::present"
    )]
    pub role_claim: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_mapping: Option<BTreeMap<String, Role>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::admin::present"
    )]
    pub default_role: Option<Option<Role>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::admin::present"
    )]
    pub group_claim: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_mapping: Option<BTreeMap<String, Vec<String>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for r in [RoleManagement::IdpManaged, RoleManagement::IdpIdentityOnly] {
            assert_eq!(RoleManagement::parse(r.as_str()), r);
            assert_eq!(r.as_str().parse::<RoleManagement>(), Ok(r));
            let wire = serde_json::to_string(&r).unwrap_or_default();
            assert_eq!(wire, format!("\"{}\"", r.as_str()));
        }
        for s in [SsoProviderStatus::Active, SsoProviderStatus::Inactive] {
            assert_eq!(SsoProviderStatus::parse(s.as_str()), s);
        }
    }

    #[test]
    fn a_null_in_a_change_removes_and_an_absent_field_stays() {
        let changes: SsoProviderChanges =
            serde_json::from_str(r#"{"version": 3, "default_role": null}"#).unwrap_or_default();
        assert_eq!(changes.version, 3);
        assert_eq!(changes.default_role, Some(None));
        assert_eq!(changes.client_secret, None);
    }
}
