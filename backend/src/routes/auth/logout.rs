//! `POST /api/v1/auth/logout`: ends the session named by the access token
//! or by the refresh token (cookie or body). Always answers 204 and clears
//! the cookie, so a client can call it whatever state it is in.

use crate::auth::secret_token;
use crate::http::authenticated::{bearer_token, verify_token};
use crate::http::cookies::{self, Kind};
use crate::http::error::ApiError;
use crate::http::tenant::RequestTenant;
use crate::model::audit::{self, AuditEvent};
use crate::model::session::{RefreshToken, Session};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    request_body = shared::api::RefreshRequest,
    responses((status = 204, description = "The session is over")
    ),
)]
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
    let client = state.client(&req);
    let address = client
        .address()
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let tenant_id = tenant.id.clone();
    state
        .db
        .write(move |conn| {
            let from_refresh = match refresh_hash {
                Some(hash) => RefreshToken::session_of(conn, &tenant_id, &hash)?,
                None => None,
            };
            let now = crate::model::now();
            for session_id in from_access.iter().chain(from_refresh.iter()) {
                if Session::revoke(conn, &tenant_id, session_id, "logout", now)? {
                    AuditEvent::new(&tenant_id, audit::LOGOUT)
                        .from_address(&address)
                        .record(conn)?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent()
        .cookie(cookies::clear(Kind::Refresh, client.is_https()))
        .finish())
}
