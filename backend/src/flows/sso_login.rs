//! Signing in through a tenant's identity provider (OpenID Connect): the
//! start (a state row with its nonce and sealed PKCE verifier, then the
//! provider's authorization URL) and the callback (the state spent once,
//! the code exchanged and the ID token checked by `auth::oidc`, the account
//! found by issuer and subject, never by email, or created just in time,
//! its role and facilities taken from the claims when the provider manages
//! them, and a session opened as a password sign-in opens one).
//!
//! Every failure is audited and leaves nothing else behind: the account
//! and the session are written in one transaction, after every check.

use crate::auth::oidc::{Identity, Oidc, OidcError, RelyingPartyConfig};
use crate::auth::secret_token::{hash_token, SecretToken};
use crate::auth::session_tokens::{OpenedSession, SessionPolicy};
use crate::db::{Database, DbConnection, DbError};
use crate::flows::sso_providers::SsoProviders;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::Session;
use crate::model::sso_login_state::SsoLoginState;
use crate::model::sso_provider::SsoProvider;
use crate::model::tenant::Tenant;
use crate::model::user::{ProviderFields, User, UserFacility};
use chrono::{NaiveDateTime, TimeDelta};
use secrecy::{ExposeSecret, SecretString};
use shared::sso::RoleManagement;
use shared::username::{Username, MAX_USERNAME_CHARS};
use shared::{AccountStatus, ProblemCode, Role, SignInMethod};
use std::collections::BTreeSet;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;

/// How long a started sign-in may take at the provider.
pub const STATE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// The purpose the secret key seals PKCE verifiers for.
const PKCE_PURPOSE: &str = "sso pkce verifier v1";
/// The longest name kept from a claim.
const MAX_NAME: usize = 100;

pub struct SsoLogins {
    pub db: Database,
    pub oidc: Arc<Oidc>,
    pub providers: SsoProviders,
    pub sessions: SessionPolicy,
}

/// Why a single sign-on did not sign anyone in; the login screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoFailure {
    /// Unknown, used or expired state, a token that does not check out, an
    /// unknown provider: anything a person cannot fix by trying again.
    Failed,
    /// The person cancelled at the provider, or it refused them.
    Cancelled,
    /// The provider cannot be reached.
    Unavailable,
    /// The claims give no role here and the provider sets no default.
    RoleUnmapped,
    /// The account is inactive (the same answer as a password sign-in).
    Inactive,
}

impl SsoFailure {
    pub fn code(self) -> ProblemCode {
        match self {
            SsoFailure::Failed => ProblemCode::SsoFailed,
            SsoFailure::Cancelled => ProblemCode::SsoCancelled,
            SsoFailure::Unavailable => ProblemCode::SsoUnavailable,
            SsoFailure::RoleUnmapped => ProblemCode::SsoRoleUnmapped,
            SsoFailure::Inactive => ProblemCode::AccountInactive,
        }
    }
}

/// A started sign-in: where to send the browser, and the state to bind
/// to it (the browser keeps it in a cookie until the callback).
pub struct Started {
    pub url: String,
    pub state: String,
}

/// What a callback brought, and from where.
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's `error` (e.g. `access_denied`).
    pub error: Option<String>,
    /// The provider's `iss` (RFC 9207), when it sends one.
    pub issuer: Option<String>,
    /// The state the browser's cookie holds.
    pub browser_state: Option<String>,
    pub address: String,
    pub user_agent: Option<String>,
}

/// A signed-in single sign-on: the session to hand out, and where to go.
pub struct SsoSignedIn {
    pub user: User,
    pub opened: OpenedSession,
    pub return_to: String,
    pub now: NaiveDateTime,
}

/// `raw` if it is a path of this app (one leading `/`, no `//`, no
/// backslash, no scheme, no control character), else `/`.
pub fn return_path(raw: Option<&str>) -> String {
    match raw {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.contains("://")
                && !path.chars().any(char::is_control)
                && path.len() <= 1024 =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

impl SsoLogins {
    fn config<'a>(
        &self,
        provider: &'a SsoProvider,
        redirect_uri: &'a str,
    ) -> RelyingPartyConfig<'a> {
        RelyingPartyConfig {
            issuer: &provider.issuer,
            client_id: &provider.client_id,
            client_secret: self.providers.client_secret(provider),
            redirect_uri,
        }
    }

    /// Starts a sign-in with the tenant's active provider `provider_id`.
    pub async fn start(
        &self,
        tenant: &Tenant,
        provider_id: Option<&str>,
        return_to: Option<&str>,
        address: &str,
    ) -> Result<Started, SsoFailure> {
        let Some(provider_id) = provider_id.filter(|id| !id.is_empty() && id.len() <= 64) else {
            return Err(self
                .failed(
                    tenant,
                    SsoFailure::Failed,
                    "start: no provider named",
                    address,
                )
                .await);
        };
        let (tenant_id, id) = (tenant.id.clone(), provider_id.to_owned());
        let provider = match self
            .db
            .read(move |conn| Ok(SsoProvider::find(conn, &tenant_id, &id)?))
            .await
        {
            Ok(Some(provider)) if provider.is_active() => provider,
            Ok(_) => {
                let detail = format!("start: no active provider {provider_id}");
                return Err(self
                    .failed(tenant, SsoFailure::Failed, &detail, address)
                    .await);
            }
            Err(error) => return Err(self.broken(tenant, error, address).await),
        };
        let redirect_uri = self.providers.redirect_uri(tenant);
        let state = SecretToken::generate();
        let authorization = match self
            .oidc
            .authorize(
                &self.config(&provider, &redirect_uri),
                &state.plaintext,
                &provider.scopes(),
                &provider.extra_params(),
            )
            .await
        {
            Ok(authorization) => authorization,
            Err(error) => {
                let failure = failure_of(&error);
                let detail = format!("start with {}: {error}", provider.display_name);
                return Err(self.failed(tenant, failure, &detail, address).await);
            }
        };
        let now = crate::model::now();
        let row = SsoLoginState {
            state_hash: state.hash.clone(),
            tenant_id: tenant.id.clone(),
            provider_id: provider.id.clone(),
            nonce: authorization.nonce,
            sealed_pkce_verifier: self.providers.secret.seal(
                PKCE_PURPOSE,
                authorization.pkce_verifier.expose_secret().as_bytes(),
            ),
            return_to: return_path(return_to),
            created_at: now,
            expires_at: now + STATE_LIFETIME,
            used_at: None,
        };
        if let Err(error) = self.db.write(move |conn| Ok(row.insert(conn)?)).await {
            return Err(self.broken(tenant, error, address).await);
        }
        Ok(Started {
            url: authorization.url,
            state: state.plaintext,
        })
    }

    /// Finishes a sign-in at the provider's callback.
    pub async fn callback(
        &self,
        tenant: &Tenant,
        callback: Callback,
    ) -> Result<SsoSignedIn, SsoFailure> {
        let address = callback.address.clone();
        let Some(state) = callback
            .state
            .clone()
            .filter(|s| !s.is_empty() && s.len() <= 128)
        else {
            return Err(self
                .failed(
                    tenant,
                    SsoFailure::Failed,
                    "callback without a state",
                    &address,
                )
                .await);
        };
        if callback.browser_state.as_deref() != Some(state.as_str()) {
            return Err(self
                .failed(
                    tenant,
                    SsoFailure::Failed,
                    "callback in a browser that did not start this sign-in",
                    &address,
                )
                .await);
        }
        let (tenant_id, state_hash) = (tenant.id.clone(), hash_token(&state));
        let spent = self
            .db
            .write(move |conn| {
                let now = crate::model::now();
                let Some(row) = SsoLoginState::spend(conn, &tenant_id, &state_hash, now)? else {
                    return Ok(None);
                };
                let provider = SsoProvider::find(conn, &tenant_id, &row.provider_id)?;
                Ok(Some((row, provider)))
            })
            .await;
        let (row, provider) = match spent {
            Ok(Some((row, Some(provider)))) if provider.is_active() => (row, provider),
            Ok(Some(_)) => {
                return Err(self
                    .failed(
                        tenant,
                        SsoFailure::Failed,
                        "callback: the provider is gone or inactive",
                        &address,
                    )
                    .await)
            }
            Ok(None) => {
                return Err(self
                    .failed(
                        tenant,
                        SsoFailure::Failed,
                        "callback: unknown, used or expired state",
                        &address,
                    )
                    .await)
            }
            Err(error) => return Err(self.broken(tenant, error, &address).await),
        };
        if let Some(error) = callback.error.as_deref() {
            let failure = if error == "access_denied" {
                SsoFailure::Cancelled
            } else {
                SsoFailure::Failed
            };
            let shown: String = error.chars().take(64).collect();
            let detail = format!("{} answered {shown}", provider.display_name);
            return Err(self.failed(tenant, failure, &detail, &address).await);
        }
        if callback
            .issuer
            .as_deref()
            .is_some_and(|iss| iss != provider.issuer)
        {
            let detail = format!(
                "callback for {}: another issuer answered",
                provider.display_name
            );
            return Err(self
                .failed(tenant, SsoFailure::Failed, &detail, &address)
                .await);
        }
        let Some(code) = callback.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
            let detail = format!("callback for {} without a code", provider.display_name);
            return Err(self
                .failed(tenant, SsoFailure::Failed, &detail, &address)
                .await);
        };
        let verifier = self
            .providers
            .secret
            .open(PKCE_PURPOSE, &row.sealed_pkce_verifier)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(SecretString::from);
        let Some(verifier) = verifier else {
            let detail = "callback: the sign-in was sealed with another secret key";
            return Err(self
                .failed(tenant, SsoFailure::Failed, detail, &address)
                .await);
        };
        let redirect_uri = self.providers.redirect_uri(tenant);
        let identity = match self
            .oidc
            .finish(
                &self.config(&provider, &redirect_uri),
                &code,
                &verifier,
                &row.nonce,
            )
            .await
        {
            Ok(identity) => identity,
            Err(error) => {
                let failure = failure_of(&error);
                let detail = format!("{}: {error}", provider.display_name);
                return Err(self.failed(tenant, failure, &detail, &address).await);
            }
        };
        let sign_in = Arrival {
            tenant_id: tenant.id.clone(),
            provider,
            identity,
            return_to: row.return_to,
            address: address.clone(),
            user_agent: callback.user_agent,
            sessions: self.sessions.clone(),
        };
        match self.db.write(move |conn| sign_in.arrive(conn)).await {
            Ok(outcome) => outcome,
            Err(error) => Err(self.broken(tenant, error, &address).await),
        }
    }

    /// Records a refused sign-in and returns why.
    async fn failed(
        &self,
        tenant: &Tenant,
        failure: SsoFailure,
        detail: &str,
        address: &str,
    ) -> SsoFailure {
        let event = AuditEvent::new(&tenant.id, audit::SSO_LOGIN_FAILED)
            .detail(detail)
            .from_address(address);
        if let Err(error) = self.db.write(move |conn| Ok(event.record(conn)?)).await {
            tracing::error!(%error, "cannot audit a failed single sign-on");
        }
        failure
    }

    /// A database failure: logged, and answered as a failed sign-in.
    async fn broken(&self, tenant: &Tenant, error: DbError, address: &str) -> SsoFailure {
        tracing::error!(%error, "single sign-on failed on the database");
        self.failed(tenant, SsoFailure::Failed, "the database failed", address)
            .await
    }
}

fn failure_of(error: &OidcError) -> SsoFailure {
    match error {
        OidcError::Unavailable(_) => SsoFailure::Unavailable,
        OidcError::Rejected(_) => SsoFailure::Failed,
    }
}

/// A person the provider vouched for, arriving at the tenant: everything
/// the one transaction that signs them in needs.
struct Arrival {
    tenant_id: String,
    provider: SsoProvider,
    identity: Identity,
    return_to: String,
    address: String,
    user_agent: Option<String>,
    sessions: SessionPolicy,
}

impl Arrival {
    /// Finds or creates the account, brings it in line with the claims,
    /// and opens the session; or, checking before anything is written,
    /// refuses and audits why.
    fn arrive(self, conn: &mut DbConnection) -> Result<Result<SsoSignedIn, SsoFailure>, DbError> {
        let tenant_id = self.tenant_id.as_str();
        let now = crate::model::now();
        let existing = User::find_by_sso_identity(
            conn,
            tenant_id,
            &self.provider.issuer,
            &self.identity.subject,
        )?;
        let management = self.provider.role_management();
        let role = match (&existing, management) {
            (Some(user), RoleManagement::IdpIdentityOnly) => Some(user.role()),
            (None, RoleManagement::IdpIdentityOnly) => self.provider.default_role(),
            (_, RoleManagement::IdpManaged) => self.mapped_role(),
        };
        if let Some(user) = &existing {
            if !user.is_active() || user.sign_in_method() != SignInMethod::Oidc {
                self.audit(conn, audit::LOGIN_INACTIVE, Some(user), "single sign-on")?;
                return Ok(Err(SsoFailure::Inactive));
            }
        }
        let Some(role) = role else {
            let values = self
                .provider
                .role_claim
                .as_deref()
                .map(|claim| self.identity.values_of(claim).join(", "))
                .unwrap_or_default();
            let detail = format!(
                "{}: no role for subject {} (role claim values: [{values}])",
                self.provider.display_name, self.identity.subject
            );
            self.audit(conn, audit::SSO_LOGIN_FAILED, existing.as_ref(), &detail)?;
            return Ok(Err(SsoFailure::RoleUnmapped));
        };
        let facility_ids = if role.is_network_wide() {
            BTreeSet::new()
        } else {
            self.mapped_facilities(conn)?
        };
        let user = match existing {
            Some(user) => self.update(conn, user, role, facility_ids, now)?,
            None => match self.create(conn, role, facility_ids, now)? {
                Some(user) => user,
                None => {
                    let detail = format!(
                        "{}: the account was created at the same time elsewhere",
                        self.provider.display_name
                    );
                    self.audit(conn, audit::SSO_LOGIN_FAILED, None, &detail)?;
                    return Ok(Err(SsoFailure::Failed));
                }
            },
        };
        let opened =
            self.sessions
                .open(conn, &user, self.user_agent.clone(), &self.address, now)?;
        let detail = format!("single sign-on with {}", self.provider.display_name);
        self.audit(conn, audit::LOGIN_SUCCEEDED, Some(&user), &detail)?;
        Ok(Ok(SsoSignedIn {
            user,
            opened,
            return_to: self.return_to.clone(),
            now,
        }))
    }

    /// The most powerful role the role claim's values map to, else the
    /// provider's default.
    fn mapped_role(&self) -> Option<Role> {
        let mapping = self.provider.role_mapping();
        let mapped = self
            .provider
            .role_claim
            .as_deref()
            .map(|claim| self.identity.values_of(claim))
            .unwrap_or_default()
            .iter()
            .filter_map(|value| mapping.get(value).copied())
            .min_by_key(|role| Role::ALL.iter().position(|r| r == role));
        mapped.or_else(|| self.provider.default_role())
    }

    /// The facilities the group claim's values map to (codes that no
    /// longer name a facility count for nothing).
    fn mapped_facilities(&self, conn: &mut DbConnection) -> Result<BTreeSet<String>, DbError> {
        let Some(claim) = self.provider.group_claim.as_deref() else {
            return Ok(BTreeSet::new());
        };
        let mapping = self.provider.group_mapping();
        let codes: BTreeSet<String> = self
            .identity
            .values_of(claim)
            .iter()
            .filter_map(|group| mapping.get(group))
            .flatten()
            .cloned()
            .collect();
        Ok(Facility::of_tenant(conn, &self.tenant_id)?
            .into_iter()
            .filter(|f| codes.contains(&f.code))
            .map(|f| f.id)
            .collect())
    }

    /// The names, email and locale the claims give, over `fallback`'s.
    fn fields(&self, role: Role, fallback: Option<&User>) -> ProviderFields {
        let name = |claim: &Option<String>, stored: Option<&String>| {
            claim
                .as_deref()
                .map(clean_name)
                .or_else(|| stored.cloned())
                .unwrap_or_default()
        };
        let email = self
            .identity
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| shared::account::is_plausible_email(e))
            .map(str::to_owned)
            .or_else(|| fallback.and_then(|u| u.email.clone()));
        let locale = self
            .identity
            .locale
            .as_deref()
            .and_then(shared::locale::supported)
            .map(str::to_owned)
            .or_else(|| fallback.map(|u| u.locale.clone()))
            .unwrap_or_else(|| shared::locale::DEFAULT.to_owned());
        ProviderFields {
            first_name: name(&self.identity.given_name, fallback.map(|u| &u.first_name)),
            last_name: name(&self.identity.family_name, fallback.map(|u| &u.last_name)),
            email,
            locale,
            role,
        }
    }

    /// A later sign-in: the claims' names, email and locale; with a
    /// provider that manages roles, the claims' role and facilities
    /// replace the stored ones, and a lost role or facility ends the
    /// account's other sessions, as an administrator's change would.
    fn update(
        &self,
        conn: &mut DbConnection,
        user: User,
        role: Role,
        facility_ids: BTreeSet<String>,
        now: NaiveDateTime,
    ) -> Result<User, DbError> {
        let tenant_id = self.tenant_id.as_str();
        let fields = self.fields(role, Some(&user));
        let stored = ProviderFields {
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            locale: user.locale.clone(),
            role: user.role(),
        };
        let mut changed = Vec::new();
        if fields != stored {
            User::update_from_provider(conn, tenant_id, &user.id, &fields, now)?;
            changed.push(if fields.role == stored.role {
                "names, email or language"
            } else {
                "role"
            });
        }
        let mut lost_facility = false;
        if self.provider.role_management() == RoleManagement::IdpManaged {
            let old: BTreeSet<String> = Facility::of_user(conn, tenant_id, &user.id)?
                .into_iter()
                .map(|f| f.id)
                .collect();
            if old != facility_ids {
                let ids: Vec<String> = facility_ids.iter().cloned().collect();
                UserFacility::replace(conn, tenant_id, &user.id, &ids)?;
                lost_facility = !old.is_subset(&facility_ids);
                changed.push("facilities");
            }
        }
        if !changed.is_empty() {
            let revoked = if fields.role != stored.role || lost_facility {
                Session::revoke_all_of_user(
                    conn,
                    tenant_id,
                    &user.id,
                    "changed_by_identity_provider",
                    now,
                )?
            } else {
                0
            };
            let detail = format!(
                "by single sign-on with {}; changed: {}; {revoked} sessions revoked",
                self.provider.display_name,
                changed.join(", ")
            );
            self.audit(conn, audit::USER_CHANGED, Some(&user), &detail)?;
        }
        Ok(User::find(conn, tenant_id, &user.id)?.unwrap_or(user))
    }

    /// The first sign-in: a new `OIDC` account, just in time. `None` if
    /// the identity got an account meanwhile (a race with itself).
    fn create(
        &self,
        conn: &mut DbConnection,
        role: Role,
        facility_ids: BTreeSet<String>,
        now: NaiveDateTime,
    ) -> Result<Option<User>, DbError> {
        let fields = self.fields(role, None);
        let username = self.free_username(conn)?;
        let user = User {
            id: crate::model::new_id(),
            tenant_id: self.tenant_id.clone(),
            username,
            first_name: fields.first_name,
            last_name: fields.last_name,
            email: fields.email,
            locale: fields.locale,
            status: AccountStatus::Active.as_str().to_owned(),
            sign_in_method: SignInMethod::Oidc.as_str().to_owned(),
            role: role.as_str().to_owned(),
            password_hash: None,
            must_change_password: false,
            version: 1,
            created_at: now,
            modified_at: now,
            last_login_at: None,
            previous_login_at: None,
            sso_issuer: Some(self.provider.issuer.clone()),
            sso_subject: Some(self.identity.subject.clone()),
        };
        let ids: Vec<String> = facility_ids.into_iter().collect();
        match user.insert_with_facilities(conn, &ids) {
            Ok(()) => {}
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let detail = format!(
            "just in time by single sign-on with {}",
            self.provider.display_name
        );
        self.audit(conn, audit::USER_CREATED, Some(&user), &detail)?;
        Ok(Some(user))
    }

    /// A username from the claims (preferred username, else email, else
    /// subject), made valid and, with a number, unique in the tenant.
    fn free_username(&self, conn: &mut DbConnection) -> Result<String, DbError> {
        let identity = &self.identity;
        let wanted = identity
            .preferred_username
            .as_deref()
            .or(identity.email.as_deref())
            .unwrap_or(&identity.subject);
        let base = username_base(wanted);
        for n in 1..100 {
            let candidate = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            if !User::username_taken(conn, &self.tenant_id, &candidate)? {
                return Ok(candidate);
            }
        }
        let random = SecretToken::generate().hash;
        let suffix: String = random
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        Ok(format!("{base}-{}", suffix.to_lowercase()))
    }

    fn audit(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        user: Option<&User>,
        detail: &str,
    ) -> Result<(), DbError> {
        AuditEvent::new(&self.tenant_id, kind)
            .user(
                user.map(|u| u.id.as_str()),
                user.map(|u| u.username.as_str()),
            )
            .from_address(&self.address)
            .detail(detail)
            .record(conn)?;
        Ok(())
    }
}

/// `wanted` as a valid username: NFC, trimmed, lower-cased, characters a
/// username may not hold replaced by `-`, short enough for a `-NN` suffix.
fn username_base(wanted: &str) -> String {
    let cleaned: String = wanted
        .nfc()
        .collect::<String>()
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_USERNAME_CHARS - 9)
        .collect();
    match Username::parse(&cleaned) {
        Ok(username) => username.as_str().to_owned(),
        Err(_) => "sso-user".to_owned(),
    }
}

/// A name from a claim: NFC, trimmed, without control characters, at most
/// [`MAX_NAME`] characters.
fn clean_name(name: &str) -> String {
    name.nfc()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_app_are_returned_to() {
        assert_eq!(return_path(Some("/users?page=2")), "/users?page=2");
        assert_eq!(return_path(Some("//evil.example")), "/");
        assert_eq!(return_path(Some("/\\evil.example")), "/");
        assert_eq!(return_path(Some("https://evil.example/")), "/");
        assert_eq!(return_path(Some("/x?next=https://evil")), "/");
        assert_eq!(return_path(Some("users")), "/");
        assert_eq!(return_path(Some("/a\nb")), "/");
        assert_eq!(return_path(None), "/");
    }

    #[test]
    fn usernames_from_claims_are_valid() {
        assert_eq!(username_base("  Anna.Berg "), "anna.berg");
        assert_eq!(username_base("auth0|12345"), "auth0-12345");
        // Decomposed "é" becomes one character.
        assert_eq!(username_base("Rene\u{301}"), "ren\u{e9}");
        assert_eq!(username_base("|||"), "---");
        assert_eq!(username_base("   "), "sso-user");
        assert!(username_base(&"x".repeat(200)).chars().count() <= MAX_USERNAME_CHARS - 9);
    }
}
