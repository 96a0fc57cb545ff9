//! The app's one HTTP client: JSON calls to `/api/v1`, errors parsed into
//! `shared::Problem`, and the access token, which lives only in memory and is
//! refreshed before it expires (and once more when the server refuses it).

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::leptos_dom::helpers::{set_timeout_with_handle, TimeoutHandle};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use shared::api::{
    LoginRequest, Me, PasswordResetConfirm, PasswordResetLink, PasswordResetRequest,
    PasswordResetVerify, TenantInfo, TokenDelivery, TokenResponse,
};
use shared::{Problem, ProblemCode};
use std::time::Duration;
use web_sys::RequestCredentials;

const API_BASE: &str = "/api/v1";

/// How long to wait before trying again when a scheduled refresh could not
/// reach the server.
const REFRESH_RETRY: Duration = Duration::from_secs(30);

/// Why a call failed, in the terms the screens need.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with a problem document (RFC 9457).
    Problem(Problem),
    /// No answer at all: offline, server down, connection reset.
    Network,
    /// An answer the app does not understand (not a problem document, or a
    /// success body of the wrong shape).
    Unexpected { status: u16 },
}

impl ApiError {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(problem) => Some(problem.status),
            ApiError::Unexpected { status } => Some(*status),
            ApiError::Network => None,
        }
    }

    /// The stable problem code, if the server sent one.
    pub fn code(&self) -> Option<ProblemCode> {
        match self {
            ApiError::Problem(problem) => Some(problem.code),
            _ => None,
        }
    }

    fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

type RefreshFlight = Shared<LocalBoxFuture<'static, Result<TokenResponse, ApiError>>>;

/// The client, shared by copy. Its state dies with the reactive owner that
/// created it (the app root), so nothing outlives the page.
#[derive(Clone, Copy)]
pub struct ApiClient {
    access_token: StoredValue<Option<String>>,
    /// The refresh in progress, so that concurrent callers share one request:
    /// refresh tokens rotate, and a second request with the same cookie would
    /// look like a replay and end the session.
    refresh_in_flight: StoredValue<Option<RefreshFlight>, LocalStorage>,
    refresh_timer: StoredValue<Option<TimeoutHandle>>,
    /// Bumped by `forget_session`, so a refresh that answers after logout
    /// does not bring the token back.
    generation: StoredValue<u64>,
    /// Called when the server no longer accepts this session.
    on_session_lost: Callback<()>,
}

impl ApiClient {
    pub fn new(on_session_lost: impl Fn() + Send + Sync + 'static) -> Self {
        Self {
            access_token: StoredValue::new(None),
            refresh_in_flight: StoredValue::new_local(None),
            refresh_timer: StoredValue::new(None),
            generation: StoredValue::new(0),
            on_session_lost: Callback::new(move |()| on_session_lost()),
        }
    }

    /// `GET /tenant`: which tenant this address belongs to.
    pub async fn tenant(&self) -> Result<TenantInfo, ApiError> {
        read_json(send(Request::get(&url("/tenant")).json_accept().build()).await?).await
    }

    /// `POST /auth/login`; the refresh token comes back as a cookie.
    pub async fn login(&self, username: String, password: String) -> Result<(), ApiError> {
        let body = LoginRequest {
            username,
            password,
            token_delivery: TokenDelivery::Cookie,
        };
        let response = send(
            Request::post(&url("/auth/login"))
                .json_accept()
                .json_body(&body),
        )
        .await?;
        let token: TokenResponse = read_json(response).await?;
        self.accept_token(&token);
        Ok(())
    }

    /// `POST /auth/refresh` with the cookie: a new access token, or a 401 when
    /// there is no session. Concurrent callers share one request.
    pub async fn refresh(&self) -> Result<TokenResponse, ApiError> {
        let flight = match self.refresh_in_flight.try_get_value().flatten() {
            Some(flight) => flight,
            None => {
                let client = *self;
                let flight = async move { client.refresh_once().await }
                    .boxed_local()
                    .shared();
                self.refresh_in_flight.set_value(Some(flight.clone()));
                flight
            }
        };
        let result = flight.clone().await;
        let _ = self.refresh_in_flight.try_update_value(|slot| {
            if slot.as_ref().is_some_and(|f| f.ptr_eq(&flight)) {
                *slot = None;
            }
        });
        result
    }

    async fn refresh_once(&self) -> Result<TokenResponse, ApiError> {
        let generation = self.generation.try_get_value();
        let request = Request::post(&url("/auth/refresh"))
            .json_accept()
            .header("Content-Type", "application/json")
            .body("{}");
        let result = match send(request).await {
            Ok(response) => read_json::<TokenResponse>(response).await,
            Err(error) => Err(error),
        };
        match &result {
            Ok(token) if self.generation.try_get_value() == generation => self.accept_token(token),
            Ok(_) => {}
            Err(error) if error.is_unauthorized() => self.clear_token(),
            Err(_) => {}
        }
        result
    }

    /// `GET /me`: the signed-in account.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let response = self
            .authorized(|token| with_bearer(Request::get(&url("/me")), token).build())
            .await?;
        read_json(response).await
    }

    /// `POST /password-resets`: ask for a reset link by email. The answer is
    /// the same whether or not the account exists; its body
    /// (`PasswordResetAccepted`) is not read, as the page words the news.
    pub async fn request_password_reset(&self, username: String) -> Result<(), ApiError> {
        let body = PasswordResetRequest { username };
        let request = Request::post(&url("/password-resets"))
            .json_accept()
            .json_body(&body);
        send(request).await.map(|_| ())
    }

    /// `POST /password-resets/verify`: whether a reset link can still be
    /// used, and the policy its new password must meet. Does not use it up.
    pub async fn verify_password_reset(
        &self,
        token: String,
    ) -> Result<PasswordResetLink, ApiError> {
        let body = PasswordResetVerify { token };
        let request = Request::post(&url("/password-resets/verify"))
            .json_accept()
            .json_body(&body);
        read_json(send(request).await?).await
    }

    /// `POST /password-resets/confirm`: sets the new password (204), which
    /// uses the link up.
    pub async fn confirm_password_reset(
        &self,
        token: String,
        new_password: String,
    ) -> Result<(), ApiError> {
        let body = PasswordResetConfirm {
            token,
            new_password,
        };
        let request = Request::post(&url("/password-resets/confirm"))
            .json_accept()
            .json_body(&body);
        send(request).await.map(|_| ())
    }

    /// `POST /auth/logout`, then forget the session here whatever the
    /// answer. It always reaches the server: with no access token in
    /// memory (a reload, an expired token) the refresh cookie names the
    /// session, so it still ends there and not only in this tab.
    pub async fn logout(&self) {
        let token = self.access_token.try_get_value().flatten();
        let _ = send(
            with_bearer(Request::post(&url("/auth/logout")), token.as_deref())
                .header("Content-Type", "application/json")
                .body("{}"),
        )
        .await;
        self.forget_session();
    }

    /// Drops the token, the scheduled refresh and any refresh in progress.
    pub fn forget_session(&self) {
        let _ = self.generation.try_update_value(|g| *g += 1);
        let _ = self.refresh_in_flight.try_set_value(None);
        self.clear_token();
    }

    /// Sends an authenticated request; on a 401 refreshes once and retries.
    /// If the server still refuses, the session is over.
    async fn authorized<F>(&self, make: F) -> Result<Response, ApiError>
    where
        F: Fn(Option<&str>) -> Result<Request, gloo_net::Error>,
    {
        let token = self.access_token.try_get_value().flatten();
        let first = send(make(token.as_deref())).await;
        let result = match first {
            Err(error) if error.is_unauthorized() => match self.refresh().await {
                Ok(fresh) => send(make(Some(&fresh.access_token))).await,
                Err(refresh_error) if refresh_error.is_unauthorized() => Err(error),
                Err(refresh_error) => Err(refresh_error),
            },
            other => other,
        };
        if matches!(&result, Err(error) if error.is_unauthorized()) {
            self.lose_session();
        }
        result
    }

    fn accept_token(&self, token: &TokenResponse) {
        let _ = self
            .access_token
            .try_set_value(Some(token.access_token.clone()));
        self.schedule_refresh(refresh_delay(token.expires_in));
    }

    fn clear_token(&self) {
        let _ = self.access_token.try_set_value(None);
        if let Some(Some(timer)) = self.refresh_timer.try_get_value() {
            timer.clear();
        }
        let _ = self.refresh_timer.try_set_value(None);
    }

    fn lose_session(&self) {
        self.forget_session();
        let _ = self.on_session_lost.try_run(());
    }

    /// Refreshes the access token shortly before it expires.
    fn schedule_refresh(&self, delay: Duration) {
        if let Some(Some(previous)) = self.refresh_timer.try_get_value() {
            previous.clear();
        }
        let client = *self;
        let timer = set_timeout_with_handle(
            move || {
                let _ = client.refresh_timer.try_set_value(None);
                spawn_local(async move {
                    match client.refresh().await {
                        Ok(_) => {}
                        Err(error) if error.is_unauthorized() => client.lose_session(),
                        // The server may be restarting; the token is still
                        // good for a while, so try again a little later.
                        Err(_) => {
                            if client.access_token.try_get_value().flatten().is_some() {
                                client.schedule_refresh(REFRESH_RETRY);
                            }
                        }
                    }
                });
            },
            delay,
        );
        let _ = self.refresh_timer.try_set_value(timer.ok());
    }
}

/// A minute before expiry, but never in the first half of the token's life.
fn refresh_delay(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in.saturating_sub(60).max(expires_in / 2).max(1))
}

fn url(path: &str) -> String {
    format!("{API_BASE}{path}")
}

trait JsonAccept {
    fn json_accept(self) -> Self;
    fn json_body<T: serde::Serialize>(self, body: &T) -> Result<Request, gloo_net::Error>;
}

impl JsonAccept for RequestBuilder {
    /// Same-origin credentials carry the refresh cookie; the backend answers
    /// JSON or a problem document.
    fn json_accept(self) -> Self {
        self.credentials(RequestCredentials::SameOrigin)
            .header("Accept", "application/json, application/problem+json")
    }

    /// The body as JSON, written by the browser's `JSON.stringify`.
    fn json_body<T: serde::Serialize>(self, body: &T) -> Result<Request, gloo_net::Error> {
        let json = to_json(body).ok_or_else(|| gloo_net::Error::GlooError("body".into()))?;
        self.header("Content-Type", "application/json").body(json)
    }
}

fn with_bearer(builder: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    let builder = builder.json_accept();
    match token {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

/// Sends the request; any status outside 2xx becomes an `ApiError`.
async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let request = request.map_err(|_| ApiError::Unexpected { status: 0 })?;
    let response = request.send().await.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    match parse_json::<Problem>(response).await {
        // The HTTP status is the one that counts, whatever the body claims.
        Some(problem) => Err(ApiError::Problem(Problem { status, ..problem })),
        None => Err(ApiError::Unexpected { status }),
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    parse_json::<T>(response)
        .await
        .ok_or(ApiError::Unexpected { status })
}

/// The body parsed by the browser (`Response.json()`) and mapped onto `T`:
/// no JSON parser in the bundle (decision 0037).
async fn parse_json<T: DeserializeOwned>(response: Response) -> Option<T> {
    let promise = web_sys::Response::from(response).json().ok()?;
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `body` as JSON text, by the browser's `JSON.stringify` (decision 0037).
/// Maps become plain objects, as in any JSON.
fn to_json(body: &impl serde::Serialize) -> Option<String> {
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

// Account settings: the signed-in person's own profile, password and
// sessions (`/me…`), with its own imports so the block stands apart.

use gloo_net::http::Method;
use shared::api::{ChangePassword, SessionInfo, UpdateMe};

impl ApiClient {
    /// `PATCH /me`: names and language; the answer is the account as stored.
    pub async fn update_me(&self, body: &UpdateMe) -> Result<Me, ApiError> {
        read_json(
            self.account_call(Method::PATCH, "/me", to_json(body))
                .await?,
        )
        .await
    }

    /// `POST /me/password` (204). This session stays; the others end.
    pub async fn change_password(&self, body: &ChangePassword) -> Result<(), ApiError> {
        let body = to_json(body);
        self.account_call(Method::POST, "/me/password", body)
            .await
            .map(|_| ())
    }

    /// `GET /me/sessions`: the account's live sessions.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ApiError> {
        read_json(self.account_call(Method::GET, "/me/sessions", None).await?).await
    }

    /// `DELETE /me/sessions/{id}` (204, or 404 once it has ended).
    pub async fn revoke_session(&self, id: &str) -> Result<(), ApiError> {
        let path = format!("/me/sessions/{}", js_sys::encode_uri_component(id));
        self.account_call(Method::DELETE, &path, None)
            .await
            .map(|_| ())
    }

    /// `POST /me/sessions/revoke-others`: ends every session but this one.
    /// The answer's count (`RevokedSessions`) is not read: the list reloads.
    pub async fn revoke_other_sessions(&self) -> Result<(), ApiError> {
        self.account_call(Method::POST, "/me/sessions/revoke-others", None)
            .await
            .map(|_| ())
    }

    /// One authenticated call with an optional JSON body, so that the
    /// account calls share one copy of the retry logic.
    async fn account_call(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<Response, ApiError> {
        let address = url(path);
        self.authorized(|token| {
            let builder = with_bearer(RequestBuilder::new(&address).method(method.clone()), token);
            match &body {
                Some(json) => builder
                    .header("Content-Type", "application/json")
                    .body(json.as_str()),
                None => builder.build(),
            }
        })
        .await
    }
}

// Account administration: the Users screens' calls (`/users…`,
// `/facilities`), for administrators and supervisors.

use shared::admin::{FacilityView, NewUser, Page, SetPassword, UserChanges, UserView};

impl ApiClient {
    /// `GET /users?…`: one page of the accounts within the caller's reach;
    /// `query` is already URL-encoded.
    pub async fn users(&self, query: &str) -> Result<Page<UserView>, ApiError> {
        let path = format!("/users?{query}");
        read_json(self.account_call(Method::GET, &path, None).await?).await
    }

    /// `GET /facilities`: those the caller may assign.
    pub async fn facilities(&self) -> Result<Vec<FacilityView>, ApiError> {
        read_json(self.account_call(Method::GET, "/facilities", None).await?).await
    }

    /// `POST /users`: with an email and no password the account is invited.
    pub async fn create_user(&self, body: &NewUser) -> Result<UserView, ApiError> {
        let body = to_json(body);
        read_json(self.account_call(Method::POST, "/users", body).await?).await
    }

    /// `GET /users/{id}`: the account as stored now.
    pub async fn user(&self, id: &str) -> Result<UserView, ApiError> {
        read_json(
            self.account_call(Method::GET, &user_path(id, ""), None)
                .await?,
        )
        .await
    }

    /// `PATCH /users/{id}` with the version read; a stale one gets 409.
    pub async fn update_user(&self, id: &str, body: &UserChanges) -> Result<UserView, ApiError> {
        let body = to_json(body);
        read_json(
            self.account_call(Method::PATCH, &user_path(id, ""), body)
                .await?,
        )
        .await
    }

    /// One of the actions on an account that answer without a body:
    /// `password` (PUT, a temporary password), `unlock` (POST),
    /// `sessions` (DELETE), `invitation` (POST, sent again).
    pub async fn user_action(
        &self,
        id: &str,
        action: UserAction,
        body: Option<&SetPassword>,
    ) -> Result<(), ApiError> {
        let (method, suffix) = match action {
            UserAction::SetPassword => (Method::PUT, "/password"),
            UserAction::Unlock => (Method::POST, "/unlock"),
            UserAction::SignOutEverywhere => (Method::DELETE, "/sessions"),
            UserAction::Invite => (Method::POST, "/invitation"),
        };
        let body = body.and_then(to_json);
        self.account_call(method, &user_path(id, suffix), body)
            .await
            .map(|_| ())
    }
}

/// What can be done to an account besides editing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    SetPassword,
    Unlock,
    SignOutEverywhere,
    Invite,
}

fn user_path(id: &str, suffix: &str) -> String {
    format!("/users/{}{suffix}", js_sys::encode_uri_component(id))
}

/// A problem document as the server words it, for the screens' unit tests.
#[cfg(test)]
pub fn test_problem(status: u16, code: ProblemCode) -> Problem {
    Problem {
        kind: format!("/problems/{}", code.as_str()),
        title: "Title".to_owned(),
        status,
        detail: None,
        code,
        errors: std::collections::BTreeMap::new(),
        error_codes: std::collections::BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_a_minute_early_but_not_in_the_first_half() {
        assert_eq!(refresh_delay(900), Duration::from_secs(840));
        assert_eq!(refresh_delay(60), Duration::from_secs(30));
        assert_eq!(refresh_delay(0), Duration::from_secs(1));
    }
}
