//! A tenant's single sign-on providers, administered: the rules a
//! provider's settings must meet, the client secret sealed at rest and
//! never shown, the version for optimistic locking, the redirect URI to
//! register at the provider, and the audit trail. The API (administrators
//! only) and the command line (operators) both come here, each with a
//! connection inside its own transaction.

use super::users::{name_field, rfc3339, FieldErrors};
use crate::auth::secret_key::SecretKey;
use crate::db::{DbConnection, DbError};
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::sso_provider::SsoProvider;
use crate::model::tenant::Tenant;
use crate::settings::PublicUrl;
use openidconnect::url::Url;
use secrecy::SecretString;
use shared::sso::{
    default_scopes, NewSsoProvider, RoleManagement, SsoProviderChanges, SsoProviderStatus,
    SsoProviderView,
};
use shared::Role;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The purpose the secret key seals client secrets for.
const SEAL_PURPOSE: &str = "sso client secret v1";
/// Where a provider sends the browser back to, under a tenant's address.
pub const CALLBACK_PATH: &str = "/api/v1/auth/sso/callback";
/// Parameters the code flow sets itself: no extra parameter may replace
/// them.
const RESERVED_PARAMS: [&str; 9] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "request",
];
const MAX_ENTRIES: usize = 50;
const MAX_VALUE: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("no such provider in this tenant")]
    NotFound,
    #[error("fields break the rules")]
    Invalid(FieldErrors),
    #[error("stale version; the provider is now at version {current}")]
    VersionConflict { current: i32 },
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for ProviderError {
    fn from(error: diesel::result::Error) -> Self {
        ProviderError::Database(error.into())
    }
}

/// Who made a change, for the audit trail.
pub struct ChangedBy<'a> {
    pub who: &'a str,
    pub address: Option<&'a str>,
}

/// What administering providers needs: the key that seals client secrets
/// and the public address redirect URIs are built from.
#[derive(Clone)]
pub struct SsoProviders {
    pub secret: Arc<SecretKey>,
    pub links: PublicUrl,
}

impl SsoProviders {
    /// The address to register at the provider: the tenant's public
    /// address (`BACKOFFICE_PUBLIC_URL`) and the callback path.
    pub fn redirect_uri(&self, tenant: &Tenant) -> String {
        format!("{}{CALLBACK_PATH}", self.links.for_tenant(&tenant.slug))
    }

    /// The client secret of `provider`, opened; `None` for a public client
    /// (or a secret sealed with another secret key).
    pub fn client_secret(&self, provider: &SsoProvider) -> Option<SecretString> {
        let sealed = provider.sealed_client_secret.as_deref()?;
        let opened = self.secret.open(SEAL_PURPOSE, sealed).ok()?;
        String::from_utf8(opened).ok().map(SecretString::from)
    }

    pub fn view(&self, tenant: &Tenant, provider: &SsoProvider) -> SsoProviderView {
        SsoProviderView {
            id: provider.id.clone(),
            display_name: provider.display_name.clone(),
            status: provider.status(),
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            client_secret_set: provider.sealed_client_secret.is_some(),
            extra_params: provider.extra_params(),
            scopes: provider.scopes(),
            role_management: provider.role_management(),
            role_claim: provider.role_claim.clone(),
            role_mapping: provider.role_mapping(),
            default_role: provider.default_role(),
            group_claim: provider.group_claim.clone(),
            group_mapping: provider.group_mapping(),
            redirect_uri: self.redirect_uri(tenant),
            version: provider.version,
            created_at: rfc3339(provider.created_at),
            modified_at: rfc3339(provider.modified_at),
        }
    }

    pub fn list(
        &self,
        conn: &mut DbConnection,
        tenant: &Tenant,
    ) -> Result<Vec<SsoProviderView>, ProviderError> {
        Ok(SsoProvider::of_tenant(conn, &tenant.id)?
            .iter()
            .map(|p| self.view(tenant, p))
            .collect())
    }

    pub fn get(
        &self,
        conn: &mut DbConnection,
        tenant: &Tenant,
        id: &str,
    ) -> Result<SsoProviderView, ProviderError> {
        let provider = SsoProvider::find(conn, &tenant.id, id)?.ok_or(ProviderError::NotFound)?;
        Ok(self.view(tenant, &provider))
    }

    pub fn create(
        &self,
        conn: &mut DbConnection,
        tenant: &Tenant,
        new: NewSsoProvider,
        by: &ChangedBy<'_>,
    ) -> Result<SsoProviderView, ProviderError> {
        let settings = Settings {
            display_name: new.display_name,
            status: new.status.unwrap_or(SsoProviderStatus::Active),
            issuer: new.issuer,
            client_id: new.client_id,
            extra_params: new.extra_params,
            scopes: new.scopes.unwrap_or_else(default_scopes),
            role_management: new.role_management,
            role_claim: new.role_claim,
            role_mapping: new.role_mapping,
            default_role: new.default_role,
            group_claim: new.group_claim,
            group_mapping: new.group_mapping,
        };
        let now = crate::model::now();
        let mut provider = SsoProvider {
            id: crate::model::new_id(),
            tenant_id: tenant.id.clone(),
            display_name: String::new(),
            status: String::new(),
            issuer: String::new(),
            client_id: String::new(),
            sealed_client_secret: None,
            extra_params: String::new(),
            scopes: String::new(),
            role_management: String::new(),
            role_claim: None,
            role_mapping: String::new(),
            default_role: None,
            group_claim: None,
            group_mapping: String::new(),
            version: 1,
            created_at: now,
            modified_at: now,
        };
        let mut errors = FieldErrors::new();
        provider.sealed_client_secret = self.sealed(&mut errors, new.client_secret.as_deref());
        settings.check_into(conn, &tenant.id, &mut provider, errors)?;
        provider.insert(conn)?;
        record(conn, tenant, audit::SSO_PROVIDER_CREATED, &provider, by, "")?;
        Ok(self.view(tenant, &provider))
    }

    /// Changes a provider if the caller read its current `version`.
    pub fn update(
        &self,
        conn: &mut DbConnection,
        tenant: &Tenant,
        id: &str,
        changes: SsoProviderChanges,
        by: &ChangedBy<'_>,
    ) -> Result<SsoProviderView, ProviderError> {
        let stored = SsoProvider::find(conn, &tenant.id, id)?.ok_or(ProviderError::NotFound)?;
        if stored.version != changes.version {
            return Err(ProviderError::VersionConflict {
                current: stored.version,
            });
        }
        let settings = Settings {
            display_name: changes
                .display_name
                .unwrap_or_else(|| stored.display_name.clone()),
            status: changes.status.unwrap_or_else(|| stored.status()),
            issuer: changes.issuer.unwrap_or_else(|| stored.issuer.clone()),
            client_id: changes
                .client_id
                .unwrap_or_else(|| stored.client_id.clone()),
            extra_params: changes
                .extra_params
                .unwrap_or_else(|| stored.extra_params()),
            scopes: changes.scopes.unwrap_or_else(|| stored.scopes()),
            role_management: changes
                .role_management
                .unwrap_or_else(|| stored.role_management()),
            role_claim: changes
                .role_claim
                .unwrap_or_else(|| stored.role_claim.clone()),
            role_mapping: changes
                .role_mapping
                .unwrap_or_else(|| stored.role_mapping()),
            default_role: changes
                .default_role
                .unwrap_or_else(|| stored.default_role()),
            group_claim: changes
                .group_claim
                .unwrap_or_else(|| stored.group_claim.clone()),
            group_mapping: changes
                .group_mapping
                .unwrap_or_else(|| stored.group_mapping()),
        };
        let mut provider = stored.clone();
        let mut errors = FieldErrors::new();
        let secret_changed = changes.client_secret.is_some();
        if let Some(secret) = changes.client_secret {
            provider.sealed_client_secret = self.sealed(&mut errors, secret.as_deref());
        }
        settings.check_into(conn, &tenant.id, &mut provider, errors)?;
        provider.version = stored.version + 1;
        provider.modified_at = crate::model::now();
        if !provider.update_if_version(conn, stored.version)? {
            return Err(ProviderError::VersionConflict {
                current: stored.version + 1,
            });
        }
        let detail = if secret_changed {
            "; client secret replaced"
        } else {
            ""
        };
        record(
            conn,
            tenant,
            audit::SSO_PROVIDER_CHANGED,
            &provider,
            by,
            detail,
        )?;
        Ok(self.view(tenant, &provider))
    }

    /// Deletes a provider; its accounts stay (and can no longer sign in
    /// until another provider of the same issuer is set up).
    pub fn delete(
        &self,
        conn: &mut DbConnection,
        tenant: &Tenant,
        id: &str,
        by: &ChangedBy<'_>,
    ) -> Result<(), ProviderError> {
        let stored = SsoProvider::find(conn, &tenant.id, id)?.ok_or(ProviderError::NotFound)?;
        SsoProvider::delete(conn, &tenant.id, id)?;
        record(conn, tenant, audit::SSO_PROVIDER_DELETED, &stored, by, "")?;
        Ok(())
    }

    /// The client secret sealed, or a field error; `None` for none.
    fn sealed(&self, errors: &mut FieldErrors, secret: Option<&str>) -> Option<String> {
        let secret = secret?;
        if secret.is_empty()
            || secret.chars().count() > MAX_VALUE
            || secret.contains(char::is_control)
        {
            errors.push((
                "client_secret",
                "client_secret_invalid",
                format!("Give the secret the provider shows, 1 to {MAX_VALUE} characters."),
            ));
            return None;
        }
        Some(self.secret.seal(SEAL_PURPOSE, secret.as_bytes()))
    }
}

/// Every setting of a provider but its secret, as given.
struct Settings {
    display_name: String,
    status: SsoProviderStatus,
    issuer: String,
    client_id: String,
    extra_params: BTreeMap<String, String>,
    scopes: Vec<String>,
    role_management: RoleManagement,
    role_claim: Option<String>,
    role_mapping: BTreeMap<String, Role>,
    default_role: Option<Role>,
    group_claim: Option<String>,
    group_mapping: BTreeMap<String, Vec<String>>,
}

impl Settings {
    /// Checks every setting (all faults at once) and writes them into
    /// `provider`.
    fn check_into(
        self,
        conn: &mut DbConnection,
        tenant_id: &str,
        provider: &mut SsoProvider,
        mut errors: FieldErrors,
    ) -> Result<(), ProviderError> {
        let display_name = name_field(&mut errors, "display_name", &self.display_name, true);
        let issuer = issuer_field(&mut errors, &self.issuer);
        let client_id = token_field(&mut errors, "client_id", Some(&self.client_id), true);
        for (name, value) in &self.extra_params {
            let name_ok = (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if !name_ok || RESERVED_PARAMS.contains(&name.as_str()) {
                errors.push((
                    "extra_params",
                    "parameter_invalid",
                    format!("`{name}` cannot be an extra parameter (the sign-in sets it, or it is not a parameter name)."),
                ));
            } else if value.chars().count() > MAX_VALUE || value.contains(char::is_control) {
                errors.push((
                    "extra_params",
                    "parameter_invalid",
                    format!("The value of `{name}` is too long or has control characters."),
                ));
            }
        }
        if self.extra_params.len() > MAX_ENTRIES {
            errors.push((
                "extra_params",
                "too_many",
                format!("At most {MAX_ENTRIES} parameters."),
            ));
        }
        let mut scopes: Vec<String> = vec!["openid".to_owned()];
        for scope in &self.scopes {
            let scope = scope.trim();
            // RFC 6749 3.3: printable ASCII but space, `"` and `\`.
            let ok = !scope.is_empty()
                && scope.len() <= 128
                && scope
                    .bytes()
                    .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\');
            if !ok {
                errors.push((
                    "scopes",
                    "scope_invalid",
                    format!("`{scope}` is not a scope."),
                ));
            } else if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        if scopes.len() > MAX_ENTRIES {
            errors.push((
                "scopes",
                "too_many",
                format!("At most {MAX_ENTRIES} scopes."),
            ));
        }
        let role_claim = token_field(&mut errors, "role_claim", self.role_claim.as_deref(), false);
        let group_claim = token_field(
            &mut errors,
            "group_claim",
            self.group_claim.as_deref(),
            false,
        );
        if self
            .role_mapping
            .keys()
            .any(|value| value.trim().is_empty() || value.chars().count() > MAX_VALUE)
            || self.role_mapping.len() > MAX_ENTRIES
        {
            errors.push((
                "role_mapping",
                "mapping_invalid",
                format!("Map at most {MAX_ENTRIES} claim values, none empty."),
            ));
        }
        if self.role_management == RoleManagement::IdpManaged
            && (role_claim.is_none() || self.role_mapping.is_empty())
            && self.default_role.is_none()
        {
            errors.push((
                "role_claim",
                "role_source_missing",
                "The provider manages roles: name the role claim and map its values, or set a default role.".to_owned(),
            ));
        }
        if !self.group_mapping.is_empty() && group_claim.is_none() {
            errors.push((
                "group_claim",
                "group_claim_missing",
                "Name the claim that carries the groups the mapping uses.".to_owned(),
            ));
        }
        let known: BTreeSet<String> = Facility::of_tenant(conn, tenant_id)?
            .into_iter()
            .map(|f| f.code)
            .collect();
        let mut group_mapping = BTreeMap::new();
        for (group, codes) in self.group_mapping {
            if group.trim().is_empty() || group.chars().count() > MAX_VALUE {
                errors.push((
                    "group_mapping",
                    "mapping_invalid",
                    "A group name is empty or too long.".to_owned(),
                ));
            }
            let mut checked = Vec::new();
            for code in codes {
                let code = code.trim().to_owned();
                if !known.contains(&code) {
                    errors.push((
                        "group_mapping",
                        "facility_unknown",
                        format!("There is no facility `{code}` in this tenant."),
                    ));
                } else if !checked.contains(&code) {
                    checked.push(code);
                }
            }
            group_mapping.insert(group, checked);
        }
        if group_mapping.len() > MAX_ENTRIES * 4 {
            errors.push((
                "group_mapping",
                "too_many",
                format!("Map at most {} groups.", MAX_ENTRIES * 4),
            ));
        }
        if !errors.is_empty() {
            return Err(ProviderError::Invalid(errors));
        }
        provider.display_name = display_name;
        provider.status = self.status.as_str().to_owned();
        provider.issuer = issuer;
        provider.client_id = client_id.unwrap_or_default();
        provider.extra_params = json(&self.extra_params);
        provider.scopes = scopes.join(" ");
        provider.role_management = self.role_management.as_str().to_owned();
        provider.role_claim = role_claim;
        provider.role_mapping = json(&self.role_mapping);
        provider.default_role = self.default_role.map(|r| r.as_str().to_owned());
        provider.group_claim = group_claim;
        provider.group_mapping = json(&group_mapping);
        Ok(())
    }
}

/// A mapping as it is stored: JSON text.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned())
}

/// An issuer: an https URL without query or fragment (plain http only on
/// loopback, for local providers and tests).
fn issuer_field(errors: &mut FieldErrors, value: &str) -> String {
    let value = value.trim().to_owned();
    let ok = Url::parse(&value).is_ok_and(|url| {
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        (url.scheme() == "https" || (url.scheme() == "http" && loopback))
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none()
    });
    if !ok {
        errors.push((
            "issuer",
            "issuer_invalid",
            "Give the provider's issuer URL, such as https://login.example.com/tenant/v2.0 (https; http only on this machine).".to_owned(),
        ));
    }
    value
}

/// A name without spaces (client id, claim name): trimmed, `None` when
/// empty and not required.
fn token_field(
    errors: &mut FieldErrors,
    field: &'static str,
    value: Option<&str>,
    required: bool,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None if required => {
            errors.push((field, "required", "Fill this in.".to_owned()));
            None
        }
        None => None,
        Some(v) if v.chars().count() > 256 || v.contains(char::is_whitespace) => {
            errors.push((
                field,
                "invalid",
                "Use at most 256 characters and no spaces.".to_owned(),
            ));
            None
        }
        Some(v) => Some(v.to_owned()),
    }
}

fn record(
    conn: &mut DbConnection,
    tenant: &Tenant,
    kind: &str,
    provider: &SsoProvider,
    by: &ChangedBy<'_>,
    more: &str,
) -> Result<(), ProviderError> {
    let mut event = AuditEvent::new(&tenant.id, kind).detail(&format!(
        "{} ({}) by {}{more}",
        provider.display_name, provider.id, by.who
    ));
    if let Some(address) = by.address {
        event = event.from_address(address);
    }
    event.record(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_https_or_loopback_http() {
        let check = |value: &str| {
            let mut errors = FieldErrors::new();
            issuer_field(&mut errors, value);
            errors.is_empty()
        };
        assert!(check("https://login.microsoftonline.com/abc/v2.0"));
        assert!(check("http://127.0.0.1:4000"));
        assert!(!check("http://idp.example.com"));
        assert!(!check("https://idp.example.com/?x=1"));
        assert!(!check("not a url"));
    }
}
