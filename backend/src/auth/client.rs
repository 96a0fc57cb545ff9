//! Facts about the caller that security decisions use: its address (for
//! throttling), its user agent (for the session list), and whether a
//! browser request came from this site.

use crate::state::AppState;
use actix_web::http::header;
use actix_web::HttpRequest;

/// The client's address: the peer, or the last hop of `X-Forwarded-For`
/// when the peer is the configured trusted proxy.
pub fn address(req: &HttpRequest, state: &AppState) -> String {
    let peer = req.peer_addr().map(|addr| addr.ip());
    if let (Some(peer), Some(proxy)) = (peer, state.settings.trusted_proxy) {
        if peer == proxy {
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
    }
    peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|ua| ua.chars().take(512).collect())
}

/// Whether the request is https, directly or behind a proxy that says so.
pub fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// A request that carries `Origin` must come from this very host: cookie
/// requests from other sites are refused (on top of `SameSite`).
pub fn same_origin(req: &HttpRequest) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let info = req.connection_info();
    origin.eq_ignore_ascii_case(&format!("{}://{}", info.scheme(), info.host()))
}
