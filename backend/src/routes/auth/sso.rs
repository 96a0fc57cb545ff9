//! `GET /api/v1/auth/sso/start` and `GET /api/v1/auth/sso/callback`: the
//! browser's way through the tenant's identity provider. Both answer with
//! redirects, never a page: to the provider, back to the app's path with
//! the refresh cookie set (the app then calls `POST /api/v1/auth/refresh`,
//! as after a password sign-in), or to `/login?sso_error=<code>`. The flow
//! is `flows::sso_login`.

use super::refresh_cookie;
use crate::flows::sso_login::{Callback, SsoFailure, STATE_LIFETIME};
use crate::http::client;
use crate::http::cookies::{self, Kind};
use crate::http::tenant::RequestTenant;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
struct StartParams {
    provider: Option<String>,
    return_to: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// The query string as `T`; one that does not parse reads as empty.
fn params<T: serde::de::DeserializeOwned + Default>(req: &HttpRequest) -> T {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

fn redirect(to: &str) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::SeeOther();
    builder
        .insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

/// Back to the login screen, saying why.
fn to_login(failure: SsoFailure, https: bool) -> HttpResponse {
    redirect(&format!("/login?sso_error={}", failure.code().as_str()))
        .cookie(cookies::clear(Kind::SsoState, https))
        .finish()
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/sso/start",
    tag = "auth",
    params(
        ("provider" = String, Query, description = "The id of one of the tenant's active providers (`sso_providers` of GET /api/v1/tenant)"),
        ("return_to" = Option<String>, Query, description = "A path of this app to land on after signing in (`/` when absent or not a path of this app)"),
    ),
    responses(
        (status = 303, description = "To the identity provider (a browser navigation; it sets a cookie binding the sign-in to this browser). When the provider is unknown, inactive or unreachable: to `/login?sso_error=sso_failed` or `sso_unavailable`"),
        (status = 404, description = "unknown_tenant", body = shared::Problem),
    ),
)]
pub async fn start(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    state: web::Data<AppState>,
) -> HttpResponse {
    let StartParams {
        provider,
        return_to,
    } = params(&req);
    let https = state.client(&req).is_https();
    match state
        .sso
        .start(
            &tenant,
            provider.as_deref(),
            return_to.as_deref(),
            &state.address_of(&req),
        )
        .await
    {
        Ok(started) => redirect(&started.url)
            .cookie(cookies::issue(
                Kind::SsoState,
                &started.state,
                STATE_LIFETIME.to_std().unwrap_or_default(),
                https,
            ))
            .finish(),
        Err(failure) => to_login(failure, https),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/sso/callback",
    tag = "auth",
    params(
        ("code" = Option<String>, Query, description = "The authorization code"),
        ("state" = Option<String>, Query, description = "The state the start sent"),
        ("error" = Option<String>, Query, description = "The provider's refusal, e.g. `access_denied` when the person cancelled"),
        ("iss" = Option<String>, Query, description = "The provider's issuer (RFC 9207), checked when present"),
    ),
    responses(
        (status = 303, description = "Signed in: to the path the start asked for, with the refresh cookie set (then POST /api/v1/auth/refresh). Refused: to `/login?sso_error=` one of `sso_failed`, `sso_cancelled`, `sso_unavailable`, `sso_role_unmapped`, `account_inactive`; no session is opened"),
        (status = 404, description = "unknown_tenant", body = shared::Problem),
    ),
)]
pub async fn callback(
    req: HttpRequest,
    RequestTenant(tenant): RequestTenant,
    state: web::Data<AppState>,
) -> HttpResponse {
    let CallbackParams {
        code,
        state: sso_state,
        error,
        iss,
    } = params(&req);
    let https = state.client(&req).is_https();
    let arrival = Callback {
        code,
        state: sso_state,
        error,
        issuer: iss,
        browser_state: cookies::read(&req, Kind::SsoState, https),
        address: state.address_of(&req),
        user_agent: client::user_agent(&req),
    };
    match state.sso.callback(&tenant, arrival).await {
        Ok(signed_in) => redirect(&signed_in.return_to)
            .cookie(refresh_cookie(
                &signed_in.opened.refresh_token.plaintext,
                signed_in.opened.refresh_expires_at - signed_in.now,
                https,
            ))
            .cookie(cookies::clear(Kind::SsoState, https))
            .finish(),
        Err(failure) => to_login(failure, https),
    }
}
