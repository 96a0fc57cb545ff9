//! `GET /.well-known/jwks.json`: the public keys that verify access tokens,
//! for other Backoffice services.

use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpResponse};

pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(state.keys.jwks())
}
