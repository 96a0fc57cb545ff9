//! Facts about the caller that security decisions use: its address (for
//! throttling), its user agent (for the session list), the host and scheme
//! it asked for (for the tenant, cookies and HSTS), and whether a browser
//! request came from this site.
//!
//! Forwarding headers (`Forwarded`, `X-Forwarded-For`, `-Proto`, `-Host`)
//! count only when the peer is one of the trusted proxies, only the family
//! those proxies write (`BACKOFFICE_TRUSTED_PROXY_HEADERS`), and they are
//! read one way for all three facts: the entry the nearest trusted proxy
//! appended (for the address, the nearest entry that is not itself a
//! trusted proxy). From anyone else they are the client's own words:
//! honouring them would let it pick its throttling address, its scheme, or
//! another tenant.

use crate::net::{ForwardedHeaders, TrustedProxies};
use actix_web::http::header;
use actix_web::HttpRequest;
use std::net::IpAddr;

/// What the request says about its client, read under `proxies`.
pub struct Client<'a> {
    req: &'a HttpRequest,
    proxies: &'a TrustedProxies,
    headers: ForwardedHeaders,
    /// `BACKOFFICE_PUBLIC_URL` is https: the client uses https whatever
    /// the headers say.
    public_https: bool,
}

/// The values of one forwarded fact, nearest last, from the header family
/// the trusted proxies write: `Forwarded`'s `parameter`, or the list in
/// `legacy` (`X-Forwarded-…`).
fn forwarded_values(
    req: &HttpRequest,
    headers: ForwardedHeaders,
    parameter: &str,
    legacy: &str,
) -> Vec<String> {
    match headers {
        ForwardedHeaders::Forwarded => req
            .headers()
            .get_all(header::FORWARDED)
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case(parameter)
                        .then(|| value.trim().trim_matches('"').to_owned())
                })
            })
            .collect(),
        ForwardedHeaders::XForwarded => req
            .headers()
            .get_all(legacy)
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
            .collect(),
    }
}

/// An address as `Forwarded` or `X-Forwarded-For` writes it: `1.2.3.4`,
/// `1.2.3.4:5678`, `[2001:db8::1]:80` or `2001:db8::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

impl<'a> Client<'a> {
    pub fn new(
        req: &'a HttpRequest,
        proxies: &'a TrustedProxies,
        headers: ForwardedHeaders,
        public_https: bool,
    ) -> Self {
        Client {
            req,
            proxies,
            headers,
            public_https,
        }
    }

    fn peer(&self) -> Option<IpAddr> {
        self.req.peer_addr().map(|addr| addr.ip())
    }

    /// Whether the request's peer is a trusted proxy.
    fn via_trusted_proxy(&self) -> bool {
        self.peer().is_some_and(|peer| self.proxies.contains(peer))
    }

    /// The nearest forwarded value of a fact, if the peer may tell it.
    fn forwarded(&self, parameter: &str, legacy: &str) -> Option<String> {
        if !self.via_trusted_proxy() {
            return None;
        }
        forwarded_values(self.req, self.headers, parameter, legacy).pop()
    }

    /// The client's address: the peer, or through trusted proxies the
    /// nearest forwarded address that is not itself a trusted proxy.
    pub fn address(&self) -> Option<IpAddr> {
        let peer = self.peer()?;
        if !self.proxies.contains(peer) {
            return Some(peer);
        }
        let mut nearest = peer;
        for hop in forwarded_values(self.req, self.headers, "for", "x-forwarded-for")
            .iter()
            .rev()
        {
            let Some(ip) = parse_node(hop) else {
                // An obfuscated or broken entry: go no further than the
                // last address a trusted hop vouched for.
                break;
            };
            nearest = ip;
            if !self.proxies.contains(ip) {
                break;
            }
        }
        Some(nearest)
    }

    /// The host the client asked for: the `Host` header, or through a
    /// trusted proxy the host it forwards.
    pub fn host(&self) -> String {
        if let Some(host) = self.forwarded("host", "x-forwarded-host") {
            return host;
        }
        self.req
            .headers()
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .or_else(|| {
                self.req
                    .uri()
                    .authority()
                    .map(|authority| authority.as_str())
            })
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the client uses https: the public URL says so, or a trusted
    /// proxy does (this server itself speaks plain HTTP).
    pub fn is_https(&self) -> bool {
        self.public_https
            || self
                .forwarded("proto", "x-forwarded-proto")
                .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
    }

    fn scheme(&self) -> &'static str {
        if self.is_https() {
            "https"
        } else {
            "http"
        }
    }

    /// A request that carries `Origin` must come from this very host:
    /// cookie requests from other sites are refused (on top of `SameSite`).
    pub fn same_origin(&self) -> bool {
        let Some(origin) = self.req.headers().get(header::ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        origin.eq_ignore_ascii_case(&format!("{}://{}", self.scheme(), self.host()))
    }
}

pub fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|ua| ua.chars().take(512).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse("10.0.0.0/8").unwrap_or_default()
    }

    fn peer(ip: &str) -> std::net::SocketAddr {
        format!("{ip}:40000")
            .parse()
            .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    #[test]
    fn the_address_is_the_nearest_hop_no_trusted_proxy_vouches_for() {
        let proxies = proxies();
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.5, 10.0.0.9"))
            .to_http_request();
        let client = Client::new(&req, &proxies, ForwardedHeaders::XForwarded, false);
        assert_eq!(client.address(), "203.0.113.5".parse().ok());

        let forwarded = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header((
                "forwarded",
                "for=6.6.6.6;proto=https, for=\"[2001:db8::7]:4711\";proto=https;host=acme.example.com",
            ))
            .insert_header(("x-forwarded-for", "9.9.9.9"))
            .to_http_request();
        let client = Client::new(&forwarded, &proxies, ForwardedHeaders::Forwarded, false);
        assert_eq!(client.address(), "2001:db8::7".parse().ok());
        assert!(client.is_https());
        assert_eq!(client.host(), "acme.example.com");
    }

    #[test]
    fn only_the_family_the_proxies_write_is_read() {
        // Behind a proxy that writes X-Forwarded-*, a client's own
        // `Forwarded` header passes through untouched: it must not count.
        let proxies = proxies();
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("forwarded", "for=6.6.6.6;proto=https;host=globex.localhost"))
            .insert_header(("x-forwarded-for", "203.0.113.5"))
            .insert_header(("host", "acme.localhost"))
            .to_http_request();
        let client = Client::new(&req, &proxies, ForwardedHeaders::XForwarded, false);
        assert_eq!(client.address(), "203.0.113.5".parse().ok());
        assert!(!client.is_https());
        assert_eq!(client.host(), "acme.localhost");
        // And the other way round.
        let req = TestRequest::default()
            .peer_addr(peer("10.0.0.2"))
            .insert_header(("forwarded", "for=203.0.113.5"))
            .insert_header(("x-forwarded-for", "6.6.6.6"))
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        let client = Client::new(&req, &proxies, ForwardedHeaders::Forwarded, false);
        assert_eq!(client.address(), "203.0.113.5".parse().ok());
        assert!(!client.is_https());
    }

    #[test]
    fn a_stranger_cannot_choose_its_address_scheme_or_host() {
        let proxies = proxies();
        let req = TestRequest::default()
            .peer_addr(peer("198.51.100.4"))
            .insert_header(("x-forwarded-for", "203.0.113.5"))
            .insert_header(("x-forwarded-proto", "https"))
            .insert_header(("x-forwarded-host", "globex.localhost"))
            .insert_header(("host", "acme.localhost"))
            .to_http_request();
        let client = Client::new(&req, &proxies, ForwardedHeaders::XForwarded, false);
        assert_eq!(client.address(), "198.51.100.4".parse().ok());
        assert!(!client.is_https());
        assert_eq!(client.host(), "acme.localhost");
    }

    #[test]
    fn an_https_public_url_makes_every_request_https() {
        let proxies = TrustedProxies::default();
        let req = TestRequest::default()
            .peer_addr(peer("198.51.100.4"))
            .to_http_request();
        assert!(Client::new(&req, &proxies, ForwardedHeaders::XForwarded, true).is_https());
        assert!(!Client::new(&req, &proxies, ForwardedHeaders::XForwarded, false).is_https());
    }
}
