//! Configuration: built-in defaults, overridden by an optional TOML file,
//! overridden by environment variables and command-line flags. One struct
//! (`Overrides`) names every setting once for the file, the environment and
//! the flags; `Settings` is the resolved result the program uses.

use crate::db::DatabaseLocation;
use crate::net::{ForwardedHeaders, TrustedProxies};
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
    /// A session ends after this many seconds without use (the refresh token's lifetime) [default: 1800]
    #[arg(long, env = "BACKOFFICE_REFRESH_TOKEN_TTL", global = true)]
    pub refresh_token_ttl: Option<u64>,
    /// A refresh token used again within this many seconds is honoured (tabs restored at once) [default: 10]
    #[arg(long, env = "BACKOFFICE_REFRESH_REUSE_GRACE", global = true)]
    pub refresh_reuse_grace: Option<u64>,
    /// Longest a session lives, refreshed or not, in seconds [default: 43200]
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
    /// Failed sign-ins of one account from browsers it never signed in on, any address, per window before they wait [default: 100]
    #[arg(long, env = "BACKOFFICE_ACCOUNT_CEILING", global = true)]
    pub account_ceiling: Option<u32>,
    /// The window of the account ceiling, and how long failures are remembered, in seconds [default: 86400]
    #[arg(long, env = "BACKOFFICE_FAILURE_WINDOW", global = true)]
    pub failure_window: Option<u64>,
    /// Reverse proxies whose forwarding headers (client address, https,
    /// host) count: a comma-separated list of addresses and CIDR ranges
    #[arg(long, env = "BACKOFFICE_TRUSTED_PROXY", global = true)]
    pub trusted_proxy: Option<String>,
    /// Which headers the trusted proxies write, `x-forwarded` or `forwarded`
    /// (RFC 7239); the other family is ignored [default: x-forwarded]
    #[arg(long, env = "BACKOFFICE_TRUSTED_PROXY_HEADERS", global = true)]
    pub trusted_proxy_headers: Option<String>,
    /// How the deployment is reached, e.g. `https://{tenant}.backoffice.example.com`;
    /// with https, cookies are `Secure` and `__Host-` and HSTS is always sent
    #[arg(long, env = "BACKOFFICE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// File with the key that encrypts signing keys at rest [default: secret.key in the data folder, made at first start]
    #[arg(long, env = "BACKOFFICE_SECRET_KEY_FILE", global = true)]
    pub secret_key_file: Option<PathBuf>,
    /// Sign-ins that may wait for a hashing thread; beyond it, 503 at once [default: 256]
    #[arg(long, env = "BACKOFFICE_HASH_QUEUE", global = true)]
    pub hash_queue: Option<u32>,
    /// Mail server, e.g. `smtps://user:pass@mail.example.com`, `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtp://127.0.0.1:2525` (plain); empty writes mail to files in the data folder [default: empty]
    #[arg(
        long,
        env = "BACKOFFICE_SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of every mail [default: Backoffice <no-reply@localhost>]
    #[arg(long, env = "BACKOFFICE_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// A password reset link works for this many seconds [default: 1800]
    #[arg(long, env = "BACKOFFICE_RESET_TOKEN_TTL", global = true)]
    pub reset_token_ttl: Option<u64>,
    /// An invitation link works for this many seconds [default: 259200, 72 hours]
    #[arg(long, env = "BACKOFFICE_INVITATION_TTL", global = true)]
    pub invitation_ttl: Option<u64>,
    /// Reset mails per account within one reset link lifetime [default: 3]
    #[arg(long, env = "BACKOFFICE_RESET_ACCOUNT_LIMIT", global = true)]
    pub reset_account_limit: Option<u32>,
    /// Reset requests per client address within one reset link lifetime [default: 20]
    #[arg(long, env = "BACKOFFICE_RESET_ADDRESS_LIMIT", global = true)]
    pub reset_address_limit: Option<u32>,
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
            trusted_proxy_headers: self.trusted_proxy_headers.or(lower.trusted_proxy_headers),
            public_url: self.public_url.or(lower.public_url),
            secret_key_file: self.secret_key_file.or(lower.secret_key_file),
            hash_queue: self.hash_queue.or(lower.hash_queue),
            smtp_url: self.smtp_url.or(lower.smtp_url),
            mail_from: self.mail_from.or(lower.mail_from),
            reset_token_ttl: self.reset_token_ttl.or(lower.reset_token_ttl),
            invitation_ttl: self.invitation_ttl.or(lower.invitation_ttl),
            reset_account_limit: self.reset_account_limit.or(lower.reset_account_limit),
            reset_address_limit: self.reset_address_limit.or(lower.reset_address_limit),
        }
    }
}

/// Brute-force protection settings; see `auth::throttle`.
#[derive(Debug, Clone)]
pub struct LockoutSettings {
    /// Failures of one account from one address (or one known browser)
    /// before that pair waits.
    pub threshold: u32,
    pub base: Duration,
    pub max: Duration,
    pub address_threshold: u32,
    /// Failures of one account from unknown browsers before they all wait.
    pub account_ceiling: u32,
    pub window: Duration,
}

/// Password reset settings; see `flows::password_reset`.
#[derive(Debug, Clone)]
pub struct ResetSettings {
    pub token_ttl: Duration,
    /// How long an invitation link works.
    pub invitation_ttl: Duration,
    /// Reset mails per account within one token lifetime.
    pub account_limit: u32,
    /// Reset requests per client address within one token lifetime.
    pub address_limit: u32,
}

/// How the deployment is reached from outside: the scheme and the host
/// pattern of `BACKOFFICE_PUBLIC_URL`. Mail links are built from it, never
/// from a request's `Host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    pub https: bool,
    /// `https://{tenant}.backoffice.example.com`, no trailing slash.
    pub pattern: String,
}

impl PublicUrl {
    fn parse(text: &str) -> anyhow::Result<Self> {
        let pattern = text.trim().trim_end_matches('/').to_owned();
        let https = if pattern.starts_with("https://") {
            true
        } else if pattern.starts_with("http://") {
            false
        } else {
            anyhow::bail!(
                "BACKOFFICE_PUBLIC_URL (--public-url) must start with https:// or http://, not `{text}`"
            );
        };
        let host = pattern.split_once("://").map_or("", |(_, host)| host);
        if host.is_empty() || host.contains(['/', '?', '#', ' ']) {
            anyhow::bail!(
                "BACKOFFICE_PUBLIC_URL (--public-url) must be a scheme and a host, such as https://{{tenant}}.backoffice.example.com, not `{text}`"
            );
        }
        Ok(PublicUrl { https, pattern })
    }

    /// Without `BACKOFFICE_PUBLIC_URL`: plain http to the tenant host
    /// pattern on the port the server listens on, which is how a local
    /// user reaches it.
    pub fn local(host_pattern: &str, port: u16) -> Self {
        PublicUrl {
            https: false,
            pattern: format!("http://{host_pattern}:{port}"),
        }
    }

    /// The address of one tenant, e.g. `https://acme.backoffice.example.com`.
    pub fn for_tenant(&self, slug: &str) -> String {
        self.pattern.replace("{tenant}", slug)
    }
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
    pub trusted_proxies: TrustedProxies,
    pub forwarded_headers: ForwardedHeaders,
    pub public_url: Option<PublicUrl>,
    pub secret_key_file: PathBuf,
    pub hash_queue: usize,
    /// `None`: mail goes to files in `data_dir/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub password_reset: ResetSettings,
}

/// One numeric setting: its names, for the message, and its allowed range.
struct Bounded {
    env: &'static str,
    flag: &'static str,
    min: u64,
    max: u64,
    unit: &'static str,
}

impl Bounded {
    const fn new(env: &'static str, flag: &'static str, min: u64, max: u64) -> Self {
        Bounded {
            env,
            flag,
            min,
            max,
            unit: "",
        }
    }

    const fn seconds(env: &'static str, flag: &'static str, min: u64, max: u64) -> Self {
        Bounded {
            env,
            flag,
            min,
            max,
            unit: " seconds",
        }
    }

    /// `value` (or `default`), refused with a message naming the setting
    /// when it is out of range.
    fn check(&self, value: Option<u64>, default: u64) -> anyhow::Result<u64> {
        let value = value.unwrap_or(default);
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            anyhow::bail!(
                "{} (--{}) must be between {} and {}{}, not {value}",
                self.env,
                self.flag,
                self.min,
                self.max,
                self.unit
            )
        }
    }

    fn duration(&self, value: Option<u64>, default: u64) -> anyhow::Result<Duration> {
        self.check(value, default).map(Duration::from_secs)
    }

    fn count(&self, value: Option<u32>, default: u32) -> anyhow::Result<u32> {
        let checked = self.check(value.map(u64::from), u64::from(default))?;
        Ok(u32::try_from(checked).unwrap_or(u32::MAX))
    }
}

const DAY: u64 = 86_400;

/// The range of every number a deployment may set. Bounds keep the
/// protections on (no zero thresholds, no session without an end) and the
/// arithmetic on them far from overflow.
mod bounds {
    use super::{Bounded, DAY};
    pub const POOL: Bounded = Bounded::new(
        "BACKOFFICE_DATABASE_POOL_SIZE",
        "database-pool-size",
        1,
        512,
    );
    pub const ACCESS_TTL: Bounded =
        Bounded::seconds("BACKOFFICE_ACCESS_TOKEN_TTL", "access-token-ttl", 30, 3_600);
    pub const IDLE: Bounded = Bounded::seconds(
        "BACKOFFICE_REFRESH_TOKEN_TTL",
        "refresh-token-ttl",
        60,
        30 * DAY,
    );
    pub const GRACE: Bounded = Bounded::seconds(
        "BACKOFFICE_REFRESH_REUSE_GRACE",
        "refresh-reuse-grace",
        0,
        60,
    );
    pub const MAX_AGE: Bounded = Bounded::seconds(
        "BACKOFFICE_SESSION_MAX_AGE",
        "session-max-age",
        60,
        90 * DAY,
    );
    pub const ROTATION: Bounded =
        Bounded::seconds("BACKOFFICE_KEY_ROTATION", "key-rotation", 3_600, 365 * DAY);
    pub const RESET_TTL: Bounded =
        Bounded::seconds("BACKOFFICE_RESET_TOKEN_TTL", "reset-token-ttl", 60, DAY);
    pub const INVITATION_TTL: Bounded = Bounded::seconds(
        "BACKOFFICE_INVITATION_TTL",
        "invitation-ttl",
        3_600,
        30 * DAY,
    );
    pub const RESET_ACCOUNT: Bounded = Bounded::new(
        "BACKOFFICE_RESET_ACCOUNT_LIMIT",
        "reset-account-limit",
        1,
        100,
    );
    pub const RESET_ADDRESS: Bounded = Bounded::new(
        "BACKOFFICE_RESET_ADDRESS_LIMIT",
        "reset-address-limit",
        1,
        10_000,
    );
    pub const THRESHOLD: Bounded = Bounded::new(
        "BACKOFFICE_LOCKOUT_THRESHOLD",
        "lockout-threshold",
        1,
        1_000,
    );
    pub const BASE: Bounded = Bounded::seconds(
        "BACKOFFICE_LOCKOUT_BASE_SECONDS",
        "lockout-base-seconds",
        1,
        3_600,
    );
    pub const MAX_WAIT: Bounded = Bounded::seconds(
        "BACKOFFICE_LOCKOUT_MAX_SECONDS",
        "lockout-max-seconds",
        1,
        DAY,
    );
    pub const ADDRESS: Bounded = Bounded::new(
        "BACKOFFICE_ADDRESS_THRESHOLD",
        "address-threshold",
        1,
        1_000_000,
    );
    pub const CEILING: Bounded = Bounded::new(
        "BACKOFFICE_ACCOUNT_CEILING",
        "account-ceiling",
        1,
        1_000_000,
    );
    pub const WINDOW: Bounded =
        Bounded::seconds("BACKOFFICE_FAILURE_WINDOW", "failure-window", 60, 30 * DAY);
    pub const QUEUE: Bounded = Bounded::new("BACKOFFICE_HASH_QUEUE", "hash-queue", 1, 100_000);
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
            .map_err(|e| anyhow::anyhow!("BACKOFFICE_LISTEN (--listen) `{listen_text}`: {e}"))?;
        let data_dir = o.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database = DatabaseLocation::resolve(o.database_url.as_deref(), &data_dir);
        let trusted_proxies = TrustedProxies::parse(o.trusted_proxy.as_deref().unwrap_or(""))
            .map_err(|e| anyhow::anyhow!("BACKOFFICE_TRUSTED_PROXY (--trusted-proxy): {e}"))?;
        let forwarded_headers = match o.trusted_proxy_headers.as_deref() {
            None => ForwardedHeaders::default(),
            Some(text) => text.parse().map_err(|e| {
                anyhow::anyhow!("BACKOFFICE_TRUSTED_PROXY_HEADERS (--trusted-proxy-headers): {e}")
            })?,
        };
        let tenant_host_pattern = o
            .tenant_host_pattern
            .unwrap_or_else(|| "{tenant}.localhost".to_owned());
        if !tenant_host_pattern.contains("{tenant}") {
            anyhow::bail!(
                "BACKOFFICE_TENANT_HOST_PATTERN (--tenant-host-pattern) must contain {{tenant}}"
            );
        }
        let public_url = match o.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(PublicUrl::parse(text)?),
        };
        let access_token_ttl = bounds::ACCESS_TTL.duration(o.access_token_ttl, 900)?;
        let refresh_token_ttl = bounds::IDLE.duration(o.refresh_token_ttl, 1_800)?;
        let session_max_age = bounds::MAX_AGE.duration(o.session_max_age, 12 * 3_600)?;
        let key_rotation = bounds::ROTATION.duration(o.key_rotation, 30 * DAY)?;
        let lockout = LockoutSettings {
            threshold: bounds::THRESHOLD.count(o.lockout_threshold, 5)?,
            base: bounds::BASE.duration(o.lockout_base_seconds, 30)?,
            max: bounds::MAX_WAIT.duration(o.lockout_max_seconds, 900)?,
            address_threshold: bounds::ADDRESS.count(o.address_threshold, 50)?,
            account_ceiling: bounds::CEILING.count(o.account_ceiling, 100)?,
            window: bounds::WINDOW.duration(o.failure_window, DAY)?,
        };
        if lockout.max < lockout.base {
            anyhow::bail!(
                "BACKOFFICE_LOCKOUT_MAX_SECONDS ({}) must not be below BACKOFFICE_LOCKOUT_BASE_SECONDS ({})",
                lockout.max.as_secs(),
                lockout.base.as_secs()
            );
        }
        Ok(Settings {
            listen,
            database,
            database_pool_size: bounds::POOL.count(o.database_pool_size, 16)?,
            static_dir: o.static_dir.unwrap_or_else(|| PathBuf::from("dist")),
            tenant_host_pattern,
            default_tenant: match o.default_tenant {
                None => Some("default".to_owned()),
                Some(slug) if slug.trim().is_empty() => None,
                Some(slug) => Some(slug.trim().to_lowercase()),
            },
            token_issuer: o.token_issuer.unwrap_or_else(|| "backoffice".to_owned()),
            token_audience: o.token_audience.unwrap_or_else(|| "backoffice".to_owned()),
            access_token_ttl,
            refresh_token_ttl,
            refresh_reuse_grace: bounds::GRACE.duration(o.refresh_reuse_grace, 10)?,
            session_max_age,
            key_rotation,
            lockout,
            trusted_proxies,
            forwarded_headers,
            public_url,
            secret_key_file: o
                .secret_key_file
                .unwrap_or_else(|| data_dir.join("secret.key")),
            hash_queue: usize::try_from(bounds::QUEUE.count(o.hash_queue, 256)?)
                .unwrap_or(usize::MAX),
            smtp_url: o
                .smtp_url
                .map(|url| url.trim().to_owned())
                .filter(|url| !url.is_empty()),
            mail_from: o
                .mail_from
                .map(|from| from.trim().to_owned())
                .filter(|from| !from.is_empty())
                .unwrap_or_else(|| "Backoffice <no-reply@localhost>".to_owned()),
            password_reset: ResetSettings {
                token_ttl: bounds::RESET_TTL.duration(o.reset_token_ttl, 1_800)?,
                invitation_ttl: bounds::INVITATION_TTL.duration(o.invitation_ttl, 3 * DAY)?,
                account_limit: bounds::RESET_ACCOUNT.count(o.reset_account_limit, 3)?,
                address_limit: bounds::RESET_ADDRESS.count(o.reset_address_limit, 20)?,
            },
            data_dir,
        })
    }

    /// Whether clients reach this deployment over https: the public URL
    /// says so, whatever a proxy's headers say.
    pub fn public_https(&self) -> bool {
        self.public_url.as_ref().is_some_and(|url| url.https)
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
    fn an_out_of_range_value_stops_the_start_and_names_the_setting() {
        let refused = |o: Overrides| Settings::from_overrides(o).err().map(|e| e.to_string());
        let zero_threshold = refused(Overrides {
            lockout_threshold: Some(0),
            ..Overrides::default()
        });
        assert!(
            zero_threshold.is_some_and(|m| m.contains("BACKOFFICE_LOCKOUT_THRESHOLD")
                && m.contains("--lockout-threshold")
                && m.contains("not 0"))
        );
        let endless = refused(Overrides {
            session_max_age: Some(u64::MAX),
            ..Overrides::default()
        });
        assert!(endless.is_some_and(|m| m.contains("BACKOFFICE_SESSION_MAX_AGE")));
        let proxy = refused(Overrides {
            trusted_proxy: Some("10.0.0.0/40".to_owned()),
            ..Overrides::default()
        });
        assert!(proxy.is_some_and(|m| m.contains("BACKOFFICE_TRUSTED_PROXY")));
        let url = refused(Overrides {
            public_url: Some("ftp://{tenant}.example.com".to_owned()),
            ..Overrides::default()
        });
        assert!(url.is_some_and(|m| m.contains("BACKOFFICE_PUBLIC_URL")));
    }

    #[test]
    fn defaults_meet_asvs_session_lifetimes() -> anyhow::Result<()> {
        let settings = Settings::from_overrides(Overrides::default())?;
        assert_eq!(settings.session_max_age, Duration::from_secs(12 * 3_600));
        assert_eq!(settings.refresh_token_ttl, Duration::from_secs(30 * 60));
        Ok(())
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Overrides>("lisen = \"x\"").is_err());
    }
}
