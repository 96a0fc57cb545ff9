//! The HTTP surface: which path goes to which handler.

pub mod account;
pub mod auth;
pub mod health;
pub mod jwks;
pub mod openapi;
pub mod password_reset;
pub mod spa;
pub mod sso_providers;
pub mod tenant;
pub mod users;

use crate::http::error::ApiError;
use actix_web::web;

/// Each API path is a resource, so a wrong method gets 405, not 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/.well-known/jwks.json", web::get().to(jwks::jwks))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/openapi.json").get(openapi::document))
                .service(web::resource("/reference").get(openapi::reference))
                .service(web::resource("/tenant").get(tenant::get))
                .service(web::resource("/auth/login").post(auth::login::post))
                .service(web::resource("/auth/refresh").post(auth::refresh::post))
                .service(web::resource("/auth/logout").post(auth::logout::post))
                .service(web::resource("/auth/sso/start").get(auth::sso::start))
                .service(web::resource("/auth/sso/callback").get(auth::sso::callback))
                .service(
                    web::resource("/sso-providers")
                        .get(sso_providers::list)
                        .post(sso_providers::create),
                )
                .service(
                    web::resource("/sso-providers/{id}")
                        .get(sso_providers::get)
                        .patch(sso_providers::update)
                        .delete(sso_providers::delete),
                )
                .service(
                    web::resource("/me")
                        .get(account::profile::get)
                        .patch(account::profile::patch),
                )
                .service(web::resource("/me/password").post(account::password::post))
                .service(web::resource("/me/sessions").get(account::sessions::list))
                .service(
                    web::resource("/me/sessions/revoke-others")
                        .post(account::sessions::revoke_others),
                )
                .service(web::resource("/me/sessions/{id}").delete(account::sessions::delete))
                .service(web::resource("/users").get(users::list).post(users::create))
                .service(
                    web::resource("/users/{id}")
                        .get(users::get)
                        .patch(users::update)
                        .delete(users::delete),
                )
                .service(web::resource("/users/{id}/invitation").post(users::invite))
                .service(web::resource("/users/{id}/password").put(users::set_password))
                .service(web::resource("/users/{id}/unlock").post(users::unlock))
                .service(web::resource("/users/{id}/sessions").delete(users::revoke_sessions))
                .service(
                    web::resource("/facilities")
                        .get(users::facilities)
                        .post(users::create_facility),
                )
                .service(web::resource("/audit-events").get(users::audit_events))
                .service(web::resource("/password-resets").post(password_reset::request))
                .service(web::resource("/password-resets/verify").post(password_reset::verify))
                .service(web::resource("/password-resets/confirm").post(password_reset::confirm))
                .default_service(web::to(|| async {
                    Err::<String, _>(ApiError::not_found())
                })),
        )
        .service(web::scope("/api").default_service(web::to(|| async {
            Err::<String, _>(ApiError::not_found())
        })));
}
