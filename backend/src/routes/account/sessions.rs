//! `/api/v1/me/sessions`: the account's live sessions, and signing any of
//! them out. The effect is immediate: every request reads its session row.

use crate::http::authenticated::Authenticated;
use crate::http::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::session::Session;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use shared::api::{RevokedSessions, SessionInfo};

fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

/// `GET /api/v1/me/sessions`: the most recently used first.
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    tag = "account",
    responses((status = 200, description = "The live sessions, most recent first", body = Vec<shared::api::SessionInfo>),
        (status = 401, description = "invalid_token", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<SessionInfo>>, ApiError> {
    let (tenant_id, user_id) = (auth.tenant.id.clone(), auth.user.id.clone());
    let sessions = state
        .db
        .read(move |conn| {
            Ok(Session::live_of_user(
                conn,
                &tenant_id,
                &user_id,
                crate::model::now(),
            )?)
        })
        .await?;
    Ok(web::Json(
        sessions
            .into_iter()
            .map(|session| SessionInfo {
                current: session.id == auth.session.id,
                created_at: rfc3339(session.created_at),
                last_seen_at: rfc3339(session.last_seen_at),
                expires_at: rfc3339(session.expires_at),
                id: session.id,
                user_agent: session.user_agent,
                client_address: session.client_address,
            })
            .collect(),
    ))
}

/// `DELETE /api/v1/me/sessions/{id}`: `204`, or `404` for a session that
/// is not this account's or no longer live.
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    tag = "account",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Signed out"),
        (status = 401, description = "invalid_token", body = shared::Problem),
        (status = 404, description = "not_found", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn delete(
    req: HttpRequest,
    auth: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let address = state.address_of(&req);
    let (tenant_id, user) = (auth.tenant.id.clone(), auth.user);
    let revoked = state
        .db
        .write(move |conn| {
            let now = crate::model::now();
            let revoked = Session::revoke_of_user(
                conn,
                &tenant_id,
                &user.id,
                &id,
                "signed_out_by_owner",
                now,
            )?;
            if revoked {
                AuditEvent::new(&tenant_id, audit::SESSION_REVOKED)
                    .user(Some(&user.id), Some(&user.username))
                    .from_address(&address)
                    .detail(&format!("session {id}"))
                    .record(conn)?;
            }
            Ok(revoked)
        })
        .await?;
    if revoked {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found())
    }
}

/// `POST /api/v1/me/sessions/revoke-others`: every session but this one.
#[utoipa::path(
    post,
    path = "/api/v1/me/sessions/revoke-others",
    tag = "account",
    responses((status = 200, description = "Every other session ended", body = shared::api::RevokedSessions),
        (status = 401, description = "invalid_token", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn revoke_others(
    req: HttpRequest,
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<RevokedSessions>, ApiError> {
    let address = state.address_of(&req);
    let (tenant_id, user, keep) = (auth.tenant.id.clone(), auth.user, auth.session.id);
    let revoked = state
        .db
        .write(move |conn| {
            let now = crate::model::now();
            let revoked = Session::revoke_of_user_except(
                conn,
                &tenant_id,
                &user.id,
                Some(&keep),
                "signed_out_by_owner",
                now,
            )?;
            AuditEvent::new(&tenant_id, audit::SESSION_REVOKED)
                .user(Some(&user.id), Some(&user.username))
                .from_address(&address)
                .detail(&format!("{revoked} other sessions"))
                .record(conn)?;
            Ok(revoked)
        })
        .await?;
    Ok(web::Json(RevokedSessions { revoked }))
}
