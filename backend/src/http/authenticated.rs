//! The `Authenticated` extractor: a valid access token for this tenant whose
//! session is still live. Checking the session row on every request is what
//! lets logout, password changes and deactivation take effect at once.
//! An account whose password was set by someone else (temporary) gets only
//! what choosing its own needs: `AnyAuthenticated` lets it through, and
//! `Authenticated` refuses it with `password_change_required`.

use crate::auth::jwt::{AccessClaims, TokenError};
use crate::db::live_session::SessionLookup;
use crate::db::DbError;
use crate::http::error::ApiError;
use crate::model::session::Session;
use crate::model::tenant::Tenant;
use crate::model::user::User;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

pub struct Authenticated {
    pub tenant: Tenant,
    pub claims: AccessClaims,
    pub session: Session,
    /// The account as stored now (not as the token remembers it).
    pub user: User,
}

/// The bearer token of a request, if it has one.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|token| !token.is_empty())
}

/// Verifies a token's signature and claims, reloading the key ring once if
/// the token names a key this replica has not seen yet.
pub async fn verify_token(state: &AppState, token: &str) -> Result<AccessClaims, ApiError> {
    let settings = &state.settings;
    match state.verified_tokens.verify(
        &state.keys,
        token,
        &settings.token_issuer,
        &settings.token_audience,
    ) {
        Ok(claims) => Ok(claims),
        Err(TokenError::UnknownKey) if state.keys.may_reload_for_unknown_key() => {
            let keys = state.keys.clone();
            // A reload can rotate, which writes.
            state
                .db
                .write(move |conn| {
                    keys.refresh(conn)
                        .map_err(|e| DbError::Task(format!("reloading signing keys: {e:#}")))
                })
                .await?;
            state
                .verified_tokens
                .verify(
                    &state.keys,
                    token,
                    &settings.token_issuer,
                    &settings.token_audience,
                )
                .map_err(|_| ApiError::invalid_token())
        }
        Err(_) => Err(ApiError::invalid_token()),
    }
}

async fn authenticate(
    state: web::Data<AppState>,
    sessions: SessionLookup,
    host: String,
    token: Option<String>,
) -> Result<Authenticated, ApiError> {
    let tenant = crate::http::tenant::resolve(&state, &host).await?;
    let token = token.ok_or_else(ApiError::invalid_token)?;
    let claims = verify_token(&state, &token).await?;
    if claims.tenant != tenant.id {
        return Err(ApiError::invalid_token());
    }
    let (session, user) = sessions
        .find(&tenant.id, &claims.sid, &claims.sub, crate::model::now())
        .await?
        .filter(|(_, user)| user.is_active())
        .ok_or_else(ApiError::invalid_token)?;
    Ok(Authenticated {
        tenant,
        claims,
        session,
        user,
    })
}

/// Authenticated, even an account that must first choose a new password:
/// for the few endpoints that choosing one needs.
pub struct AnyAuthenticated(pub Authenticated);

impl FromRequest for AnyAuthenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, host) = crate::http::tenant::state_and_host(req);
        let token = bearer_token(req);
        let sessions = req.app_data::<SessionLookup>().cloned();
        Box::pin(async move {
            let (state, sessions) = state.zip(sessions).ok_or_else(|| {
                ApiError::unexpected(anyhow::anyhow!("no app state"), "authentication")
            })?;
            authenticate(state, sessions, host, token)
                .await
                .map(AnyAuthenticated)
        })
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let any = AnyAuthenticated::from_request(req, payload);
        Box::pin(async move {
            let AnyAuthenticated(auth) = any.await?;
            if auth.user.must_change_password {
                return Err(ApiError::password_change_required());
            }
            Ok(auth)
        })
    }
}
