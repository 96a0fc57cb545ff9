//! Backoffice access: the sign-in, password and single sign-on service of
//! the retail and warehouse Backoffice. `startup` builds the server,
//! `routes` is its HTTP surface, `auth` its security, `model` its data.

pub mod admin;
pub mod auth;
pub mod background;
pub mod bootstrap;
pub mod cli;
pub mod db;
pub mod flows;
pub mod http;
pub mod mail;
pub mod model;
pub mod net;
pub mod routes;
pub mod settings;
pub mod sso_cli;
pub mod startup;
pub mod state;
pub mod tenancy;

/// Logs to standard error; `BACKOFFICE_LOG` (or `RUST_LOG`) filters.
pub fn init_logging() {
    let filter = std::env::var("BACKOFFICE_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Logging for test runs, only when `TEST_LOG` is set (it is noisy).
pub fn init_logging_for_tests() {
    if std::env::var_os("TEST_LOG").is_some() {
        init_logging();
    }
}
