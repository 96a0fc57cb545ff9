//! Opening sessions and minting the token pair for them: the access JWT and
//! the rotating refresh token. Login and refresh both end here.

use crate::auth::jwt::{self, AccessClaims};
use crate::auth::secret_token::SecretToken;
use crate::error::ApiError;
use crate::model::facility::Facility;
use crate::model::session::{RefreshToken, Session};
use crate::model::user::User;
use crate::state::AppState;
use chrono::{NaiveDateTime, TimeDelta};
use shared::api::TokenResponse;

fn delta(duration: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// A token pair, before it is split between body and cookie.
pub struct IssuedTokens {
    pub response: TokenResponse,
    pub refresh_token: String,
    pub refresh_max_age: std::time::Duration,
}

/// A new refresh token for `session`, expiring with the idle timeout but
/// never after the session itself.
pub fn next_refresh_token(
    state: &AppState,
    session: &Session,
    now: NaiveDateTime,
) -> (SecretToken, RefreshToken) {
    let secret = SecretToken::generate();
    let expires_at = (now + delta(state.settings.refresh_token_ttl)).min(session.expires_at);
    let row = RefreshToken {
        token_hash: secret.hash.clone(),
        tenant_id: session.tenant_id.clone(),
        session_id: session.id.clone(),
        created_at: now,
        expires_at,
        used_at: None,
    };
    (secret, row)
}

/// A new session row for `user` (not yet stored).
pub fn new_session(
    state: &AppState,
    user: &User,
    user_agent: Option<String>,
    address: &str,
    now: NaiveDateTime,
) -> Session {
    Session {
        id: crate::model::new_id(),
        tenant_id: user.tenant_id.clone(),
        user_id: user.id.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + delta(state.settings.session_max_age),
        user_agent,
        client_address: Some(address.to_owned()),
        revoked_at: None,
        revoked_reason: None,
    }
}

/// Signs the access token for `user` in `session` and pairs it with
/// `refresh`.
pub fn issue(
    state: &AppState,
    user: &User,
    facilities: &[Facility],
    session: &Session,
    refresh: (SecretToken, RefreshToken),
    now: NaiveDateTime,
) -> Result<IssuedTokens, ApiError> {
    let ttl = state.settings.access_token_ttl;
    let iat = now.and_utc().timestamp();
    let role = user.role();
    let claims = AccessClaims {
        sub: user.id.clone(),
        tenant: user.tenant_id.clone(),
        sid: session.id.clone(),
        role,
        facilities: if role.is_network_wide() {
            Vec::new()
        } else {
            facilities.iter().map(|f| f.id.clone()).collect()
        },
        locale: user.locale.clone(),
        iss: state.settings.token_issuer.clone(),
        aud: state.settings.token_audience.clone(),
        iat,
        exp: iat.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)),
    };
    let access_token =
        jwt::sign(&state.keys, &claims).map_err(|e| ApiError::unexpected(e, "signing a token"))?;
    let (secret, row) = refresh;
    let refresh_max_age = (row.expires_at - now).to_std().unwrap_or_default();
    Ok(IssuedTokens {
        response: TokenResponse {
            access_token,
            token_type: "Bearer".to_owned(),
            expires_in: ttl.as_secs(),
            refresh_token: None,
            refresh_expires_in: refresh_max_age.as_secs(),
            session_id: session.id.clone(),
        },
        refresh_token: secret.plaintext,
        refresh_max_age,
    })
}
