//! Facts about the caller that security decisions use: its address (for
//! throttling), its user agent (for the session list), the host and scheme
//! it asked for (for the tenant, cookies and HSTS), and whether a browser
//! request came from this site.
//!
//! Forwarding headers (`Forwarded`, `X-Forwarded-For`, `-Proto`, `-Host`)
//! count only when the peer is the configured trusted proxy. From anyone
//! else they are the client's own words: honouring them would let it pick
//! its throttling address, or another tenant behind a proxy that passes
//! such headers through.

use crate::state::AppState;
use actix_web::http::header;
use actix_web::HttpRequest;

/// Whether the request's peer is the configured trusted proxy.
fn via_trusted_proxy(req: &HttpRequest, state: &AppState) -> bool {
    match (req.peer_addr(), state.settings.trusted_proxy) {
        (Some(peer), Some(proxy)) => peer.ip() == proxy,
        _ => false,
    }
}

/// The client's address: the peer, or the last hop of `X-Forwarded-For`
/// when the peer is the configured trusted proxy.
pub fn address(req: &HttpRequest, state: &AppState) -> String {
    let peer = req.peer_addr().map(|addr| addr.ip());
    if via_trusted_proxy(req, state) {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .map(str::trim)
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// The host the client asked for: the `Host` header (or, through the
/// trusted proxy, the host it forwards).
pub fn host(req: &HttpRequest, state: &AppState) -> String {
    if via_trusted_proxy(req, state) {
        return req.connection_info().host().to_owned();
    }
    req.headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| req.uri().authority().map(|authority| authority.as_str()))
        .unwrap_or_default()
        .to_owned()
}

/// The scheme the client used: this server speaks plain HTTP, so `https`
/// only when the trusted proxy says so.
fn scheme(req: &HttpRequest, state: &AppState) -> String {
    if via_trusted_proxy(req, state) {
        req.connection_info().scheme().to_owned()
    } else {
        "http".to_owned()
    }
}

pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|ua| ua.chars().take(512).collect())
}

/// Whether the client's request is https (behind the trusted proxy).
pub fn is_https(req: &HttpRequest, state: &AppState) -> bool {
    scheme(req, state) == "https"
}

/// A request that carries `Origin` must come from this very host: cookie
/// requests from other sites are refused (on top of `SameSite`).
pub fn same_origin(req: &HttpRequest, state: &AppState) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    origin.eq_ignore_ascii_case(&format!("{}://{}", scheme(req, state), host(req, state)))
}
