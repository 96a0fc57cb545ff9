//! The browser's refresh token: an `HttpOnly`, `SameSite=Strict` cookie
//! that only the auth endpoints receive. Over https it is `Secure` and named
//! with the `__Secure-` prefix (`__Host-` would demand `Path=/`, and the
//! narrow path matters more: no other endpoint ever sees the token).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

pub const PATH: &str = "/api/v1/auth";
const SECURE_NAME: &str = "__Secure-backoffice_refresh";
const PLAIN_NAME: &str = "backoffice_refresh";

fn name(https: bool) -> &'static str {
    if https {
        SECURE_NAME
    } else {
        PLAIN_NAME
    }
}

pub fn issue(token: &str, max_age: std::time::Duration, https: bool) -> Cookie<'static> {
    Cookie::build(name(https), token.to_owned())
        .path(PATH)
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .finish()
}

pub fn clear(https: bool) -> Cookie<'static> {
    let mut cookie = issue("", std::time::Duration::ZERO, https);
    cookie.make_removal();
    cookie
}

pub fn read(req: &HttpRequest, https: bool) -> Option<String> {
    req.cookie(name(https))
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}
