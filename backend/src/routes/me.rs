//! `GET /api/v1/me`: the signed-in account, as the shell and scripts see it.

use crate::auth::access::Authenticated;
use crate::error::ApiError;
use crate::model::facility::Facility;
use crate::model::user::User;
use crate::state::AppState;
use actix_web::web;
use shared::api::{FacilityRef, Me, TenantRef};

pub async fn get(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Me>, ApiError> {
    let tenant_id = auth.tenant.id.clone();
    let user_id = auth.claims.sub.clone();
    let (user, facilities) = crate::db::run(&state.pool, move |conn| {
        let user = User::find(conn, &tenant_id, &user_id)?;
        let facilities = match &user {
            Some(user) if !user.role().is_network_wide() => {
                Facility::of_user(conn, &tenant_id, &user.id)?
            }
            _ => Vec::new(),
        };
        Ok((user, facilities))
    })
    .await?;
    let user = user.ok_or_else(ApiError::invalid_token)?;
    Ok(web::Json(Me {
        role: user.role(),
        id: user.id,
        tenant: TenantRef {
            slug: auth.tenant.slug,
            display_name: auth.tenant.display_name,
        },
        username: user.username,
        first_name: user.first_name,
        last_name: user.last_name,
        email: user.email,
        facilities: facilities
            .into_iter()
            .map(|f| FacilityRef {
                id: f.id,
                code: f.code,
                name: f.name,
            })
            .collect(),
        locale: user.locale,
        sign_in_method: user.sign_in_method,
        must_change_password: user.must_change_password,
        last_login_at: user.last_login_at.map(|t| t.and_utc().to_rfc3339()),
        session_id: auth.session.id,
    }))
}
