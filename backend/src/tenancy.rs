//! Which tenant a request is for, from its host name: the configured pattern
//! (`{tenant}.localhost`, `{tenant}.backoffice.example.com`) names the
//! tenant; a host that does not match falls back to the default tenant, if
//! one is configured. A host that matches but names no tenant is refused,
//! never sent to the default. Tenants are cached briefly per process.

use crate::db::{Database, DbError};
use crate::model::tenant::Tenant;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

const CACHE_FOR: Duration = Duration::from_secs(30);
const CACHE_MAX: usize = 10_000;

pub struct TenantResolver {
    prefix: String,
    suffix: String,
    pattern_has_port: bool,
    default_tenant: Option<String>,
    cache: RwLock<HashMap<String, (Tenant, Instant)>>,
}

impl TenantResolver {
    pub fn new(pattern: &str, default_tenant: Option<String>) -> Self {
        let pattern = pattern.to_ascii_lowercase();
        let (prefix, suffix) = pattern.split_once("{tenant}").unwrap_or(("", ""));
        TenantResolver {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
            pattern_has_port: pattern.contains(':'),
            default_tenant,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// The tenant slug a host name asks for, or `None` if it asks for none.
    pub fn slug_for_host(&self, host: &str) -> Option<String> {
        let host = host.trim().to_ascii_lowercase();
        let host = if self.pattern_has_port {
            host.as_str()
        } else {
            strip_port(&host)
        };
        let named = host
            .strip_prefix(self.prefix.as_str())
            .and_then(|rest| rest.strip_suffix(self.suffix.as_str()))
            .filter(|slug| !slug.is_empty() && !slug.contains('.'));
        match named {
            Some(slug) => Some(slug.to_owned()),
            None => self.default_tenant.clone(),
        }
    }

    /// The tenant for a host, from the cache or the database; `None` if
    /// the host names no tenant that exists.
    pub async fn resolve(&self, db: &Database, host: &str) -> Result<Option<Tenant>, DbError> {
        let Some(slug) = self.slug_for_host(host) else {
            return Ok(None);
        };
        if let Some(tenant) = self.cached(&slug) {
            return Ok(Some(tenant));
        }
        let lookup = slug.clone();
        let Some(tenant) = db
            .read(move |conn| Ok(Tenant::find_by_slug(conn, &lookup)?))
            .await?
        else {
            return Ok(None);
        };
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(slug, (tenant.clone(), Instant::now()));
        }
        Ok(Some(tenant))
    }

    fn cached(&self, slug: &str) -> Option<Tenant> {
        let cache = self.cache.read().ok()?;
        let (tenant, at) = cache.get(slug)?;
        (at.elapsed() < CACHE_FOR).then(|| tenant.clone())
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_once(']').map_or(host, |(inside, _)| inside);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_names_the_tenant_and_other_hosts_get_the_default() {
        let resolver = TenantResolver::new("{tenant}.localhost", Some("default".to_owned()));
        assert_eq!(
            resolver.slug_for_host("acme.localhost:8080").as_deref(),
            Some("acme")
        );
        assert_eq!(
            resolver.slug_for_host("ACME.localhost").as_deref(),
            Some("acme")
        );
        assert_eq!(
            resolver.slug_for_host("localhost:8080").as_deref(),
            Some("default")
        );
        assert_eq!(
            resolver.slug_for_host("127.0.0.1:8080").as_deref(),
            Some("default")
        );
        assert_eq!(
            resolver.slug_for_host("a.b.localhost").as_deref(),
            Some("default")
        );
    }

    #[test]
    fn without_a_default_other_hosts_get_no_tenant() {
        let resolver = TenantResolver::new("{tenant}.backoffice.example.com", None);
        assert_eq!(
            resolver
                .slug_for_host("globex.backoffice.example.com")
                .as_deref(),
            Some("globex")
        );
        assert_eq!(resolver.slug_for_host("backoffice.example.com"), None);
        assert_eq!(resolver.slug_for_host("[::1]:8080"), None);
    }
}
