//! `POST /api/v1/auth/refresh`: a spent refresh token for a new token pair.
//! The browser's token comes in the cookie; a script's in the body, and the
//! answer goes back the way the token came. A token presented twice revokes
//! its session.

use crate::auth::{client, refresh_cookie, secret_token, session_tokens};
use crate::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::{RefreshToken, Rotation};
use crate::model::user::User;
use crate::state::AppState;
use crate::tenancy::RequestTenant;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use shared::api::RefreshRequest;

/// Where the presented refresh token came from.
pub struct PresentedToken {
    pub token: String,
    pub from_body: bool,
}

/// The refresh token of a request: the body's, else the cookie's (and a
/// cookie only from this site).
pub fn presented(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<Option<PresentedToken>, ApiError> {
    let parsed: RefreshRequest = crate::json_body::optional(req, body)?;
    if let Some(token) = parsed.refresh_token.filter(|t| !t.is_empty()) {
        if token.len() > 256 {
            return Err(ApiError::field(
                "refresh_token",
                "This is not a refresh token.",
            ));
        }
        return Ok(Some(PresentedToken {
            token,
            from_body: true,
        }));
    }
    match refresh_cookie::read(req, client::is_https(req, state)) {
        Some(token) if client::same_origin(req, state) => Ok(Some(PresentedToken {
            token,
            from_body: false,
        })),
        Some(_) => Err(ApiError::forbidden_origin()),
        None => Ok(None),
    }
}

fn ended(req: &HttpRequest, state: &AppState, from_body: bool) -> HttpResponse {
    let mut response = ApiError::invalid_refresh_token().error_response();
    if !from_body {
        let _ = response.add_cookie(&refresh_cookie::clear(client::is_https(req, state)));
    }
    response
}

pub async fn post(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(PresentedToken { token, from_body }) = presented(&req, &state, &body)? else {
        return Ok(ended(&req, &state, false));
    };
    let now = crate::model::now();
    let presented_hash = secret_token::hash_token(&token);
    let address = client::address(&req, &state);
    let worker_state = state.clone();
    let tenant_id = tenant.id.clone();
    let outcome = crate::db::run(&state.pool, move |conn| {
        let mut minted = None;
        let rotation = crate::db::write(conn, |conn| {
            RefreshToken::rotate(
                conn,
                &tenant_id,
                &presented_hash,
                |session| {
                    let (secret, row) =
                        session_tokens::next_refresh_token(&worker_state, session, now);
                    minted = Some((secret, row.clone()));
                    row
                },
                now,
                chrono::TimeDelta::from_std(worker_state.settings.refresh_reuse_grace)
                    .unwrap_or_default(),
            )
        })?;
        match rotation {
            Rotation::Rotated { session } => {
                let user = User::find(conn, &tenant_id, &session.user_id)?;
                let facilities = Facility::of_user(conn, &tenant_id, &session.user_id)?;
                Ok(Some((session, user, facilities, minted)))
            }
            Rotation::Reused { session_id } => {
                crate::db::write(conn, |conn| {
                    AuditEvent::new(&tenant_id, audit::REFRESH_TOKEN_REUSED)
                        .from_address(&address)
                        .user(None, None)
                        .record(conn)
                })?;
                tracing::warn!(%session_id, "refresh token reused; session revoked");
                Ok(None)
            }
            Rotation::Invalid => Ok(None),
        }
    })
    .await?;

    let Some((session, Some(user), facilities, Some(refresh))) = outcome else {
        return Ok(ended(&req, &state, from_body));
    };
    if !user.is_active() {
        return Ok(ended(&req, &state, from_body));
    }
    let issued = session_tokens::issue(&state, &user, &facilities, &session, refresh, now)?;
    Ok(super::token_response(
        issued,
        from_body,
        client::is_https(&req, &state),
    ))
}
