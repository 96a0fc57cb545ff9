//! `POST /api/v1/auth/logout`: ends the session named by the access token
//! or by the refresh token (cookie or body). Always answers 204 and clears
//! the cookie, so a client can call it whatever state it is in.

use crate::auth::access::{bearer_token, verify_token};
use crate::auth::{client, refresh_cookie, secret_token};
use crate::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::session::{RefreshToken, Session};
use crate::state::AppState;
use crate::tenancy::RequestTenant;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn post(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let from_access = match bearer_token(&req) {
        Some(token) => verify_token(&state, &token)
            .await
            .ok()
            .filter(|claims| claims.tenant == tenant.id)
            .map(|claims| claims.sid),
        None => None,
    };
    let refresh_hash = super::refresh::presented(&req, &state, &body)?
        .map(|presented| secret_token::hash_token(&presented.token));
    let address = client::address(&req, &state);
    let tenant_id = tenant.id.clone();
    crate::db::run(&state.pool, move |conn| {
        let from_refresh = match refresh_hash {
            Some(hash) => RefreshToken::session_of(conn, &tenant_id, &hash)?,
            None => None,
        };
        let now = crate::model::now();
        crate::db::write(conn, |conn| {
            for session_id in from_access.iter().chain(from_refresh.iter()) {
                if Session::revoke(conn, &tenant_id, session_id, "logout", now)? {
                    AuditEvent::new(&tenant_id, audit::LOGOUT)
                        .from_address(&address)
                        .record(conn)?;
                }
            }
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent()
        .cookie(refresh_cookie::clear(client::is_https(&req, &state)))
        .finish())
}
