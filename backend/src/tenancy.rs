//! Which tenant a request is for, from its host name: the configured pattern
//! (`{tenant}.localhost`, `{tenant}.backoffice.example.com`) names the
//! tenant; a host that does not match falls back to the default tenant, if
//! one is configured. A host that matches but names no tenant is refused,
//! never sent to the default. Tenants are cached briefly per process.

use crate::error::ApiError;
use crate::model::tenant::Tenant;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
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

    /// The tenant for a host, from the cache or the database.
    pub async fn resolve(&self, state: &AppState, host: &str) -> Result<Tenant, ApiError> {
        let slug = self
            .slug_for_host(host)
            .ok_or_else(ApiError::unknown_tenant)?;
        if let Some(tenant) = self.cached(&slug) {
            return Ok(tenant);
        }
        let lookup = slug.clone();
        let tenant = crate::db::run(&state.pool, move |conn| {
            Ok(Tenant::find_by_slug(conn, &lookup)?)
        })
        .await?
        .ok_or_else(ApiError::unknown_tenant)?;
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
            cache.insert(slug, (tenant.clone(), Instant::now()));
        }
        Ok(tenant)
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

/// The request's tenant, as an extractor.
pub struct RequestTenant(pub Tenant);

impl FromRequest for RequestTenant {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let host = state
            .as_ref()
            .map(|state| crate::auth::client::host(req, state))
            .unwrap_or_default();
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                ApiError::unexpected(anyhow::anyhow!("no app state"), "tenant resolution")
            })?;
            state
                .tenants
                .resolve(&state, &host)
                .await
                .map(RequestTenant)
        })
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
