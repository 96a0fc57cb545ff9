//! The cookies this server sets, all `HttpOnly`: the browser's refresh
//! token and its device cookie (`auth::device_cookie`), `SameSite=Strict`,
//! and the state of a single sign-on under way, `SameSite=Lax` because the
//! provider's redirect back is a navigation from another site. Over https
//! they are `Secure`, host-only and `__Host-` prefixed (which demands
//! `Path=/`); over plain http, in development, they are scoped to the auth
//! endpoints, the only ones that read them.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

pub const AUTH_PATH: &str = "/api/v1/auth";

/// One of the cookies, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Refresh,
    Device,
    /// Binds a single sign-on's state to the browser that started it.
    SsoState,
}

impl Kind {
    fn name(self, https: bool) -> &'static str {
        match (self, https) {
            (Kind::Refresh, true) => "__Host-backoffice_refresh",
            (Kind::Refresh, false) => "backoffice_refresh",
            (Kind::Device, true) => "__Host-backoffice_device",
            (Kind::Device, false) => "backoffice_device",
            (Kind::SsoState, true) => "__Host-backoffice_sso",
            (Kind::SsoState, false) => "backoffice_sso",
        }
    }

    fn same_site(self) -> SameSite {
        match self {
            Kind::Refresh | Kind::Device => SameSite::Strict,
            Kind::SsoState => SameSite::Lax,
        }
    }
}

pub fn issue(
    kind: Kind,
    value: &str,
    max_age: std::time::Duration,
    https: bool,
) -> Cookie<'static> {
    Cookie::build(kind.name(https), value.to_owned())
        .path(if https { "/" } else { AUTH_PATH })
        .http_only(true)
        .secure(https)
        .same_site(kind.same_site())
        .max_age(actix_web::cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
        ))
        .finish()
}

pub fn clear(kind: Kind, https: bool) -> Cookie<'static> {
    let mut cookie = issue(kind, "", std::time::Duration::ZERO, https);
    cookie.make_removal();
    cookie
}

pub fn read(req: &HttpRequest, kind: Kind, https: bool) -> Option<String> {
    req.cookie(kind.name(https))
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}
