//! Addresses as security decisions see them: the ranges of trusted reverse
//! proxies (`BACKOFFICE_TRUSTED_PROXY`), and the part of a client's address
//! that brute-force counters key on (an IPv6 client owns a whole /64, so
//! counting single IPv6 addresses would give it 2^64 fresh counters).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One address (`10.0.0.7`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask_u32(u32::from(ip), self.prefix) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask_u128(u128::from(ip), self.prefix) == u128::from(net)
            }
            _ => false,
        }
    }
}

fn mask_u32(bits: u32, prefix: u8) -> u32 {
    bits.checked_shr(32 - u32::from(prefix.min(32)))
        .and_then(|b| b.checked_shl(32 - u32::from(prefix.min(32))))
        .unwrap_or(0)
}

fn mask_u128(bits: u128, prefix: u8) -> u128 {
    bits.checked_shr(128 - u32::from(prefix.min(128)))
        .and_then(|b| b.checked_shl(128 - u32::from(prefix.min(128))))
        .unwrap_or(0)
}

/// An IPv4 address that arrived as IPv6 (`::ffff:10.0.0.7`) is IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for IpRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address = canonical(
            address
                .parse::<IpAddr>()
                .map_err(|_| format!("`{text}` is not an IP address or CIDR range"))?,
        );
        let widest = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => widest,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= widest)
                .ok_or_else(|| format!("`{text}`: the prefix must be 0 to {widest}"))?,
        };
        let network = match address {
            IpAddr::V4(v4) => IpAddr::V4(mask_u32(u32::from(v4), prefix).into()),
            IpAddr::V6(v6) => IpAddr::V6(mask_u128(u128::from(v6), prefix).into()),
        };
        Ok(IpRange { network, prefix })
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

/// The reverse proxies whose forwarding headers count; empty when the
/// server faces clients directly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpRange>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR ranges.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(IpRange::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Which forwarding headers the trusted proxies write. Only that family is
/// read: a proxy that writes `X-Forwarded-For` passes a client's own
/// `Forwarded` header through untouched (and the other way round), so
/// reading both would let a client speak for the proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForwardedHeaders {
    /// `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Host`.
    #[default]
    XForwarded,
    /// RFC 7239 `Forwarded: for=…;proto=…;host=…`.
    Forwarded,
}

impl FromStr for ForwardedHeaders {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "x-forwarded" => Ok(ForwardedHeaders::XForwarded),
            "forwarded" => Ok(ForwardedHeaders::Forwarded),
            other => Err(format!("`{other}` is neither x-forwarded nor forwarded")),
        }
    }
}

/// What failure counters key a client address on: an IPv4 address as it
/// is, an IPv6 address by its /64 (the block one subscriber gets).
pub fn throttle_scope(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = std::net::Ipv6Addr::from(mask_u128(u128::from(v6), 64));
            format!("{network}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn ranges_hold_their_addresses_and_no_others() -> Result<(), String> {
        let proxies = TrustedProxies::parse("10.1.0.0/16, 192.168.7.7 , fd00::/8")?;
        assert!(proxies.contains(ip("10.1.200.3")));
        assert!(proxies.contains(ip("::ffff:10.1.0.9")));
        assert!(!proxies.contains(ip("10.2.0.1")));
        assert!(proxies.contains(ip("192.168.7.7")));
        assert!(!proxies.contains(ip("192.168.7.8")));
        assert!(proxies.contains(ip("fd12:3456::1")));
        assert!(!proxies.contains(ip("fe80::1")));
        assert!(TrustedProxies::parse("")?.is_empty());
        Ok(())
    }

    #[test]
    fn bad_entries_are_refused_with_their_text() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err_and(|e| e.contains("10.0.0.0/33")));
        assert!(TrustedProxies::parse("proxy.local").is_err_and(|e| e.contains("proxy.local")));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(
            throttle_scope(ip("2001:db8:1:2:aaaa::1")),
            throttle_scope(ip("2001:db8:1:2:ffff:1:2:3"))
        );
        assert_eq!(throttle_scope(ip("2001:db8:1:2::9")), "2001:db8:1:2::/64");
        assert_ne!(
            throttle_scope(ip("2001:db8:1:2::1")),
            throttle_scope(ip("2001:db8:1:3::1"))
        );
        assert_eq!(throttle_scope(ip("203.0.113.9")), "203.0.113.9");
        assert_eq!(throttle_scope(ip("::ffff:203.0.113.9")), "203.0.113.9");
    }
}
