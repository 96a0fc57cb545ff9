//! Resetting a forgotten password by an emailed link.
//!
//! A request only counts itself (per account and per client address) and
//! queues the username; the background worker later looks the account up
//! and, if it can reset (active, signs in with a password, has an email
//! address), writes a token and its mail to the outbox in one transaction.
//! So the answer to a request is the same and costs the same whatever the
//! account, and never waits for a mail server.
//!
//! The per-account limit counts within one token lifetime: while it holds,
//! the last link mailed is still valid, so strangers who ask for links in
//! someone's name can neither flood the mailbox nor keep its owner from
//! resetting.
//!
//! Looking at a link does not spend it (mail scanners open links); setting
//! the password does, in the transaction that changes the password, revokes
//! every session, clears the account's waits and queues the notice.

use crate::auth::device_cookie::DeviceCookies;
use crate::auth::password::{HashError, PasswordHasher};
use crate::auth::secret_token::{hash_token, SecretToken};
use crate::auth::throttle::Throttle;
use crate::db::{Database, DbConnection, DbError};
use crate::flows::password_changed_notice;
use crate::mail::kind;
use crate::mail::outbox::Outbox;
use crate::mail::templates::{self, Change, Recipient};
use crate::model::audit::{self, AuditEvent};
use crate::model::login_throttle::LoginThrottle;
use crate::model::password_reset::{PasswordResetRequest, PasswordResetToken, TokenState};
use crate::model::session::Session;
use crate::model::tenant::Tenant;
use crate::model::user::User;
use crate::settings::{PublicUrl, ResetSettings};
use chrono::{NaiveDateTime, TimeDelta};
use secrecy::{ExposeSecret, SecretString};
use shared::password_policy::{PasswordPolicy, PasswordProblem};
use shared::username::Username;
use shared::SignInMethod;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Requests the worker takes per pass.
const BATCH: i64 = 50;

pub struct PasswordResets {
    pub db: Database,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
    pub devices: DeviceCookies,
    pub outbox: Outbox,
    pub settings: ResetSettings,
    /// Where links point: `BACKOFFICE_PUBLIC_URL`, never a request's Host.
    pub links: PublicUrl,
    /// Wakes this process's request loop (`background::reset_requests`).
    pub wake: Arc<Notify>,
}

/// What one pass over the waiting requests did.
pub struct Progress {
    /// The pass took a full batch: there may be more waiting.
    pub full: bool,
    /// Mails it put in the outbox.
    pub mailed: usize,
}

/// Why a link cannot set a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Malformed, never issued here, or its account can no longer reset.
    Invalid,
    Expired,
    Used,
    Replaced,
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("the link cannot be used: {0:?}")]
    Link(LinkProblem),
    #[error("the new password breaks the policy")]
    Policy(Vec<PasswordProblem>),
    #[error("the hashing queue is full")]
    Busy,
    #[error("password hashing: {0}")]
    Hashing(HashError),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// A usable link: whose it is, and the policy its password must meet.
pub struct UsableLink {
    pub username: String,
    pub password_min_length: usize,
    /// `reset` or `invitation`.
    pub purpose: String,
}

/// A completed reset.
pub struct Completed {
    /// The browser's device cookie from now on: the reset counts as a
    /// sign-in from it.
    pub device_cookie: String,
}

impl PasswordResets {
    /// Counts the request and queues it if it is within the limits. The
    /// caller answers the same whatever happens here.
    pub async fn request(
        &self,
        tenant_id: String,
        username: Username,
        address: Option<IpAddr>,
    ) -> Result<(), DbError> {
        let now = crate::model::now();
        let window_start = now - delta(self.settings.token_ttl);
        let (account_limit, address_limit) = (
            i32::try_from(self.settings.account_limit).unwrap_or(i32::MAX),
            i32::try_from(self.settings.address_limit).unwrap_or(i32::MAX),
        );
        let shown_address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let scope = address.map_or_else(|| "unknown".to_owned(), crate::net::throttle_scope);
        self.db
            .write(move |conn| {
                let username = username.as_str();
                let by_account = LoginThrottle::count_failure(
                    conn,
                    &tenant_id,
                    &format!("reset-account:{username}"),
                    Some(username),
                    now,
                    window_start,
                )?;
                let by_address = LoginThrottle::count_failure(
                    conn,
                    &tenant_id,
                    &format!("reset-address:{scope}"),
                    None,
                    now,
                    window_start,
                )?;
                if by_account.failures > account_limit || by_address.failures > address_limit {
                    let which = if by_account.failures > account_limit {
                        "account"
                    } else {
                        "address"
                    };
                    AuditEvent::new(&tenant_id, audit::PASSWORD_RESET_LIMITED)
                        .user(None, Some(username))
                        .from_address(&shown_address)
                        .detail(&format!("limit reached for this {which}; no mail"))
                        .record(conn)?;
                    return Ok(());
                }
                PasswordResetRequest {
                    id: crate::model::new_id(),
                    tenant_id: tenant_id.clone(),
                    username: username.to_owned(),
                    client_address: Some(shown_address),
                    requested_at: now,
                }
                .insert(conn)?;
                Ok(())
            })
            .await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Waits until a request arrives here or `at_most` has passed.
    pub async fn sleep(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.wake.notified()).await;
    }

    /// The worker's part: turns waiting requests (one batch) into tokens
    /// and mail.
    pub async fn process_requests(&self) -> Result<Progress, DbError> {
        let waiting = self
            .db
            .read(|conn| Ok(PasswordResetRequest::oldest(conn, BATCH)?))
            .await?;
        let full = waiting.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
        let mut mailed = 0;
        for request in waiting {
            let token = SecretToken::generate();
            let this = self.handle_fields();
            let queued = self
                .db
                .write(move |conn| this.handle(conn, &request, &token))
                .await?;
            mailed += usize::from(queued);
        }
        Ok(Progress { full, mailed })
    }

    fn handle_fields(&self) -> Handler {
        Handler {
            outbox: self.outbox.clone(),
            links: self.links.clone(),
            token_ttl: self.settings.token_ttl,
        }
    }

    /// Whether `token` can still set a password, and for whom.
    pub async fn verify(&self, tenant: &Tenant, token: &str) -> Result<UsableLink, ResetError> {
        let token_hash = well_formed(token)?;
        let tenant_id = tenant.id.clone();
        let (token, user) = self
            .db
            .read(move |conn| usable(conn, &tenant_id, &token_hash, crate::model::now()))
            .await?
            .map_err(ResetError::Link)?;
        Ok(UsableLink {
            username: user.username,
            password_min_length: min_length(tenant),
            purpose: token.purpose,
        })
    }

    /// Sets the new password with `token`.
    pub async fn confirm(
        &self,
        tenant: &Tenant,
        token: &str,
        new_password: SecretString,
        device_cookie: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<Completed, ResetError> {
        let token_hash = well_formed(token)?;
        let (tenant_id, lookup_hash) = (tenant.id.clone(), token_hash.clone());
        let (_, user) = self
            .db
            .read(move |conn| usable(conn, &tenant_id, &lookup_hash, crate::model::now()))
            .await?
            .map_err(ResetError::Link)?;
        let problems = PasswordPolicy::with_min_length(min_length(tenant))
            .check(new_password.expose_secret(), &user.username);
        if !problems.is_empty() {
            return Err(ResetError::Policy(problems));
        }
        let password_hash = self
            .hasher
            .run(move |hasher| hasher.hash_blocking(&new_password))
            .await
            .and_then(|hashed| hashed)
            .map_err(|e| match e {
                HashError::Busy => ResetError::Busy,
                other => ResetError::Hashing(other),
            })?;

        let now = crate::model::now();
        let (tenant_id, tenant_name) = (tenant.id.clone(), tenant.display_name.clone());
        let (throttle, outbox) = (self.throttle.clone(), self.outbox.clone());
        let shown_address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let username = user.username.clone();
        self.db
            .write(move |conn| {
                if !PasswordResetToken::spend(conn, &tenant_id, &token_hash, now)? {
                    // Spent, replaced or expired since it was read.
                    let problem = usable(conn, &tenant_id, &token_hash, now)?
                        .err()
                        .unwrap_or(LinkProblem::Invalid);
                    return Ok(Err(problem));
                }
                let user = match User::find(conn, &tenant_id, &user.id)? {
                    Some(user) if can_reset(&user) => user,
                    _ => return Ok(Err(LinkProblem::Invalid)),
                };
                User::set_password(conn, &tenant_id, &user.id, &password_hash, false, now)?;
                let revoked =
                    Session::revoke_all_of_user(conn, &tenant_id, &user.id, "password_reset", now)?;
                throttle.unlock(conn, &tenant_id, &user.username)?;
                AuditEvent::new(&tenant_id, audit::PASSWORD_RESET_COMPLETED)
                    .user(Some(&user.id), Some(&user.username))
                    .from_address(&shown_address)
                    .detail(&format!("{revoked} sessions revoked"))
                    .record(conn)?;
                if let Some(mail) = password_changed_notice(&user, &tenant_name, now, Change::Reset)
                {
                    outbox.put(conn, &tenant_id, kind::PASSWORD_CHANGED, &mail, now)?;
                }
                Ok(Ok(()))
            })
            .await?
            .map_err(ResetError::Link)?;
        self.outbox.wake();
        Ok(Completed {
            device_cookie: self
                .devices
                .after_sign_in(device_cookie, &tenant.id, &username, now),
        })
    }
}

/// What handling one request needs, owned, for the database thread.
struct Handler {
    outbox: Outbox,
    links: PublicUrl,
    token_ttl: Duration,
}

impl Handler {
    /// Handles one request in the caller's transaction: takes it off the
    /// queue (or finds another replica did), and if the account can reset,
    /// stores `token` and queues its mail. Whether a mail was queued.
    fn handle(
        &self,
        conn: &mut DbConnection,
        request: &PasswordResetRequest,
        token: &SecretToken,
    ) -> Result<bool, DbError> {
        let tenant_id = request.tenant_id.as_str();
        if !PasswordResetRequest::take(conn, tenant_id, &request.id)? {
            return Ok(false);
        }
        let now = crate::model::now();
        let user = User::find_by_username(conn, tenant_id, &request.username)?;
        let tenant = Tenant::find(conn, tenant_id)?;
        let event = AuditEvent::new(tenant_id, audit::PASSWORD_RESET_REQUESTED)
            .from_address(request.client_address.as_deref().unwrap_or("unknown"));
        let (user, tenant, address) = match (user, tenant) {
            (Some(user), Some(tenant)) if can_reset(&user) => match user.email.clone() {
                Some(address) if !address.trim().is_empty() => (user, tenant, address),
                _ => {
                    return no_mail(
                        conn,
                        event,
                        Some(&user),
                        &request.username,
                        "no email address",
                    )
                }
            },
            (Some(user), _) => {
                let why = if user.is_active() {
                    "signs in through single sign-on"
                } else {
                    "inactive account"
                };
                return no_mail(conn, event, Some(&user), &request.username, why);
            }
            (None, _) => return no_mail(conn, event, None, &request.username, "no such account"),
        };
        PasswordResetToken {
            token_hash: token.hash.clone(),
            tenant_id: tenant_id.to_owned(),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + delta(self.token_ttl),
            used_at: None,
            replaced_at: None,
            purpose: crate::model::password_reset::RESET.to_owned(),
        }
        .issue(conn)?;
        let link = format!(
            "{}/reset-password#token={}",
            self.links.for_tenant(&tenant.slug),
            token.plaintext
        );
        let name = user.display_name();
        let mail = templates::password_reset(
            &Recipient {
                address: &address,
                name: &name,
                username: &user.username,
                locale: &user.locale,
            },
            &tenant.display_name,
            &link,
            self.token_ttl.as_secs().div_ceil(60),
        );
        self.outbox
            .put(conn, tenant_id, kind::PASSWORD_RESET, &mail, now)?;
        event
            .user(Some(&user.id), Some(&user.username))
            .detail("reset link mailed")
            .record(conn)?;
        Ok(true)
    }
}

fn no_mail(
    conn: &mut DbConnection,
    event: AuditEvent,
    user: Option<&User>,
    username: &str,
    why: &str,
) -> Result<bool, DbError> {
    event
        .user(user.map(|u| u.id.as_str()), Some(username))
        .detail(&format!("no mail: {why}"))
        .record(conn)?;
    Ok(false)
}

/// Whether the account may reset its password by email at all.
fn can_reset(user: &User) -> bool {
    user.is_active() && user.sign_in_method() == SignInMethod::Password
}

/// The stored hash of a token that looks like one this server makes
/// (43 characters of base64url); anything else is invalid without a query.
fn well_formed(token: &str) -> Result<String, ResetError> {
    let looks_right = token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if looks_right {
        Ok(hash_token(token))
    } else {
        Err(ResetError::Link(LinkProblem::Invalid))
    }
}

/// The token and its account if the token can set a password now.
fn usable(
    conn: &mut DbConnection,
    tenant_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Result<(PasswordResetToken, User), LinkProblem>, DbError> {
    let Some(token) = PasswordResetToken::find(conn, tenant_id, token_hash)? else {
        return Ok(Err(LinkProblem::Invalid));
    };
    match token.state(now) {
        TokenState::Usable => {}
        TokenState::Used => return Ok(Err(LinkProblem::Used)),
        TokenState::Replaced => return Ok(Err(LinkProblem::Replaced)),
        TokenState::Expired => return Ok(Err(LinkProblem::Expired)),
    }
    match User::find(conn, tenant_id, &token.user_id)? {
        Some(user) if can_reset(&user) => Ok(Ok((token, user))),
        _ => Ok(Err(LinkProblem::Invalid)),
    }
}

fn min_length(tenant: &Tenant) -> usize {
    usize::try_from(tenant.password_min_length)
        .unwrap_or(shared::password_policy::DEFAULT_MIN_LENGTH)
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}
