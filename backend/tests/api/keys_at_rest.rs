//! Token signing keys at rest: sealed with the secret key file, readable
//! again after a restart with the same file, refused (not replaced) with
//! another; rotation publishes the next key before it signs; the data
//! folder is the server user's alone.

use crate::helpers::*;
use backoffice::auth::keys::{JWKS_MAX_AGE, PUBLISH_AHEAD};
use backoffice::db::{self, schema::signing_keys};
use backoffice::model::signing_key::SigningKeyRow;
use backoffice::settings::{Overrides, Settings};
use backoffice::startup::Application;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use diesel::prelude::*;
use std::path::{Path, PathBuf};

/// Another start of the server on `app`'s data folder and database, as a
/// restart (or another replica) would be; `secret_key_file` overrides the
/// default `<data_dir>/secret.key`.
fn start_again(app: &TestApp, secret_key_file: Option<PathBuf>) -> anyhow::Result<Application> {
    let settings = Settings::from_overrides(Overrides {
        listen: Some("127.0.0.1:0".to_owned()),
        data_dir: Some(app.data_dir.clone()),
        database_url: Some(app.database_url.clone()).filter(|url| !url.is_empty()),
        database_pool_size: Some(2),
        static_dir: Some(app.data_dir.join("dist")),
        secret_key_file,
        default_tenant: Some(String::new()),
        ..Overrides::default()
    })?;
    let pool = db::connect(&settings.database, 2)?;
    Application::build_with_pool(settings, pool)
}

fn stored_keys(app: &TestApp) -> Vec<SigningKeyRow> {
    let mut conn = app.pool.get().unwrap();
    signing_keys::table
        .order(signing_keys::created_at.desc())
        .select(SigningKeyRow::as_select())
        .load(&mut conn)
        .unwrap()
}

/// Moves every key's `created_at` back by `by`, as if that time had passed.
fn age_keys(app: &TestApp, by: std::time::Duration) {
    let by = chrono::TimeDelta::from_std(by).unwrap();
    let mut conn = app.pool.get().unwrap();
    for row in stored_keys(app) {
        diesel::update(signing_keys::table.find(&row.kid))
            .set(signing_keys::created_at.eq(row.created_at - by))
            .execute(&mut conn)
            .unwrap();
    }
}

/// What every replica's housekeeping does each minute.
fn refresh(app: &TestApp) {
    let mut conn = app.pool.get().unwrap();
    app.state.keys.refresh(&mut conn).unwrap();
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .unwrap()
        .kid
        .unwrap_or_default()
}

#[tokio::test]
async fn signing_keys_are_sealed_at_rest_and_tokens_outlive_a_restart() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = str_of(&tokens, "access_token").to_owned();

    let rows = stored_keys(&app);
    assert_eq!(rows.len(), 1);
    for row in &rows {
        assert!(
            row.private_key.starts_with("sealed:v1:"),
            "stored sealed: {}",
            row.private_key
        );
        let bare = URL_SAFE_NO_PAD.decode(&row.private_key);
        assert!(
            !bare.is_ok_and(|bytes| bytes.len() == 32),
            "the stored private key is not the bare seed"
        );
    }

    // The same data folder, database and secret key file: a restart.
    let again = start_again(&app, None)?;
    let port = again.port();
    tokio::spawn(again.run_until_stopped());
    let me = reqwest::Client::builder()
        .resolve(
            "acme.localhost",
            std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        )
        .build()?
        .get(format!("http://acme.localhost:{port}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(me.status(), 200, "a token from before the restart verifies");
    let after: Vec<String> = stored_keys(&app).into_iter().map(|r| r.kid).collect();
    assert_eq!(
        after,
        rows.into_iter().map(|r| r.kid).collect::<Vec<_>>(),
        "the restart made no key"
    );
    Ok(())
}

#[tokio::test]
async fn a_restart_with_another_secret_key_file_is_refused_and_makes_no_key() -> TestResult {
    let app = spawn_app().await;
    let before = stored_keys(&app);
    let other = app.data_dir.join("another-secret.key");

    let refused = start_again(&app, Some(other))
        .err()
        .map(|e| format!("{e:#}"));
    let message = refused.unwrap_or_default();
    assert!(
        message.contains("BACKOFFICE_SECRET_KEY_FILE"),
        "the error names the setting: {message}"
    );
    assert!(
        message.contains("sealed with another secret key"),
        "the error says why: {message}"
    );
    assert_eq!(
        stored_keys(&app).len(),
        before.len(),
        "no key was made with the other secret key"
    );
    Ok(())
}

#[tokio::test]
async fn a_rotated_key_is_published_before_it_signs() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let jwks = || async {
        let response = client(&app)
            .get(app.url("acme", "/.well-known/jwks.json"))
            .send()
            .await
            .unwrap();
        let cache = response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(cache, format!("public, max-age={}", JWKS_MAX_AGE.as_secs()));
        let body: serde_json::Value = response.json().await.unwrap();
        body["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| key["kid"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let login = || async {
        let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
        str_of(&tokens, "access_token").to_owned()
    };
    let first_token = login().await;
    let first = kid_of(&first_token);

    // The first key is one publish lead short of its 30-day period.
    age_keys(
        &app,
        std::time::Duration::from_secs(30 * 86_400) - PUBLISH_AHEAD,
    );
    refresh(&app);
    let published = jwks().await;
    assert_eq!(
        published.len(),
        2,
        "the next key is published: {published:?}"
    );
    let next = published
        .iter()
        .find(|kid| **kid != first)
        .cloned()
        .unwrap();
    assert_eq!(
        kid_of(&login().await),
        first,
        "the next key does not sign while a cached JWKS may lack it"
    );

    // The lead has passed.
    age_keys(&app, PUBLISH_AHEAD);
    refresh(&app);
    assert_eq!(kid_of(&login().await), next, "now the next key signs");
    assert_eq!(jwks().await.len(), 2, "the previous key stays published");
    assert_eq!(
        app.me("acme", &first_token).await.status(),
        200,
        "a token of the previous key still verifies"
    );
    Ok(())
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_its_files_are_the_server_users_alone() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let parent = tempfile::tempdir()?;
    let data_dir = parent.path().join("data");
    let database_url = fresh_postgres_database().unwrap_or_default();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_backoffice"))
        .env_clear()
        .env("BACKOFFICE_DATA_DIR", &data_dir)
        .env("BACKOFFICE_DATABASE_URL", &database_url)
        .env("BACKOFFICE_LOG", "warn")
        .args(["tenant", "create", "acme", "--name", "Acme"])
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(mode(&data_dir), 0o700);
    if database_url.is_empty() {
        let database = data_dir.join("backoffice.sqlite3");
        assert_eq!(mode(&database), 0o600, "{}", database.display());
    }
    for entry in std::fs::read_dir(&data_dir)? {
        let path = entry?.path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    Ok(())
}
