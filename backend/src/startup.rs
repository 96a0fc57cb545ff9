//! Building and running the server: `Application::build` opens the
//! database, the key ring and the listener; `run_until_stopped` serves.
//! Tests build the very same application on port 0.

use crate::auth::keys::KeyRing;
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::Throttle;
use crate::db::{self, DbPool};
use crate::routes;
use crate::settings::Settings;
use crate::state::AppState;
use crate::tenancy::TenantResolver;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, Logger};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// How often each replica rotates keys if due, reloads keys other replicas
/// made, and forgets stale failure counts.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(60);

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        let pool = db::connect(&settings.database, settings.database_pool_size)?;
        Application::build_with_pool(settings, pool)
    }

    pub fn build_with_pool(settings: Settings, pool: DbPool) -> anyhow::Result<Application> {
        let keys = {
            let mut conn = pool.get()?;
            Arc::new(KeyRing::open(&mut conn, settings.key_rotation)?)
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
        let state = web::Data::new(AppState {
            hasher: PasswordHasher::for_this_machine()
                .map_err(|e| anyhow::anyhow!("password hasher: {e}"))?,
            tenants: TenantResolver::new(
                &settings.tenant_host_pattern,
                settings.default_tenant.clone(),
            ),
            throttle: Throttle::new(settings.lockout.clone()),
            keys,
            sign_in_db: db::SignInConnection::new(&settings.database),
            pool,
            settings,
        });
        let app_state = state.clone();
        let static_dir = state.settings.static_dir.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(crate::json_body::json_config())
                .app_data(crate::json_body::payload_config())
                .wrap(from_fn(crate::problem_fallback::ensure))
                .wrap(from_fn(crate::security_headers::add))
                .wrap(Compress::default())
                .wrap(Logger::new("%a \"%r\" %s %b %Dms").exclude("/healthz"))
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
        let result = self.server.await;
        housekeeping.abort();
        result
    }
}

async fn housekeeping(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        let worker = state.clone();
        let outcome = db::run(&state.pool, move |conn| {
            db::write(conn, |conn| {
                worker
                    .keys
                    .refresh(conn)
                    .map_err(|e| crate::error::ApiError::unexpected(e, "key rotation"))?;
                worker.throttle.forget_stale(conn, crate::model::now())?;
                Ok(())
            })
        })
        .await;
        if let Err(error) = outcome {
            tracing::warn!(%error, "housekeeping failed; will retry");
        }
    }
}
