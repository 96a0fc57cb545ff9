//! `POST /api/v1/auth/login`: username and password for a session.
//!
//! Every failure (unknown username, wrong password, throttled) gets the same
//! answer after the same work: one argon2 verification (against a dummy hash
//! when there is no account) and one failure count. Only the right password
//! of an inactive account learns that the account is inactive.
//!
//! The attempt runs as one job on a hashing thread, from the first read to
//! the last write; the async handler only parses, signs and answers. Under
//! load, successful sign-ins on one thread share their write
//! (`sign_in_writes`).

use super::sign_in_writes::{self, SignInWrite};
use crate::auth::client;
use crate::auth::password::{PasswordHasher, Reply};
use crate::auth::secret_token::SecretToken;
use crate::auth::session_tokens;
use crate::auth::throttle::AttemptKeys;
use crate::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::{RefreshToken, Session};
use crate::model::user::User;
use crate::state::AppState;
use crate::tenancy::RequestTenant;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use secrecy::SecretString;
use shared::api::{LoginRequest, TokenDelivery};
use shared::password_policy::MAX_LENGTH;
use shared::username::Username;

/// A sign-in as it travels to a hashing thread.
struct Attempt {
    tenant_id: String,
    username: String,
    password: SecretString,
    keys: AttemptKeys,
    address: String,
    user_agent: Option<String>,
}

pub(super) enum Outcome {
    Failed,
    Inactive,
    SignedIn(Box<SignedIn>),
}

/// What a successful attempt stored, for the tokens.
pub(super) struct SignedIn {
    pub(super) user: User,
    pub(super) facilities: Vec<Facility>,
    pub(super) session: Session,
    pub(super) refresh: (SecretToken, RefreshToken),
    pub(super) now: NaiveDateTime,
}

pub async fn post(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Json<LoginRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest {
        username,
        password,
        token_delivery,
    } = body.into_inner();
    let username =
        Username::parse(&username).map_err(|e| ApiError::field("username", e.to_string()))?;
    if password.is_empty() {
        return Err(ApiError::field("password", "Enter your password."));
    }
    if password.chars().count() > MAX_LENGTH {
        return Err(ApiError::field(
            "password",
            format!("A password has at most {MAX_LENGTH} characters."),
        ));
    }
    let address = client::address(&req, &state);
    let attempt = Attempt {
        tenant_id: tenant.id.clone(),
        keys: AttemptKeys::new(username.as_str(), &address),
        username: username.as_str().to_owned(),
        password: SecretString::from(password),
        address,
        user_agent: client::user_agent(&req),
    };

    // Read, check and write in one job on a hashing thread (no hand-off
    // between the steps); only the signing and the answer happen here.
    let job_state = state.clone();
    let outcome = state
        .hasher
        .run_with_reply(move |hasher, reply| sign_in(&job_state, hasher, attempt, reply))
        .await
        .map_err(|e| ApiError::unexpected(e, "verifying a password"))??;

    match outcome {
        Outcome::Failed => Err(ApiError::invalid_credentials()),
        Outcome::Inactive => Err(ApiError::account_inactive()),
        Outcome::SignedIn(signed_in) => {
            let SignedIn {
                user,
                facilities,
                session,
                refresh,
                now,
            } = *signed_in;
            let issued = session_tokens::issue(&state, &user, &facilities, &session, refresh, now)?;
            Ok(super::token_response(
                issued,
                token_delivery == TokenDelivery::Body,
                client::is_https(&req, &state),
            ))
        }
    }
}

/// The attempt itself, on a hashing thread: what the database knows, the
/// password check, and every write the verdict needs. The connection is
/// held for each database step, not across the hash. A success is answered
/// once it is written, perhaps together with the next ones
/// (`sign_in_writes`); anything else at once.
fn sign_in(
    state: &web::Data<AppState>,
    hasher: &PasswordHasher,
    attempt: Attempt,
    reply: Reply<Result<Outcome, ApiError>>,
) {
    match check(state, hasher, attempt) {
        Ok(Checked::Answer(outcome)) => reply.send(Ok(outcome)),
        Ok(Checked::Write(write)) => sign_in_writes::add(state, *write, reply),
        Err(error) => reply.send(Err(error)),
    }
}

enum Checked {
    /// A failure or an inactive account, already written.
    Answer(Outcome),
    /// A success, still to be written.
    Write(Box<SignInWrite>),
}

fn check(state: &AppState, hasher: &PasswordHasher, attempt: Attempt) -> Result<Checked, ApiError> {
    let Attempt {
        tenant_id,
        username,
        password,
        keys,
        address,
        user_agent,
    } = attempt;
    let now = crate::model::now();
    let (user, before) = state.sign_in_db.with(&state.pool, |conn| {
        let user = User::find_by_username(conn, &tenant_id, &username)?;
        let before = state.throttle.check(conn, &tenant_id, &keys, now)?;
        Ok((user, before))
    })?;
    let stored_hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
    let password_ok = hasher.verify_blocking(stored_hash, &password);

    let user = match user {
        Some(user) if password_ok && !before.locked => user,
        _ => {
            // The successes checked before this attempt are written first,
            // so the counters see the attempts in order.
            sign_in_writes::write_waiting(state);
            state.sign_in_db.with(&state.pool, |conn| {
                Ok(crate::db::write(conn, |conn| {
                    let now_locked = state
                        .throttle
                        .record_failure(conn, &tenant_id, &keys, now)?;
                    let kind = if before.locked || now_locked {
                        audit::LOGIN_THROTTLED
                    } else {
                        audit::LOGIN_FAILED
                    };
                    AuditEvent::new(&tenant_id, kind)
                        .user(None, Some(&username))
                        .from_address(&address)
                        .record(conn)
                })?)
            })?;
            return Ok(Checked::Answer(Outcome::Failed));
        }
    };
    if !user.is_active() {
        sign_in_writes::write_waiting(state);
        state.sign_in_db.with(&state.pool, |conn| {
            Ok(crate::db::write(conn, |conn| {
                AuditEvent::new(&tenant_id, audit::LOGIN_INACTIVE)
                    .user(Some(&user.id), Some(&user.username))
                    .from_address(&address)
                    .record(conn)
            })?)
        })?;
        return Ok(Checked::Answer(Outcome::Inactive));
    }

    let session = session_tokens::new_session(state, &user, user_agent, &address, now);
    let refresh = session_tokens::next_refresh_token(state, &session, now);
    Ok(Checked::Write(Box::new(SignInWrite {
        tenant_id,
        keys,
        before,
        address,
        user,
        session,
        refresh,
        now,
    })))
}
