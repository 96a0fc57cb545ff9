//! `spawn_app()`: the real server on a free port with its own database
//! (a fresh SQLite file, or a fresh PostgreSQL database when
//! `BACKOFFICE_TEST_POSTGRES_URL` names a server), plus helpers to seed
//! tenants and accounts and to call the API the way a client would.

use backoffice::admin::{self, NewAccount};
use backoffice::auth::password::PasswordHasher;
use backoffice::db::{self, DbPool};
use backoffice::settings::{Overrides, Settings};
use backoffice::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::{Client, Response};
use secrecy::SecretString;
use serde_json::Value;
use shared::Role;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub const TENANTS: [&str; 3] = ["acme", "globex", "initech"];

/// Knobs a test may turn before the app starts.
#[derive(Clone)]
pub struct TestConfig {
    pub lockout_threshold: u32,
    pub lockout_base_seconds: u64,
    pub lockout_max_seconds: u64,
    pub address_threshold: u32,
    pub account_ceiling: u32,
    pub key_rotation_seconds: u64,
    pub refresh_reuse_grace_seconds: u64,
    /// The proxies whose forwarding headers count (`BACKOFFICE_TRUSTED_PROXY`).
    pub trusted_proxy: Option<&'static str>,
    /// `BACKOFFICE_PUBLIC_URL`.
    pub public_url: Option<&'static str>,
    /// Sign-ins that may wait for a hashing thread (`BACKOFFICE_HASH_QUEUE`).
    pub hash_queue: u32,
    /// `BACKOFFICE_SMTP_URL`; `None` writes mail to files.
    pub smtp_url: Option<String>,
    pub reset_account_limit: u32,
    pub reset_address_limit: u32,
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            lockout_threshold: 3,
            lockout_base_seconds: 1,
            lockout_max_seconds: 8,
            address_threshold: 50,
            account_ceiling: 100,
            key_rotation_seconds: 30 * 86_400,
            // Tests of reuse detection see it at once.
            refresh_reuse_grace_seconds: 0,
            trusted_proxy: None,
            public_url: None,
            hash_queue: 256,
            smtp_url: None,
            reset_account_limit: 3,
            reset_address_limit: 20,
        }
    }
}

pub struct TestApp {
    pub port: u16,
    /// The running server's shared state (key ring, pool, settings).
    pub state: actix_web::web::Data<backoffice::state::AppState>,
    /// What `--database-url` must say to reach this app's database.
    pub database_url: String,
    pub data_dir: std::path::PathBuf,
    pub pool: DbPool,
    pub hasher: PasswordHasher,
    _data_dir: tempfile::TempDir,
}

fn hasher() -> PasswordHasher {
    static HASHER: OnceLock<PasswordHasher> = OnceLock::new();
    HASHER
        .get_or_init(|| match PasswordHasher::new(2, 64) {
            Ok(h) => h,
            Err(e) => panic!("hasher: {e}"),
        })
        .clone()
}

/// A fresh, empty PostgreSQL database on the test server, if one is set.
pub fn fresh_postgres_database() -> Option<String> {
    let server = std::env::var("BACKOFFICE_TEST_POSTGRES_URL").ok()?;
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = diesel::PgConnection::establish(&server)
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {server}: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
    let base = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

/// A stand-in for the built web app: the server only needs its files.
fn static_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    let dir = data_dir.join("dist");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("static dir: {e}"));
    std::fs::write(dir.join("index.html"), SPA_INDEX).unwrap_or_else(|e| panic!("index: {e}"));
    dir
}

pub const SPA_INDEX: &str = "<!doctype html><title>Backoffice</title><p>app shell</p>";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestConfig::default()).await
}

pub async fn spawn_app_with(config: TestConfig) -> TestApp {
    backoffice::init_logging_for_tests();
    let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let database_url = fresh_postgres_database();
    let settings = Settings::from_overrides(Overrides {
        listen: Some("127.0.0.1:0".to_owned()),
        data_dir: Some(data_dir.path().to_path_buf()),
        database_url: database_url.clone(),
        database_pool_size: Some(4),
        static_dir: Some(static_dir(data_dir.path())),
        lockout_threshold: Some(config.lockout_threshold),
        lockout_base_seconds: Some(config.lockout_base_seconds),
        lockout_max_seconds: Some(config.lockout_max_seconds),
        address_threshold: Some(config.address_threshold),
        account_ceiling: Some(config.account_ceiling),
        key_rotation: Some(config.key_rotation_seconds),
        refresh_reuse_grace: Some(config.refresh_reuse_grace_seconds),
        trusted_proxy: config.trusted_proxy.map(str::to_owned),
        public_url: config.public_url.map(str::to_owned),
        hash_queue: Some(config.hash_queue),
        smtp_url: config.smtp_url.clone(),
        reset_account_limit: Some(config.reset_account_limit),
        reset_address_limit: Some(config.reset_address_limit),
        // Only hosts that name a tenant reach one: tests always name it.
        default_tenant: Some(String::new()),
        ..Overrides::default()
    })
    .unwrap_or_else(|e| panic!("settings: {e}"));
    let pool = db::connect(&settings.database, 4).unwrap_or_else(|e| panic!("database: {e}"));
    let app = Application::build_with_pool(settings, pool.clone())
        .unwrap_or_else(|e| panic!("build: {e}"));
    let port = app.port();
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        port,
        state,
        database_url: database_url.unwrap_or_default(),
        data_dir: data_dir.path().to_path_buf(),
        pool,
        hasher: hasher(),
        _data_dir: data_dir,
    }
}

/// A browser-like client (keeps cookies) calling from `local` (any
/// 127.x.y.z address), which lets tests act from several client addresses.
pub fn client_from(app: &TestApp, local: &str) -> Client {
    let ip: IpAddr = local.parse().unwrap_or_else(|e| panic!("{local}: {e}"));
    let mut builder = Client::builder()
        .cookie_store(true)
        .local_address(ip)
        .redirect(reqwest::redirect::Policy::none());
    for tenant in TENANTS {
        builder = builder.resolve(
            &format!("{tenant}.localhost"),
            SocketAddr::from(([127, 0, 0, 1], app.port)),
        );
    }
    builder.build().unwrap_or_else(|e| panic!("client: {e}"))
}

pub fn client(app: &TestApp) -> Client {
    client_from(app, "127.0.0.1")
}

impl TestApp {
    pub fn url(&self, tenant: &str, path: &str) -> String {
        format!("http://{tenant}.localhost:{}{path}", self.port)
    }

    pub fn tenant(&self, slug: &str) {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("pool: {e}"));
        admin::create_tenant(&mut conn, slug, &format!("{slug} Corp"))
            .unwrap_or_else(|e| panic!("tenant: {e}"));
    }

    pub fn facility(&self, tenant: &str, code: &str, name: &str) {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("pool: {e}"));
        admin::create_facility(&mut conn, tenant, code, name)
            .unwrap_or_else(|e| panic!("facility: {e}"));
    }

    /// An account with the given role and facilities; returns its id.
    pub fn user(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        role: Role,
        facilities: &[&str],
        active: bool,
    ) -> String {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("pool: {e}"));
        admin::create_user(
            &mut conn,
            &self.hasher,
            NewAccount {
                tenant_slug: tenant.to_owned(),
                username: username.to_owned(),
                first_name: "Test".to_owned(),
                last_name: username.to_owned(),
                email: None,
                role,
                facility_codes: facilities.iter().map(|f| (*f).to_owned()).collect(),
                locale: "en".to_owned(),
                active,
                password: SecretString::from(password.to_owned()),
                temporary_password: false,
            },
        )
        .unwrap_or_else(|e| panic!("user: {e}"))
        .id
    }

    /// An active account with an email address, in `locale`; returns its id.
    pub fn user_with_email(
        &self,
        tenant: &str,
        username: &str,
        password: &str,
        email: &str,
        locale: &str,
    ) -> String {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("pool: {e}"));
        admin::create_user(
            &mut conn,
            &self.hasher,
            NewAccount {
                tenant_slug: tenant.to_owned(),
                username: username.to_owned(),
                first_name: "Test".to_owned(),
                last_name: username.to_owned(),
                email: Some(email.to_owned()),
                role: Role::Administrator,
                facility_codes: Vec::new(),
                locale: locale.to_owned(),
                active: true,
                password: SecretString::from(password.to_owned()),
                temporary_password: false,
            },
        )
        .unwrap_or_else(|e| panic!("user: {e}"))
        .id
    }

    /// Runs `sql` on this app's database (to age a row, or to make an
    /// account that only a later feature can make).
    pub fn execute(&self, sql: &str) {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("pool: {e}"));
        conn.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// `POST /api/v1/password-resets` for `username` from `client`.
    pub async fn request_reset(&self, client: &Client, tenant: &str, username: &str) -> Response {
        client
            .post(self.url(tenant, "/api/v1/password-resets"))
            .json(&serde_json::json!({ "username": username }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("reset request: {e}"))
    }

    pub async fn verify_reset(&self, tenant: &str, token: &str) -> Response {
        client(self)
            .post(self.url(tenant, "/api/v1/password-resets/verify"))
            .json(&serde_json::json!({ "token": token }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("reset verify: {e}"))
    }

    pub async fn confirm_reset(
        &self,
        client: &Client,
        tenant: &str,
        token: &str,
        new_password: &str,
    ) -> Response {
        client
            .post(self.url(tenant, "/api/v1/password-resets/confirm"))
            .json(&serde_json::json!({ "token": token, "new_password": new_password }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("reset confirm: {e}"))
    }

    /// The usual fixture: tenant `acme` with an active administrator.
    pub fn acme_admin(&self) {
        self.tenant("acme");
        self.user(
            "acme",
            "anna",
            ADMIN_PASSWORD,
            Role::Administrator,
            &[],
            true,
        );
    }

    pub async fn login(
        &self,
        client: &Client,
        tenant: &str,
        username: &str,
        password: &str,
    ) -> Response {
        client
            .post(self.url(tenant, "/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("login request: {e}"))
    }

    /// Logs in as a script (refresh token in the body); returns the JSON.
    pub async fn script_login(&self, tenant: &str, username: &str, password: &str) -> Value {
        let response = client(self)
            .post(self.url(tenant, "/api/v1/auth/login"))
            .json(&serde_json::json!({
                "username": username, "password": password, "token_delivery": "body"
            }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("login request: {e}"));
        assert_eq!(response.status(), 200, "script login should succeed");
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("login json: {e}"))
    }

    /// A POST from a fresh client that holds no cookies: a script, or a
    /// thief replaying a token.
    pub fn fresh_post(&self, tenant: &str, path: &str) -> reqwest::RequestBuilder {
        client(self).post(self.url(tenant, path))
    }

    /// Signs in as a script and returns what `GET /api/v1/me` says.
    pub async fn me_of(&self, tenant: &str, username: &str, password: &str) -> Value {
        let tokens = self.script_login(tenant, username, password).await;
        self.me(tenant, str_of(&tokens, "access_token"))
            .await
            .json()
            .await
            .unwrap_or_else(|e| panic!("me json: {e}"))
    }

    pub async fn me(&self, tenant: &str, access_token: &str) -> Response {
        client(self)
            .get(self.url(tenant, "/api/v1/me"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("me request: {e}"))
    }
}

/// `acme_admin` with ten-minute waits, and a client at `address` whose
/// three wrong guesses made the pair (anna, that address) wait.
pub async fn acme_with_a_waiting_pair(address: &str) -> (TestApp, Client) {
    let app = spawn_app_with(TestConfig {
        lockout_base_seconds: 600,
        lockout_max_seconds: 600,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let guesser = client_from(&app, address);
    for _ in 0..3 {
        assert_eq!(
            app.login(&guesser, "acme", "anna", "a guess")
                .await
                .status(),
            401
        );
    }
    (app, guesser)
}

pub const ADMIN_PASSWORD: &str = "anna's long passphrase";

/// The body of a problem answer, after checking its content type.
pub async fn problem(response: Response) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        content_type, "application/problem+json",
        "errors are problem documents"
    );
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("problem json: {e}"))
}

/// The `Set-Cookie` header of an answer, or an empty string.
pub fn set_cookie(response: &Response) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` missing in {value}"))
}
