//! `GET /.well-known/jwks.json`: the public keys that verify access tokens,
//! for other Backoffice services. Cached for `JWKS_MAX_AGE`, which is why
//! the key ring publishes a key that long (and more) before it signs.

use crate::auth::keys::JWKS_MAX_AGE;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpResponse};

#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "auth",
    responses((status = 200, description = "The public keys (JWK Set) that verify access tokens")
    ),
)]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={}", JWKS_MAX_AGE.as_secs()),
        ))
        .json(state.keys.jwks())
}
