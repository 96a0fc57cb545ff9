//! `POST /api/v1/auth/login`: username and password for a session.
//!
//! Every failure (unknown username, wrong password, throttled) gets the same
//! answer after the same work: one argon2 verification (against a dummy hash
//! when there is no account) and one failure count. Only the right password
//! of an inactive account learns that the account is inactive.

use crate::auth::client;
use crate::auth::session_tokens;
use crate::auth::throttle::{AttemptKeys, AttemptState};
use crate::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::user::User;
use crate::state::AppState;
use crate::tenancy::RequestTenant;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::Connection;
use secrecy::SecretString;
use shared::api::{LoginRequest, TokenDelivery};
use shared::password_policy::MAX_LENGTH;
use shared::username::Username;

/// What the database said before the password was checked.
struct Candidate {
    user: Option<User>,
    throttle: AttemptState,
}

enum Verdict {
    Failed { throttled: bool },
    Inactive(User),
    Succeeded(User),
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
    let keys = AttemptKeys::new(username.as_str(), &address);
    let now = crate::model::now();

    let throttle = state.throttle.clone();
    let (tenant_id, name) = (tenant.id.clone(), username.as_str().to_owned());
    let keys_for_lookup = keys.clone();
    let candidate = crate::db::run(&state.pool, move |conn| {
        Ok(Candidate {
            user: User::find_by_username(conn, &tenant_id, &name)?,
            throttle: throttle.check(conn, &tenant_id, &keys_for_lookup, now)?,
        })
    })
    .await?;

    let stored_hash = candidate
        .user
        .as_ref()
        .and_then(|u| u.password_hash.clone());
    let password_ok = state
        .hasher
        .verify(stored_hash, SecretString::from(password))
        .await
        .map_err(|e| ApiError::unexpected(e, "verifying a password"))?;

    let before = candidate.throttle;
    let verdict = match candidate.user {
        Some(user) if password_ok && !candidate.throttle.locked => {
            if user.is_active() {
                Verdict::Succeeded(user)
            } else {
                Verdict::Inactive(user)
            }
        }
        _ => Verdict::Failed {
            throttled: candidate.throttle.locked,
        },
    };

    match verdict {
        Verdict::Failed { throttled } => {
            let throttle = state.throttle.clone();
            let tenant_id = tenant.id.clone();
            let name = username.as_str().to_owned();
            let address = address.clone();
            crate::db::run(&state.pool, move |conn| {
                let now_locked = throttle.record_failure(conn, &tenant_id, &keys, now)?;
                let kind = if throttled || now_locked {
                    audit::LOGIN_THROTTLED
                } else {
                    audit::LOGIN_FAILED
                };
                AuditEvent::new(&tenant_id, kind)
                    .user(None, Some(&name))
                    .from_address(&address)
                    .record(conn)?;
                Ok(())
            })
            .await?;
            Err(ApiError::invalid_credentials())
        }
        Verdict::Inactive(user) => {
            let tenant_id = tenant.id.clone();
            crate::db::run(&state.pool, move |conn| {
                AuditEvent::new(&tenant_id, audit::LOGIN_INACTIVE)
                    .user(Some(&user.id), Some(&user.username))
                    .from_address(&address)
                    .record(conn)?;
                Ok(())
            })
            .await?;
            Err(ApiError::account_inactive())
        }
        Verdict::Succeeded(user) => {
            let session =
                session_tokens::new_session(&state, &user, client::user_agent(&req), &address, now);
            let refresh = session_tokens::next_refresh_token(&state, &session, now);
            let refresh_row = refresh.1.clone();
            let throttle = state.throttle.clone();
            let stored_session = session.clone();
            let (tenant_id, user_for_db) = (tenant.id.clone(), user.clone());
            let facilities = crate::db::run(&state.pool, move |conn| {
                // All of the sign-in's writes in one transaction (one commit).
                conn.transaction::<_, diesel::result::Error, _>(|conn| {
                    stored_session.open(conn, &refresh_row)?;
                    User::record_login(conn, &tenant_id, &user_for_db.id, now)?;
                    throttle.record_success(conn, &tenant_id, &keys, before)?;
                    AuditEvent::new(&tenant_id, audit::LOGIN_SUCCEEDED)
                        .user(Some(&user_for_db.id), Some(&user_for_db.username))
                        .from_address(&address)
                        .record(conn)
                })?;
                if user_for_db.role().is_network_wide() {
                    return Ok(Vec::new());
                }
                Ok(Facility::of_user(conn, &tenant_id, &user_for_db.id)?)
            })
            .await?;
            let issued = session_tokens::issue(&state, &user, &facilities, &session, refresh, now)?;
            Ok(super::token_response(
                issued,
                token_delivery == TokenDelivery::Body,
                client::is_https(&req),
            ))
        }
    }
}
