//! Building and running the server: `Application::build` opens the
//! database, the key ring and the listener; `run_until_stopped` serves.
//! Tests build the very same application on port 0.

use crate::auth::device_cookie::DeviceCookies;
use crate::auth::jwt::VerifiedTokens;
use crate::auth::keys::KeyRing;
use crate::auth::password::PasswordHasher;
use crate::auth::secret_key::SecretKey;
use crate::auth::session_tokens::{AccessTokens, SessionPolicy};
use crate::auth::throttle::Throttle;
use crate::db::live_session::SessionLookup;
use crate::db::{self, Database, DbPool};
use crate::flows::password_change::PasswordChanges;
use crate::flows::password_reset::PasswordResets;
use crate::flows::sign_in::SignInService;
use crate::flows::sso_login::SsoLogins;
use crate::flows::sso_providers::SsoProviders;
use crate::flows::users::UserAdmin;
use crate::mail::outbox::Outbox;
use crate::mail::transport::Transport;
use crate::model::outbox::OutboxRow;
use crate::model::password_reset::PasswordResetToken;
use crate::model::sso_login_state::SsoLoginState;
use crate::routes;
use crate::settings::PublicUrl;
use crate::settings::Settings;
use crate::state::AppState;
use crate::tenancy::TenantResolver;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// How often each replica rotates keys if due, reloads keys other replicas
/// made, and forgets stale failure counts.
const HOUSEKEEPING_EVERY: Duration = crate::auth::keys::RELOAD_EVERY;

/// Sent mail and expired reset links are kept this long for the record
/// (and so an expired link is still recognised as expired), then dropped.
const KEEP_SPENT: chrono::TimeDelta = chrono::TimeDelta::days(1);

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    transport: Transport,
}

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        let pool = db::connect(&settings.database, settings.database_pool_size)?;
        Application::build_with_pool(settings, pool)
    }

    pub fn build_with_pool(settings: Settings, pool: DbPool) -> anyhow::Result<Application> {
        let secret = Arc::new(SecretKey::load_or_create(&settings.secret_key_file)?);
        let keys = {
            let mut conn = pool.get()?;
            let ring = KeyRing::open(&mut conn, settings.key_rotation, Arc::clone(&secret))
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{e:#} (secret key file in use: {})",
                        settings.secret_key_file.display()
                    )
                })?;
            Arc::new(ring)
        };
        let listener = TcpListener::bind(settings.listen)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
        let port = listener.local_addr()?.port();
        if !settings.static_dir.join("index.html").exists() {
            tracing::warn!(
                dir = %settings.static_dir.display(),
                "no built frontend here (run scripts/build-frontend.sh); serving the API only"
            );
        }
        let db = Database::new(pool, &settings.database);
        let hasher = PasswordHasher::for_this_machine(settings.hash_queue)
            .map_err(|e| anyhow::anyhow!("password hasher: {e}"))?;
        let devices = DeviceCookies::new(Arc::clone(&secret));
        let transport = Transport::new(
            settings.smtp_url.as_deref(),
            &settings.mail_from,
            settings.data_dir.join("mail"),
        )?;
        if transport.is_files() {
            tracing::info!(
                dir = %settings.data_dir.join("mail").display(),
                "no SMTP server configured (BACKOFFICE_SMTP_URL): mail is written to files and its links to this console"
            );
        }
        let outbox = Outbox::new(Arc::clone(&secret));
        // Where mailed links point: never a request's Host.
        let links = settings
            .public_url
            .clone()
            .unwrap_or_else(|| PublicUrl::local(&settings.tenant_host_pattern, port));
        let sessions = SessionPolicy::new(
            settings.refresh_token_ttl,
            settings.session_max_age,
            settings.refresh_reuse_grace,
            &secret,
        );
        let sso = Arc::new(SsoLogins {
            db: db.clone(),
            oidc: Arc::new(crate::auth::oidc::Oidc::new()?),
            providers: SsoProviders {
                secret: Arc::clone(&secret),
                links: links.clone(),
            },
            sessions: sessions.clone(),
        });
        let state = web::Data::new(AppState {
            sso,
            tenants: TenantResolver::new(
                &settings.tenant_host_pattern,
                settings.default_tenant.clone(),
            ),
            password_resets: Arc::new(PasswordResets {
                db: db.clone(),
                hasher: hasher.clone(),
                throttle: Throttle::new(settings.lockout.clone()),
                devices: devices.clone(),
                outbox: outbox.clone(),
                settings: settings.password_reset.clone(),
                links: links.clone(),
                wake: Arc::new(tokio::sync::Notify::new()),
            }),
            password_changes: Arc::new(PasswordChanges {
                db: db.clone(),
                hasher: hasher.clone(),
                throttle: Throttle::new(settings.lockout.clone()),
                devices: devices.clone(),
                outbox: outbox.clone(),
            }),
            users: UserAdmin {
                db: db.clone(),
                hasher: hasher.clone(),
                throttle: Throttle::new(settings.lockout.clone()),
                outbox: outbox.clone(),
                links,
                invitation_ttl: settings.password_reset.invitation_ttl,
            },
            outbox,
            sign_in: Arc::new(SignInService {
                db: db.clone(),
                hasher,
                throttle: Throttle::new(settings.lockout.clone()),
                devices: devices.clone(),
                sessions: sessions.clone(),
            }),
            access_tokens: AccessTokens {
                keys: Arc::clone(&keys),
                issuer: settings.token_issuer.clone(),
                audience: settings.token_audience.clone(),
                ttl: settings.access_token_ttl,
            },
            sessions,
            devices,
            verified_tokens: VerifiedTokens::default(),
            keys,
            db,
            settings,
        });
        let app_state = state.clone();
        let static_dir = state.settings.static_dir.clone();
        let server = HttpServer::new(move || {
            let live_sessions =
                SessionLookup::for_worker(&app_state.db, &app_state.settings.database);
            App::new()
                .app_data(app_state.clone())
                .app_data(live_sessions)
                .app_data(crate::http::json_body::json_config())
                .app_data(crate::http::json_body::payload_config())
                .wrap(from_fn(crate::http::problem_fallback::ensure))
                .wrap(from_fn(crate::http::security_headers::add))
                .wrap(Compress::default())
                .wrap(crate::http::access_log::logger())
                .configure(routes::configure)
                .service(routes::spa::service(&static_dir))
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application {
            port,
            server,
            state,
            transport,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let requests = tokio::spawn(crate::background::reset_requests(Arc::clone(
            &self.state.password_resets,
        )));
        let mail = tokio::spawn(crate::background::outbox(
            self.state.db.clone(),
            self.state.outbox.clone(),
            self.transport,
        ));
        let result = self.server.await;
        housekeeping.abort();
        requests.abort();
        mail.abort();
        result
    }
}

async fn housekeeping(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        let keys = Arc::clone(&state.keys);
        let sign_in = Arc::clone(&state.sign_in);
        let reset_limits_window = state.settings.password_reset.token_ttl;
        let outcome = state
            .db
            .write(move |conn| {
                keys.refresh(conn)
                    .map_err(|e| db::DbError::Task(format!("key rotation: {e:#}")))?;
                let now = crate::model::now();
                sign_in
                    .throttle
                    .forget_stale(conn, now, reset_limits_window)?;
                OutboxRow::delete_sent(conn, now - KEEP_SPENT)?;
                PasswordResetToken::delete_expired(conn, now - KEEP_SPENT)?;
                // An expired sign-in is refused alike whether its row is
                // there or not: it goes at once.
                SsoLoginState::delete_expired(conn, now)?;
                Ok(())
            })
            .await;
        if let Err(error) = outcome {
            tracing::warn!(%error, "housekeeping failed; will retry");
        }
    }
}
