//! Signing in with a username and password: the attempt, the throttle, the
//! password check, the session and the audit trail, in that order.
//!
//! Every failure (unknown username, wrong password, a waiting throttle key)
//! gets the same answer. An unknown username costs the same hash as a known
//! one (a dummy), so the time tells nothing either; an attempt whose key is
//! waiting gets its answer without a hash, which tells only that this
//! username or address is being slowed, whether the account exists or not.
//! Only the right password of an inactive account learns that it is
//! inactive.
//!
//! The attempt runs as one job on a hashing thread, from its first read to
//! its last write, rather than crossing between thread pools for each step
//! (docs/decisions/0001).

use crate::auth::device_cookie::DeviceCookies;
use crate::auth::password::{HashError, PasswordHasher};
use crate::auth::secret_token::SecretToken;
use crate::auth::session_tokens::SessionPolicy;
use crate::auth::throttle::{AttemptKeys, Scope, Throttle, Verdict};
use crate::db::{Database, DbConnection, DbError};
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::Session;
use crate::model::user::User;
use chrono::NaiveDateTime;
use secrecy::SecretString;
use shared::username::Username;
use std::net::IpAddr;
use std::sync::Arc;

/// What the sign-in needs, and nothing more.
pub struct SignInService {
    pub db: Database,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
    pub devices: DeviceCookies,
    pub sessions: SessionPolicy,
}

/// One sign-in attempt, as the client made it.
pub struct Attempt {
    pub tenant_id: String,
    pub username: Username,
    pub password: SecretString,
    pub address: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The browser's device cookie, if it sent one.
    pub device_cookie: Option<String>,
}

pub enum Outcome {
    /// Wrong password, unknown username, or a waiting throttle key.
    Refused,
    /// The right password of an inactive account.
    Inactive,
    SignedIn(Box<SignedIn>),
}

/// What a successful attempt opened.
pub struct SignedIn {
    pub user: User,
    pub facilities: Vec<Facility>,
    pub session: Session,
    pub refresh_token: SecretToken,
    pub refresh_expires_at: NaiveDateTime,
    /// The browser's device cookie from now on.
    pub device_cookie: String,
    pub now: NaiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Every hashing thread is busy and the queue is full: try later.
    #[error("the sign-in queue is full")]
    Busy,
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("password hashing: {0}")]
    Hashing(HashError),
}

impl From<diesel::result::Error> for SignInError {
    fn from(error: diesel::result::Error) -> Self {
        SignInError::Database(error.into())
    }
}

impl SignInService {
    /// Checks `attempt` on a hashing thread and writes what follows from it.
    pub async fn sign_in(self: &Arc<Self>, attempt: Attempt) -> Result<Outcome, SignInError> {
        let service = Arc::clone(self);
        self.hasher
            .run(move |hasher| service.attempt(hasher, attempt))
            .await
            .map_err(|e| match e {
                HashError::Busy => SignInError::Busy,
                other => SignInError::Hashing(other),
            })?
    }

    /// The attempt itself, on a hashing thread. The connection is held for
    /// each database step, never across the hash.
    fn attempt(&self, hasher: &PasswordHasher, attempt: Attempt) -> Result<Outcome, SignInError> {
        let now = crate::model::now();
        let tenant_id = attempt.tenant_id.as_str();
        let username = attempt.username.as_str();
        let address = attempt
            .address
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let scope = attempt
            .address
            .map_or_else(|| "unknown".to_owned(), crate::net::throttle_scope);
        let device = attempt
            .device_cookie
            .as_deref()
            .and_then(|cookie| self.devices.recognise(cookie, tenant_id, username, now));
        let keys = AttemptKeys::new(username, &scope, device.as_deref());

        let (user, verdict) = self.db.read_blocking(|conn| {
            let user = User::find_by_username(conn, tenant_id, username)?;
            let verdict = self.throttle.check(conn, tenant_id, &keys, now)?;
            Ok((user, verdict))
        })?;
        if verdict.waiting.is_some() {
            // Counted nowhere and not hashed: knocking during a wait
            // neither stretches it nor costs the server a hash.
            return Ok(Outcome::Refused);
        }

        let stored_hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let password_ok = hasher.verify_blocking(stored_hash, &attempt.password);
        match user {
            Some(user) if password_ok => {
                if !user.is_active() {
                    self.db.write_blocking(|conn| {
                        audited(
                            conn,
                            tenant_id,
                            audit::LOGIN_INACTIVE,
                            Some(&user),
                            &address,
                        )
                    })?;
                    return Ok(Outcome::Inactive);
                }
                self.open_session(user, attempt, &keys, verdict, &address, now)
            }
            _ => {
                self.db.write_blocking(|conn| {
                    let started = self.throttle.record_failure(conn, tenant_id, &keys, now)?;
                    let kind = if started.is_empty() {
                        audit::LOGIN_FAILED
                    } else {
                        audit::LOGIN_THROTTLED
                    };
                    let mut event = AuditEvent::new(tenant_id, kind)
                        .user(None, Some(username))
                        .from_address(&address);
                    if !started.is_empty() {
                        event = event.detail(&describe(&started));
                    }
                    Ok(event.record(conn)?)
                })?;
                Ok(Outcome::Refused)
            }
        }
    }

    /// Opens the session with its first refresh token, notes the sign-in on
    /// the account, clears this browser's count and records the sign-in in
    /// the audit trail, in one transaction that
    /// first checks the account is still active (it may have been
    /// deactivated while the password was being checked).
    fn open_session(
        &self,
        user: User,
        attempt: Attempt,
        keys: &AttemptKeys,
        verdict: Verdict,
        address: &str,
        now: NaiveDateTime,
    ) -> Result<Outcome, SignInError> {
        let tenant_id = attempt.tenant_id.as_str();
        let opened = self.db.write_blocking(|conn| {
            let still_active = User::find_for_update(conn, tenant_id, &user.id)?
                .is_some_and(|now_stored| now_stored.is_active());
            if !still_active {
                return Ok(None);
            }
            let opened =
                self.sessions
                    .open(conn, &user, attempt.user_agent.clone(), address, now)?;
            self.throttle
                .record_success(conn, tenant_id, keys, verdict)?;
            audited(
                conn,
                tenant_id,
                audit::LOGIN_SUCCEEDED,
                Some(&user),
                address,
            )?;
            let facilities = if user.role().is_network_wide() {
                Vec::new()
            } else {
                Facility::of_user(conn, tenant_id, &user.id)?
            };
            Ok(Some((opened, facilities)))
        })?;
        let Some((opened, facilities)) = opened else {
            return Ok(Outcome::Inactive);
        };
        let device_cookie = self.devices.after_sign_in(
            attempt.device_cookie.as_deref(),
            tenant_id,
            &user.username,
            now,
        );
        Ok(Outcome::SignedIn(Box::new(SignedIn {
            refresh_expires_at: opened.refresh_expires_at,
            user,
            facilities,
            session: opened.session,
            refresh_token: opened.refresh_token,
            device_cookie,
            now,
        })))
    }
}

fn audited(
    conn: &mut DbConnection,
    tenant_id: &str,
    kind: &str,
    user: Option<&User>,
    address: &str,
) -> Result<(), DbError> {
    AuditEvent::new(tenant_id, kind)
        .user(
            user.map(|u| u.id.as_str()),
            user.map(|u| u.username.as_str()),
        )
        .from_address(address)
        .record(conn)?;
    Ok(())
}

/// Which keys began to wait, for the audit trail.
fn describe(scopes: &[Scope]) -> String {
    let names: Vec<&str> = scopes
        .iter()
        .map(|scope| match scope {
            Scope::Device => "browser",
            Scope::AccountFromAddress => "account from address",
            Scope::Address => "address",
            Scope::Account => "account from unknown browsers",
        })
        .collect();
    format!("now waiting: {}", names.join(", "))
}
