//! `GET /api/v1/me`: the signed-in account, as the shell and scripts see it.

use crate::http::authenticated::Authenticated;
use crate::http::error::ApiError;
use crate::model::facility::Facility;
use crate::state::AppState;
use actix_web::web;
use shared::api::{FacilityRef, Me, TenantRef};

pub async fn get(
    auth: Authenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Me>, ApiError> {
    let user = auth.user;
    // Network-wide roles see every facility: no list to load.
    let facilities = if user.role().is_network_wide() {
        Vec::new()
    } else {
        let (tenant_id, user_id) = (auth.tenant.id.clone(), user.id.clone());
        state
            .db
            .read(move |conn| Ok(Facility::of_user(conn, &tenant_id, &user_id)?))
            .await?
    };
    Ok(web::Json(Me {
        role: user.role(),
        sign_in_method: user.sign_in_method(),
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
        must_change_password: user.must_change_password,
        last_login_at: user.last_login_at.map(|t| t.and_utc().to_rfc3339()),
        previous_login_at: user.previous_login_at.map(|t| t.and_utc().to_rfc3339()),
        session_id: auth.session.id,
    }))
}
