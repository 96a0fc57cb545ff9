//! Who is using the app: the tenant of this address and the signed-in
//! account, as signals every screen reads, and the few actions that change
//! them (restore on start, log in, log out).

use crate::api::{ApiClient, ApiError};
use crate::router::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::{Me, TenantInfo};
use shared::ProblemCode;

/// What the app knows about the tenant of this address.
#[derive(Debug, Clone, PartialEq)]
pub enum TenantState {
    Loading,
    Ready(TenantInfo),
    /// The server says this address belongs to no tenant.
    Unknown,
    /// The server could not be reached or answered something unexpected.
    Unavailable,
}

/// Whether someone is signed in.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthState {
    /// Restoring the session from the refresh cookie after a (re)load.
    Checking,
    SignedOut,
    /// Boxed: the account is far larger than the other states.
    SignedIn(Box<Me>),
}

/// The app-wide state, shared through context; copying it is cheap.
#[derive(Clone, Copy)]
pub struct Session {
    pub tenant: RwSignal<TenantState>,
    pub auth: RwSignal<AuthState>,
    /// The facility last opened, for the header's facility switcher.
    pub selected_facility: RwSignal<Option<String>>,
    /// Set when the server ended the session, so the login screen can say so.
    pub expired: RwSignal<bool>,
    /// The signed-in page asked for when nobody was signed in (a bookmark,
    /// an expired session): where a sign-in lands instead of home.
    pub return_to: RwSignal<Option<String>>,
    api: ApiClient,
}

impl Session {
    /// Creates the session, provides it to every component below, and starts
    /// loading the tenant and restoring a previous sign-in.
    pub fn provide() -> Self {
        let auth = RwSignal::new(AuthState::Checking);
        crate::i18n::provide_locale(auth);
        let selected_facility = RwSignal::new(None);
        let expired = RwSignal::new(false);
        let return_to = RwSignal::new(None);
        let api = ApiClient::new(move || {
            if matches!(auth.try_get_untracked(), Some(AuthState::SignedIn(_))) {
                let _ = expired.try_set(true);
                let _ = return_to.try_set(page_asked_for());
            }
            let _ = selected_facility.try_set(None);
            let _ = auth.try_set(AuthState::SignedOut);
        });
        let session = Self {
            tenant: RwSignal::new(TenantState::Loading),
            auth,
            selected_facility,
            expired,
            return_to,
            api,
        };
        provide_context(session);
        spawn_local(session.start());
        session
    }

    async fn start(self) {
        let tenant = match self.api.tenant().await {
            Ok(tenant) => TenantState::Ready(tenant),
            Err(error) if error.code() == Some(ProblemCode::UnknownTenant) => TenantState::Unknown,
            Err(_) => TenantState::Unavailable,
        };
        let ready = matches!(tenant, TenantState::Ready(_));
        self.tenant.set(tenant);
        if !ready {
            return;
        }
        let auth = match self.api.refresh().await {
            Ok(_) => match self.api.me().await {
                Ok(me) => AuthState::SignedIn(Box::new(me)),
                Err(_) => AuthState::SignedOut,
            },
            Err(_) => AuthState::SignedOut,
        };
        if auth == AuthState::SignedOut {
            let _ = self.return_to.try_set(page_asked_for());
        }
        let _ = self.auth.try_set(auth);
    }

    /// Where a sign-in lands: the page asked for before, else home. Taken
    /// once.
    pub fn landing(&self) -> String {
        self.return_to
            .try_update(Option::take)
            .flatten()
            .unwrap_or_else(|| "/".to_owned())
    }

    /// The tenant's display name, or an empty string before it is known.
    pub fn tenant_name(&self) -> String {
        self.tenant.with(|tenant| match tenant {
            TenantState::Ready(info) => info.display_name.clone(),
            _ => String::new(),
        })
    }

    /// The signed-in account, if any.
    pub fn me(&self) -> Option<Me> {
        self.auth.with(|auth| match auth {
            AuthState::SignedIn(me) => Some(Me::clone(me)),
            _ => None,
        })
    }

    /// The app's HTTP client, for the calls that need no signed-in account
    /// (the password reset pages).
    pub fn api(&self) -> ApiClient {
        self.api
    }

    /// Logs in with a password and loads the account.
    pub async fn log_in(&self, username: String, password: String) -> Result<(), ApiError> {
        self.api.login(username, password).await?;
        match self.api.me().await {
            Ok(me) => {
                let _ = self.expired.try_set(false);
                let _ = self.auth.try_set(AuthState::SignedIn(Box::new(me)));
                Ok(())
            }
            Err(error) => {
                self.api.forget_session();
                Err(error)
            }
        }
    }

    /// Ends the session on the server and forgets everything held in memory.
    /// The signed-in routes then send the browser to the login screen.
    pub async fn log_out(&self) {
        self.api.logout().await;
        let _ = self.selected_facility.try_set(None);
        let _ = self.expired.try_set(false);
        let _ = self.auth.try_set(AuthState::SignedOut);
    }
}

/// The address's path if it names a signed-in page other than home.
fn page_asked_for() -> Option<String> {
    let path = window().location().pathname().ok()?;
    let page = Page::from_path(&path);
    (!page.is_public() && !matches!(page, Page::Home | Page::Unknown)).then_some(path)
}

/// The session provided by the app root.
pub fn use_session() -> Session {
    // `App` provides the session before it renders anything that calls this.
    expect_context::<Session>()
}
