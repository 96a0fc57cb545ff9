//! What every request handler shares: the database, the settings, the
//! flows' services, the key ring and the tenant resolver. Only startup and
//! the HTTP layer (`routes`, `http`) see it; everything below takes the
//! narrow values it needs. Nothing here is state another replica needs: it
//! is configuration, caches and handles.

use crate::auth::device_cookie::DeviceCookies;
use crate::auth::jwt::VerifiedTokens;
use crate::auth::keys::KeyRing;
use crate::auth::session_tokens::{AccessTokens, SessionPolicy};
use crate::db::Database;
use crate::flows::password_change::PasswordChanges;
use crate::flows::password_reset::PasswordResets;
use crate::flows::sign_in::SignInService;
use crate::flows::sso_login::SsoLogins;
use crate::flows::users::UserAdmin;
use crate::http::client::Client;
use crate::mail::outbox::Outbox;
use crate::settings::Settings;
use crate::tenancy::TenantResolver;
use actix_web::HttpRequest;
use std::sync::Arc;

pub struct AppState {
    pub db: Database,
    pub settings: Settings,
    pub keys: Arc<KeyRing>,
    pub tenants: TenantResolver,
    pub sign_in: Arc<SignInService>,
    pub password_resets: Arc<PasswordResets>,
    pub password_changes: Arc<PasswordChanges>,
    pub users: UserAdmin,
    /// Single sign-on, and the administration of its providers
    /// (`sso.providers`).
    pub sso: Arc<SsoLogins>,
    pub outbox: Outbox,
    pub sessions: SessionPolicy,
    pub access_tokens: AccessTokens,
    pub devices: DeviceCookies,
    pub verified_tokens: VerifiedTokens,
}

impl AppState {
    /// What `req` says about its client, read under this deployment's
    /// trusted proxies and public URL.
    pub fn client<'a>(&'a self, req: &'a HttpRequest) -> Client<'a> {
        Client::new(
            req,
            &self.settings.trusted_proxies,
            self.settings.forwarded_headers,
            self.settings.public_https(),
        )
    }

    /// The client's address as the audit trail writes it (`unknown` when
    /// there is none).
    pub fn address_of(&self, req: &HttpRequest) -> String {
        self.client(req)
            .address()
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}
