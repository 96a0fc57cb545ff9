//! Configuration: built-in defaults, overridden by an optional TOML file,
//! overridden by environment variables and command-line flags. One struct
//! (`Overrides`) names every setting once for the file, the environment and
//! the flags; `Settings` is the resolved result the program uses.

use crate::db::DatabaseLocation;
use clap::Args;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every setting, each optional: a layer of configuration.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "BACKOFFICE_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Folder for the SQLite file, mail files and other local state [default: ./data]
    #[arg(long, env = "BACKOFFICE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://user:pass@host/db` selects PostgreSQL; empty means SQLite in the data folder
    #[arg(
        long,
        env = "BACKOFFICE_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Most database connections per process [default: 16]
    #[arg(long, env = "BACKOFFICE_DATABASE_POOL_SIZE", global = true)]
    pub database_pool_size: Option<u32>,
    /// The built single-page app to serve [default: ./dist]
    #[arg(long, env = "BACKOFFICE_STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,
    /// How a host name names its tenant [default: {tenant}.localhost]
    #[arg(long, env = "BACKOFFICE_TENANT_HOST_PATTERN", global = true)]
    pub tenant_host_pattern: Option<String>,
    /// Tenant for host names that do not match the pattern; empty for none [default: default]
    #[arg(long, env = "BACKOFFICE_DEFAULT_TENANT", global = true)]
    pub default_tenant: Option<String>,
    /// `iss` of issued tokens [default: backoffice]
    #[arg(long, env = "BACKOFFICE_TOKEN_ISSUER", global = true)]
    pub token_issuer: Option<String>,
    /// `aud` of issued tokens [default: backoffice]
    #[arg(long, env = "BACKOFFICE_TOKEN_AUDIENCE", global = true)]
    pub token_audience: Option<String>,
    /// Access token lifetime in seconds [default: 900]
    #[arg(long, env = "BACKOFFICE_ACCESS_TOKEN_TTL", global = true)]
    pub access_token_ttl: Option<u64>,
    /// Refresh token lifetime (idle session timeout) in seconds [default: 604800]
    #[arg(long, env = "BACKOFFICE_REFRESH_TOKEN_TTL", global = true)]
    pub refresh_token_ttl: Option<u64>,
    /// A refresh token used again within this many seconds is honoured (tabs restored at once) [default: 10]
    #[arg(long, env = "BACKOFFICE_REFRESH_REUSE_GRACE", global = true)]
    pub refresh_reuse_grace: Option<u64>,
    /// Longest a session lives, refreshed or not, in seconds [default: 2592000]
    #[arg(long, env = "BACKOFFICE_SESSION_MAX_AGE", global = true)]
    pub session_max_age: Option<u64>,
    /// Signing keys rotate after this many seconds [default: 2592000]
    #[arg(long, env = "BACKOFFICE_KEY_ROTATION", global = true)]
    pub key_rotation: Option<u64>,
    /// Failed sign-ins of one account from one address before it waits [default: 5]
    #[arg(long, env = "BACKOFFICE_LOCKOUT_THRESHOLD", global = true)]
    pub lockout_threshold: Option<u32>,
    /// The first wait in seconds; each further failure doubles it [default: 30]
    #[arg(long, env = "BACKOFFICE_LOCKOUT_BASE_SECONDS", global = true)]
    pub lockout_base_seconds: Option<u64>,
    /// The longest wait in seconds [default: 900]
    #[arg(long, env = "BACKOFFICE_LOCKOUT_MAX_SECONDS", global = true)]
    pub lockout_max_seconds: Option<u64>,
    /// Failed sign-ins from one address, any account, before it waits [default: 50]
    #[arg(long, env = "BACKOFFICE_ADDRESS_THRESHOLD", global = true)]
    pub address_threshold: Option<u32>,
    /// Failed sign-ins of one account, any address, per window before it locks [default: 100]
    #[arg(long, env = "BACKOFFICE_ACCOUNT_CEILING", global = true)]
    pub account_ceiling: Option<u32>,
    /// The window of the account ceiling, and how long failures are remembered, in seconds [default: 86400]
    #[arg(long, env = "BACKOFFICE_FAILURE_WINDOW", global = true)]
    pub failure_window: Option<u64>,
    /// The reverse proxy's address: only its forwarding headers (client
    /// address, https, host) count
    #[arg(long, env = "BACKOFFICE_TRUSTED_PROXY", global = true)]
    pub trusted_proxy: Option<String>,
}

impl Overrides {
    /// `self` where set, else `lower`.
    fn over(self, lower: Overrides) -> Overrides {
        Overrides {
            listen: self.listen.or(lower.listen),
            data_dir: self.data_dir.or(lower.data_dir),
            database_url: self.database_url.or(lower.database_url),
            database_pool_size: self.database_pool_size.or(lower.database_pool_size),
            static_dir: self.static_dir.or(lower.static_dir),
            tenant_host_pattern: self.tenant_host_pattern.or(lower.tenant_host_pattern),
            default_tenant: self.default_tenant.or(lower.default_tenant),
            token_issuer: self.token_issuer.or(lower.token_issuer),
            token_audience: self.token_audience.or(lower.token_audience),
            access_token_ttl: self.access_token_ttl.or(lower.access_token_ttl),
            refresh_token_ttl: self.refresh_token_ttl.or(lower.refresh_token_ttl),
            refresh_reuse_grace: self.refresh_reuse_grace.or(lower.refresh_reuse_grace),
            session_max_age: self.session_max_age.or(lower.session_max_age),
            key_rotation: self.key_rotation.or(lower.key_rotation),
            lockout_threshold: self.lockout_threshold.or(lower.lockout_threshold),
            lockout_base_seconds: self.lockout_base_seconds.or(lower.lockout_base_seconds),
            lockout_max_seconds: self.lockout_max_seconds.or(lower.lockout_max_seconds),
            address_threshold: self.address_threshold.or(lower.address_threshold),
            account_ceiling: self.account_ceiling.or(lower.account_ceiling),
            failure_window: self.failure_window.or(lower.failure_window),
            trusted_proxy: self.trusted_proxy.or(lower.trusted_proxy),
        }
    }
}

/// Brute-force protection settings; see `auth::throttle`.
#[derive(Debug, Clone)]
pub struct LockoutSettings {
    pub threshold: u32,
    pub base: Duration,
    pub max: Duration,
    pub address_threshold: u32,
    pub account_ceiling: u32,
    pub window: Duration,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseLocation,
    pub database_pool_size: u32,
    pub static_dir: PathBuf,
    pub tenant_host_pattern: String,
    pub default_tenant: Option<String>,
    pub token_issuer: String,
    pub token_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub refresh_reuse_grace: Duration,
    pub session_max_age: Duration,
    pub key_rotation: Duration,
    pub lockout: LockoutSettings,
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl Settings {
    /// Resolves the layers: `cli` (flags and environment) over the file at
    /// `config_file` over the defaults.
    pub fn load(config_file: Option<&Path>, cli: Overrides) -> anyhow::Result<Settings> {
        let file = match config_file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                toml::from_str::<Overrides>(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            None => Overrides::default(),
        };
        Settings::from_overrides(cli.over(file))
    }

    pub fn from_overrides(o: Overrides) -> anyhow::Result<Settings> {
        let listen_text = o.listen.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = listen_text
            .parse()
            .map_err(|e| anyhow::anyhow!("listen address `{listen_text}`: {e}"))?;
        let data_dir = o.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database = DatabaseLocation::resolve(o.database_url.as_deref(), &data_dir);
        let trusted_proxy = match o.trusted_proxy.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                text.parse()
                    .map_err(|e| anyhow::anyhow!("trusted proxy `{text}`: {e}"))?,
            ),
        };
        let tenant_host_pattern = o
            .tenant_host_pattern
            .unwrap_or_else(|| "{tenant}.localhost".to_owned());
        if !tenant_host_pattern.contains("{tenant}") {
            anyhow::bail!("the tenant host pattern must contain {{tenant}}");
        }
        let seconds =
            |value: Option<u64>, default: u64| Duration::from_secs(value.unwrap_or(default));
        Ok(Settings {
            listen,
            database,
            database_pool_size: o.database_pool_size.unwrap_or(16).max(1),
            static_dir: o.static_dir.unwrap_or_else(|| PathBuf::from("dist")),
            tenant_host_pattern,
            default_tenant: match o.default_tenant {
                None => Some("default".to_owned()),
                Some(slug) if slug.trim().is_empty() => None,
                Some(slug) => Some(slug.trim().to_lowercase()),
            },
            token_issuer: o.token_issuer.unwrap_or_else(|| "backoffice".to_owned()),
            token_audience: o.token_audience.unwrap_or_else(|| "backoffice".to_owned()),
            access_token_ttl: seconds(o.access_token_ttl, 900),
            refresh_token_ttl: seconds(o.refresh_token_ttl, 7 * 86_400),
            refresh_reuse_grace: seconds(o.refresh_reuse_grace, 10),
            session_max_age: seconds(o.session_max_age, 30 * 86_400),
            key_rotation: seconds(o.key_rotation, 30 * 86_400),
            lockout: LockoutSettings {
                threshold: o.lockout_threshold.unwrap_or(5).max(1),
                base: seconds(o.lockout_base_seconds, 30),
                max: seconds(o.lockout_max_seconds, 900),
                address_threshold: o.address_threshold.unwrap_or(50).max(1),
                account_ceiling: o.account_ceiling.unwrap_or(100).max(1),
                window: seconds(o.failure_window, 86_400),
            },
            trusted_proxy,
            data_dir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() -> anyhow::Result<()> {
        let file: Overrides = toml::from_str("listen = \"0.0.0.0:9000\"\naccess_token_ttl = 60\n")?;
        let cli = Overrides {
            listen: Some("127.0.0.1:7000".to_owned()),
            ..Overrides::default()
        };
        let settings = Settings::from_overrides(cli.over(file))?;
        assert_eq!(settings.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(settings.access_token_ttl, Duration::from_secs(60));
        assert_eq!(settings.default_tenant.as_deref(), Some("default"));
        assert_eq!(
            settings.database,
            DatabaseLocation::Sqlite("data/backoffice.sqlite3".to_owned())
        );
        Ok(())
    }

    #[test]
    fn a_postgres_url_selects_postgres_and_empty_default_tenant_means_none() -> anyhow::Result<()> {
        let settings = Settings::from_overrides(Overrides {
            database_url: Some("postgres://u:secret@db:5432/bo".to_owned()),
            default_tenant: Some(String::new()),
            ..Overrides::default()
        })?;
        assert!(matches!(settings.database, DatabaseLocation::Postgres(_)));
        assert_eq!(settings.database.describe(), "PostgreSQL at db:5432/bo");
        assert_eq!(settings.default_tenant, None);
        Ok(())
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Overrides>("lisen = \"x\"").is_err());
    }
}
