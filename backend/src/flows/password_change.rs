//! Changing one's own password in Account settings: the current password,
//! then the new one under the shared policy. Wrong current passwords count
//! under the same keys as failed sign-ins (someone holding a stolen session
//! must not get unlimited guesses), and a key that waits refuses without a
//! check. Success sets the password in one transaction that keeps the
//! session that asked, revokes every other, ends the account's reset links
//! and queues the notice mail.

use crate::auth::device_cookie::DeviceCookies;
use crate::auth::password::{HashError, PasswordHasher};
use crate::auth::throttle::{AttemptKeys, Throttle};
use crate::db::{Database, DbError};
use crate::flows::password_changed_notice;
use crate::mail::kind;
use crate::mail::outbox::Outbox;
use crate::mail::templates::Change;
use crate::model::audit::{self, AuditEvent};
use crate::model::session::Session;
use crate::model::tenant::Tenant;
use crate::model::user::User;
use secrecy::{ExposeSecret, SecretString};
use shared::password_policy::{PasswordPolicy, PasswordProblem};
use shared::SignInMethod;
use std::net::IpAddr;
use std::sync::Arc;

pub struct PasswordChanges {
    pub db: Database,
    pub hasher: PasswordHasher,
    pub throttle: Throttle,
    pub devices: DeviceCookies,
    pub outbox: Outbox,
}

/// One change, as the signed-in owner asked for it.
pub struct ChangeRequest {
    pub tenant: Tenant,
    pub user: User,
    /// The session that asked: it stays signed in.
    pub session_id: String,
    pub current_password: SecretString,
    pub new_password: SecretString,
    pub address: Option<IpAddr>,
    pub device_cookie: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("the account signs in through single sign-on")]
    SsoAccount,
    #[error("the new password breaks the policy")]
    Policy(Vec<PasswordProblem>),
    #[error("the new password is the current one")]
    SameAsCurrent,
    #[error("the current password is wrong")]
    WrongCurrent,
    #[error("too many wrong passwords: waiting")]
    Waiting,
    #[error("the hashing queue is full")]
    Busy,
    #[error("password hashing: {0}")]
    Hashing(HashError),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl PasswordChanges {
    /// Checks and makes the change; how many other sessions it ended.
    pub async fn change(self: &Arc<Self>, request: ChangeRequest) -> Result<usize, ChangeError> {
        if request.user.sign_in_method() != SignInMethod::Password {
            return Err(ChangeError::SsoAccount);
        }
        let min_length = usize::try_from(request.tenant.password_min_length)
            .unwrap_or(shared::password_policy::DEFAULT_MIN_LENGTH);
        let problems = PasswordPolicy::with_min_length(min_length)
            .check(request.new_password.expose_secret(), &request.user.username);
        if !problems.is_empty() {
            return Err(ChangeError::Policy(problems));
        }
        if request.new_password.expose_secret() == request.current_password.expose_secret() {
            return Err(ChangeError::SameAsCurrent);
        }
        let this = Arc::clone(self);
        let revoked = self
            .hasher
            .run(move |hasher| this.on_hashing_thread(hasher, request))
            .await
            .map_err(|e| match e {
                HashError::Busy => ChangeError::Busy,
                other => ChangeError::Hashing(other),
            })??;
        self.outbox.wake();
        Ok(revoked)
    }

    fn on_hashing_thread(
        &self,
        hasher: &PasswordHasher,
        request: ChangeRequest,
    ) -> Result<usize, ChangeError> {
        let now = crate::model::now();
        let ChangeRequest {
            tenant,
            user,
            session_id,
            current_password,
            new_password,
            address,
            device_cookie,
        } = request;
        let tenant_id = tenant.id.as_str();
        let shown_address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let scope = address.map_or_else(|| "unknown".to_owned(), crate::net::throttle_scope);
        let device = device_cookie.as_deref().and_then(|cookie| {
            self.devices
                .recognise(cookie, tenant_id, &user.username, now)
        });
        let keys = AttemptKeys::new(&user.username, &scope, device.as_deref());

        let verdict = self
            .db
            .read_blocking(|conn| Ok(self.throttle.check(conn, tenant_id, &keys, now)?))?;
        if verdict.waiting.is_some() {
            return Err(ChangeError::Waiting);
        }
        if !hasher.verify_blocking(user.password_hash.as_deref(), &current_password) {
            self.db.write_blocking(|conn| {
                self.throttle.record_failure(conn, tenant_id, &keys, now)?;
                AuditEvent::new(tenant_id, audit::PASSWORD_CHANGE_FAILED)
                    .user(Some(&user.id), Some(&user.username))
                    .from_address(&shown_address)
                    .detail("wrong current password")
                    .record(conn)?;
                Ok(())
            })?;
            return Err(ChangeError::WrongCurrent);
        }
        let password_hash = hasher
            .hash_blocking(&new_password)
            .map_err(ChangeError::Hashing)?;
        let revoked = self.db.write_blocking(|conn| {
            User::set_password(conn, tenant_id, &user.id, &password_hash, false, now)?;
            let revoked = Session::revoke_of_user_except(
                conn,
                tenant_id,
                &user.id,
                Some(&session_id),
                "password_changed",
                now,
            )?;
            self.throttle
                .record_success(conn, tenant_id, &keys, verdict)?;
            AuditEvent::new(tenant_id, audit::PASSWORD_CHANGED)
                .user(Some(&user.id), Some(&user.username))
                .from_address(&shown_address)
                .detail(&format!("{revoked} other sessions revoked"))
                .record(conn)?;
            if let Some(mail) =
                password_changed_notice(&user, &tenant.display_name, now, Change::ByOwner)
            {
                self.outbox
                    .put(conn, tenant_id, kind::PASSWORD_CHANGED, &mail, now)?;
            }
            Ok(revoked)
        })?;
        Ok(revoked)
    }
}
