//! The HTTP surface: which path goes to which handler.

pub mod auth;
pub mod health;
pub mod jwks;
pub mod me;
pub mod spa;
pub mod tenant;

use crate::error::ApiError;
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/.well-known/jwks.json", web::get().to(jwks::jwks))
        .service(
            web::scope("/api/v1")
                .route("/tenant", web::get().to(tenant::get))
                .route("/auth/login", web::post().to(auth::login::post))
                .route("/auth/refresh", web::post().to(auth::refresh::post))
                .route("/auth/logout", web::post().to(auth::logout::post))
                .route("/me", web::get().to(me::get))
                .default_service(web::to(|| async {
                    Err::<String, _>(ApiError::not_found())
                })),
        )
        .service(web::scope("/api").default_service(web::to(|| async {
            Err::<String, _>(ApiError::not_found())
        })));
}
