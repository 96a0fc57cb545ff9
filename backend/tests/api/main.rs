//! API tests over real HTTP against the real server, each with its own
//! database: SQLite by default, PostgreSQL when
//! `BACKOFFICE_TEST_POSTGRES_URL` is set (the test script runs both).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod account;
mod bad_input;
mod helpers;
mod idp;
mod keys_at_rest;
mod live_session;
mod login;
mod mailbox;
mod operator;
mod password_reset;
mod reference;
mod replicas;
mod sso;
mod tenancy;
mod throttling;
mod tokens;
mod users;
