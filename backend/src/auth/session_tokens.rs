//! Sessions and the tokens that carry them: the session row a sign-in opens,
//! its rotating refresh tokens, and the short-lived access JWT. Sign-in and
//! refresh both end here.

use crate::auth::jwt::{self, AccessClaims, TokenError};
use crate::auth::keys::KeyRing;
use crate::auth::secret_key::SecretKey;
use crate::auth::secret_token::{hash_token, SecretToken};
use crate::db::DbConnection;
use crate::model::facility::Facility;
use crate::model::session::{RefreshToken, Session};
use crate::model::user::User;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// How long sessions live, and what makes their refresh tokens.
#[derive(Clone)]
pub struct SessionPolicy {
    /// A session ends after this long without use.
    pub idle_timeout: Duration,
    /// A session ends this long after it began, used or not.
    pub max_age: Duration,
    /// A spent refresh token presented again this soon gets the successor
    /// it got the first time.
    pub reuse_grace: Duration,
    successors: [u8; 32],
}

impl SessionPolicy {
    pub fn new(
        idle_timeout: Duration,
        max_age: Duration,
        reuse_grace: Duration,
        secret: &SecretKey,
    ) -> Self {
        SessionPolicy {
            idle_timeout,
            max_age,
            reuse_grace,
            successors: secret.derive("refresh-token-successor"),
        }
    }

    /// A new session row for `user` (not yet stored).
    pub fn new_session(
        &self,
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
            expires_at: now + delta(self.max_age),
            user_agent,
            client_address: Some(address.to_owned()),
            revoked_at: None,
            revoked_reason: None,
        }
    }

    /// Opens a session for `user` with its first refresh token and notes
    /// the sign-in on the account, in the caller's transaction: the one way
    /// a sign-in (password or single sign-on) opens a session.
    pub fn open(
        &self,
        conn: &mut DbConnection,
        user: &User,
        user_agent: Option<String>,
        address: &str,
        now: NaiveDateTime,
    ) -> QueryResult<OpenedSession> {
        let session = self.new_session(user, user_agent, address, now);
        let (refresh_token, refresh_row) = self.first_refresh_token(&session, now);
        session.open(conn, &refresh_row)?;
        User::record_sign_in(conn, &user.tenant_id, &user.id, now)?;
        Ok(OpenedSession {
            session,
            refresh_token,
            refresh_expires_at: refresh_row.expires_at,
        })
    }

    /// A session's first refresh token: random.
    pub fn first_refresh_token(
        &self,
        session: &Session,
        now: NaiveDateTime,
    ) -> (SecretToken, RefreshToken) {
        self.refresh_token_row(SecretToken::generate(), session, now)
    }

    /// The token that replaces `presented`: derived from it with a key of
    /// this deployment, so presenting the same token twice (two tabs at
    /// once) yields the same successor, never a second, independent chain,
    /// and nobody without the key can work it out.
    pub fn successor_of(
        &self,
        presented: &str,
        session: &Session,
        now: NaiveDateTime,
    ) -> (SecretToken, RefreshToken) {
        let digest = Sha256::new()
            .chain_update(self.successors)
            .chain_update(presented.as_bytes())
            .finalize();
        let plaintext = URL_SAFE_NO_PAD.encode(digest);
        let hash = hash_token(&plaintext);
        self.refresh_token_row(SecretToken { plaintext, hash }, session, now)
    }

    /// Expires with the idle timeout, never after the session itself.
    fn refresh_token_row(
        &self,
        secret: SecretToken,
        session: &Session,
        now: NaiveDateTime,
    ) -> (SecretToken, RefreshToken) {
        let expires_at = (now + delta(self.idle_timeout)).min(session.expires_at);
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
}

/// A session a sign-in opened, with the refresh token to hand out.
pub struct OpenedSession {
    pub session: Session,
    pub refresh_token: SecretToken,
    pub refresh_expires_at: NaiveDateTime,
}

/// Signs access tokens: who issues them, for whom, for how long.
#[derive(Clone)]
pub struct AccessTokens {
    pub keys: Arc<KeyRing>,
    pub issuer: String,
    pub audience: String,
    pub ttl: Duration,
}

impl AccessTokens {
    /// The access token of `user` in `session`.
    pub fn issue(
        &self,
        user: &User,
        facilities: &[Facility],
        session: &Session,
        now: NaiveDateTime,
    ) -> Result<String, TokenError> {
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
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat,
            exp: iat.saturating_add(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX)),
        };
        jwt::sign(&self.keys, &claims)
    }
}
