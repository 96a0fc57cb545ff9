//! `POST /api/v1/auth/refresh`: a refresh token for a new token pair. The
//! browser's token comes in the cookie; a script's in the body, and the
//! answer goes back the way the token came. A token presented again after
//! the reuse grace revokes its session.

use super::{token_response, Delivery, IssuedTokens};
use crate::auth::secret_token;
use crate::http::cookies::{self, Kind};
use crate::http::error::ApiError;
use crate::http::tenant::RequestTenant;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::session::{RefreshToken, Rotation};
use crate::model::user::User;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use shared::api::RefreshRequest;

/// A refresh token a request presents, and where it came from.
pub struct PresentedToken {
    pub token: String,
    pub delivery: Delivery,
}

/// The refresh token of a request: the body's, else the cookie's (and a
/// cookie only from this site).
pub fn presented(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<Option<PresentedToken>, ApiError> {
    let parsed: RefreshRequest = crate::http::json_body::optional(req, body)?;
    if let Some(token) = parsed.refresh_token.filter(|t| !t.is_empty()) {
        if token.len() > 256 {
            return Err(ApiError::field(
                "refresh_token",
                "This is not a refresh token.",
            ));
        }
        return Ok(Some(PresentedToken {
            token,
            delivery: Delivery::Body,
        }));
    }
    let client = state.client(req);
    match cookies::read(req, Kind::Refresh, client.is_https()) {
        Some(token) if client.same_origin() => Ok(Some(PresentedToken {
            token,
            delivery: Delivery::Cookie,
        })),
        Some(_) => Err(ApiError::forbidden_origin()),
        None => Ok(None),
    }
}

fn ended(req: &HttpRequest, state: &AppState, delivery: Delivery) -> HttpResponse {
    let mut response = ApiError::invalid_refresh_token().error_response();
    if delivery == Delivery::Cookie {
        let https = state.client(req).is_https();
        let _ = response.add_cookie(&cookies::clear(Kind::Refresh, https));
    }
    response
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body = shared::api::RefreshRequest,
    responses((status = 200, description = "A new token pair; the refresh token rotates", body = shared::api::TokenResponse),
        (status = 401, description = "invalid_refresh_token", body = shared::Problem),
    ),
)]
pub async fn post(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Some(PresentedToken { token, delivery }) = presented(&req, &state, &body)? else {
        return Ok(ended(&req, &state, Delivery::Cookie));
    };
    let now = crate::model::now();
    let presented_hash = secret_token::hash_token(&token);
    let address = state
        .client(&req)
        .address()
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let sessions = state.sessions.clone();
    let tenant_id = tenant.id.clone();
    let grace = chrono::TimeDelta::from_std(sessions.reuse_grace).unwrap_or_default();
    let presented_token = token.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let rotation = RefreshToken::rotate(
                conn,
                &tenant_id,
                &presented_hash,
                |session| sessions.successor_of(&presented_token, session, now).1,
                now,
                grace,
            )?;
            match rotation {
                Rotation::Rotated { session, successor } => {
                    let user = User::find(conn, &tenant_id, &session.user_id)?;
                    let facilities = Facility::of_user(conn, &tenant_id, &session.user_id)?;
                    Ok(Some((*session, successor, user, facilities)))
                }
                Rotation::Reused { session_id } => {
                    AuditEvent::new(&tenant_id, audit::REFRESH_TOKEN_REUSED)
                        .from_address(&address)
                        .detail(&format!("session {session_id} revoked"))
                        .record(conn)?;
                    tracing::warn!(%session_id, "refresh token reused; session revoked");
                    Ok(None)
                }
                Rotation::Invalid => Ok(None),
            }
        })
        .await?;

    let Some((session, successor, Some(user), facilities)) = outcome else {
        return Ok(ended(&req, &state, delivery));
    };
    if !user.is_active() {
        return Ok(ended(&req, &state, delivery));
    }
    // The successor's secret is derived from the presented token, so the
    // same one is handed out again within the grace.
    let (secret, _) = state.sessions.successor_of(&token, &session, now);
    let access_token = state
        .access_tokens
        .issue(&user, &facilities, &session, now)
        .map_err(|e| ApiError::unexpected(e, "signing a token"))?;
    Ok(token_response(
        &state,
        IssuedTokens {
            access_token,
            session_id: session.id,
            refresh_token: secret.plaintext,
            refresh_lifetime: successor.expires_at - now,
            must_change_password: user.must_change_password,
        },
        delivery,
        state.client(&req).is_https(),
    ))
}
