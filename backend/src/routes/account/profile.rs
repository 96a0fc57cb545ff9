//! `GET /api/v1/me` and `PATCH /api/v1/me`: the signed-in account, as the
//! shell and scripts see it, and the part of it its owner may change (names
//! and language; the token's `locale` follows at the next refresh).

use crate::http::authenticated::{AnyAuthenticated, Authenticated};
use crate::http::error::ApiError;
use crate::model::audit::{self, AuditEvent};
use crate::model::facility::Facility;
use crate::model::tenant::Tenant;
use crate::model::user::{Profile, User};
use crate::state::AppState;
use actix_web::{web, HttpRequest};
use shared::api::{FacilityRef, Me, TenantRef, UpdateMe};
use std::collections::BTreeMap;

/// The longest first or last name.
const MAX_NAME: usize = 100;

/// Answers an account with a temporary password too: the app learns from it
/// that it must ask for a new one.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    responses((status = 200, description = "The signed-in account", body = shared::api::Me),
        (status = 401, description = "invalid_token", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn get(
    AnyAuthenticated(auth): AnyAuthenticated,
    state: web::Data<AppState>,
) -> Result<web::Json<Me>, ApiError> {
    let Authenticated {
        tenant,
        session,
        user,
        ..
    } = auth;
    me(&state, tenant, user, session.id).await.map(web::Json)
}

#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "account",
    request_body = shared::api::UpdateMe,
    responses((status = 200, description = "The account after the change", body = shared::api::Me),
        (status = 401, description = "invalid_token", body = shared::Problem),
        (status = 403, description = "password_change_required", body = shared::Problem),
        (status = 422, description = "validation_failed", body = shared::Problem),
    ),
    security(("bearer" = [])),
)]
pub async fn patch(
    req: HttpRequest,
    auth: Authenticated,
    body: web::Json<UpdateMe>,
    state: web::Data<AppState>,
) -> Result<web::Json<Me>, ApiError> {
    let Authenticated {
        tenant,
        session,
        user,
        ..
    } = auth;
    let profile = checked(&user, body.into_inner())?;
    let address = state
        .client(&req)
        .address()
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let (tenant_id, user_id, username) =
        (tenant.id.clone(), user.id.clone(), user.username.clone());
    let stored = state
        .db
        .write(move |conn| {
            let now = crate::model::now();
            User::update_profile(conn, &tenant_id, &user_id, &profile, now)?;
            AuditEvent::new(&tenant_id, audit::PROFILE_CHANGED)
                .user(Some(&user_id), Some(&username))
                .from_address(&address)
                .record(conn)?;
            Ok(User::find(conn, &tenant_id, &user_id)?)
        })
        .await?
        .ok_or_else(ApiError::invalid_token)?;
    me(&state, tenant, stored, session.id).await.map(web::Json)
}

/// The request's changes over the stored profile, or every field at fault.
fn checked(user: &User, update: UpdateMe) -> Result<Profile, ApiError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut name = |field: &str, value: Option<String>, stored: &str, required: bool| {
        let value = value.map_or_else(|| stored.to_owned(), |v| v.trim().to_owned());
        if required && value.is_empty() {
            errors.insert(field.to_owned(), vec!["Enter a name.".to_owned()]);
        } else if value.chars().count() > MAX_NAME {
            errors.insert(
                field.to_owned(),
                vec![format!("Use at most {MAX_NAME} characters.")],
            );
        } else if value.chars().any(char::is_control) {
            errors.insert(
                field.to_owned(),
                vec!["Use letters, spaces and punctuation only.".to_owned()],
            );
        }
        value
    };
    let first_name = name("first_name", update.first_name, &user.first_name, true);
    let last_name = name("last_name", update.last_name, &user.last_name, false);
    let locale = match update.locale {
        None => user.locale.clone(),
        Some(tag) => match shared::locale::SUPPORTED
            .iter()
            .find(|known| **known == tag.trim())
        {
            Some(known) => (*known).to_owned(),
            None => {
                errors.insert(
                    "locale".to_owned(),
                    vec![format!(
                        "Choose one of: {}.",
                        shared::locale::SUPPORTED.join(", ")
                    )],
                );
                String::new()
            }
        },
    };
    if errors.is_empty() {
        Ok(Profile {
            first_name,
            last_name,
            locale,
        })
    } else {
        Err(ApiError::validation(errors))
    }
}

async fn me(
    state: &AppState,
    tenant: Tenant,
    user: User,
    session_id: String,
) -> Result<Me, ApiError> {
    // Network-wide roles see every facility: no list to load.
    let facilities = if user.role().is_network_wide() {
        Vec::new()
    } else {
        let (tenant_id, user_id) = (tenant.id.clone(), user.id.clone());
        state
            .db
            .read(move |conn| Ok(Facility::of_user(conn, &tenant_id, &user_id)?))
            .await?
    };
    Ok(Me {
        role: user.role(),
        sign_in_method: user.sign_in_method(),
        id: user.id,
        tenant: TenantRef {
            slug: tenant.slug,
            display_name: tenant.display_name,
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
        session_id,
    })
}
