//! Signing in through a tenant's identity provider (OpenID Connect): the
//! start (a state row with its nonce and sealed PKCE verifier, then the
//! provider's authorization URL) and the callback (the state spent once,
//! the code exchanged and the ID token checked by `auth::oidc`, then, in
//! `sso_accounts`, the account found by issuer and subject, never by email,
//! or created just in time, its role and facilities taken from the claims
//! when the provider manages them, and a session opened as a password
//! sign-in opens one).
//!
//! Every failure is audited and leaves nothing else behind: the account
//! and the session are written in one transaction, after every check.

use super::sso_accounts::Arrival;
use crate::auth::oidc::{Oidc, OidcError, RelyingPartyConfig};
use crate::auth::secret_token::{hash_token, SecretToken};
use crate::auth::session_tokens::{OpenedSession, SessionPolicy};
use crate::db::{Database, DbError};
use crate::flows::sso_providers::SsoProviders;
use crate::model::audit::{self, AuditEvent};
use crate::model::sso_login_state::SsoLoginState;
use crate::model::sso_provider::SsoProvider;
use crate::model::tenant::Tenant;
use crate::model::user::User;
use chrono::{NaiveDateTime, TimeDelta};
use secrecy::{ExposeSecret, SecretString};
use shared::ProblemCode;
use std::sync::Arc;

/// How long a started sign-in may take at the provider.
pub const STATE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// The purpose the secret key seals PKCE verifiers for.
const PKCE_PURPOSE: &str = "sso pkce verifier v1";

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
        tracing::info!(tenant = %tenant.slug, %detail, "single sign-on refused");
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
}
