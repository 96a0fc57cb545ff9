//! Two `backoffice` processes on one database, as several replicas run in
//! production: the test's own server and the real binary beside it. No
//! replica keeps state the other needs, so tokens, logouts, refresh reuse
//! and failure counts cross between them. (On PostgreSQL when the test
//! script provides one; on SQLite both open the same file.)

use crate::helpers::*;
use crate::mailbox::{free_port, SmtpCatcher};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The binary, serving the same database and data folder as `app`.
struct Replica {
    child: Child,
    port: u16,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_replica(app: &TestApp) -> Replica {
    start_replica_mailing_to(app, None)
}

/// A replica that sends mail to `smtp_url` (files when `None`).
fn start_replica_mailing_to(app: &TestApp, smtp_url: Option<&str>) -> Replica {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backoffice"));
    command
        .env_clear()
        .env("BACKOFFICE_DATA_DIR", &app.data_dir)
        .env("BACKOFFICE_STATIC_DIR", app.data_dir.join("dist"))
        .env("BACKOFFICE_LISTEN", "127.0.0.1:0")
        .env("BACKOFFICE_DEFAULT_TENANT", "")
        // The same brute-force and refresh settings as `TestConfig::default`.
        .env("BACKOFFICE_LOCKOUT_THRESHOLD", "3")
        .env("BACKOFFICE_LOCKOUT_BASE_SECONDS", "1")
        .env("BACKOFFICE_LOCKOUT_MAX_SECONDS", "8")
        .env("BACKOFFICE_REFRESH_REUSE_GRACE", "0")
        .env("BACKOFFICE_LOG", "warn")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(url) = smtp_url {
        command.env("BACKOFFICE_SMTP_URL", url);
    }
    if !app.database_url.is_empty() {
        command.env("BACKOFFICE_DATABASE_URL", &app.database_url);
    }
    let mut child = command.spawn().expect("start the replica");
    let stdout = child.stdout.take().expect("replica stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("the replica exited before it listened")
            .expect("replica output");
        if let Some(port) = line
            .rsplit_once("(port ")
            .and_then(|(_, rest)| rest.trim_end_matches(')').parse().ok())
        {
            break port;
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Replica { child, port }
}

impl Replica {
    fn url(&self, path: &str) -> String {
        format!("http://acme.localhost:{}{path}", self.port)
    }
}

async fn me_status(client: &reqwest::Client, url: String, token: &str) -> u16 {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test]
async fn tokens_and_logouts_cross_replicas_at_once() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let other = start_replica(&app);
    let http = client(&app);

    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let access = str_of(&tokens, "access_token");
    assert_eq!(
        me_status(&http, other.url("/api/v1/me"), access).await,
        200,
        "a token from one replica is accepted by the other"
    );

    let logout = http
        .post(app.url("acme", "/api/v1/auth/logout"))
        .bearer_auth(access)
        .send()
        .await?;
    assert_eq!(logout.status(), 204);
    assert_eq!(
        me_status(&http, other.url("/api/v1/me"), access).await,
        401,
        "a logout on one is refused at once by the other"
    );
    Ok(())
}

#[tokio::test]
async fn a_refresh_replayed_on_the_other_replica_is_caught() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let other = start_replica(&app);
    let http = client(&app);
    let refresh = |url: String, token: String| {
        let request = http
            .post(url)
            .json(&serde_json::json!({ "refresh_token": token }));
        async move { request.send().await }
    };

    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let stolen = str_of(&tokens, "refresh_token").to_owned();
    let rotated = refresh(app.url("acme", "/api/v1/auth/refresh"), stolen.clone()).await?;
    assert_eq!(rotated.status(), 200);
    let rotated: serde_json::Value = rotated.json().await?;

    let replay = refresh(other.url("/api/v1/auth/refresh"), stolen).await?;
    assert_eq!(replay.status(), 401, "the spent token is refused there too");
    let after = refresh(
        app.url("acme", "/api/v1/auth/refresh"),
        str_of(&rotated, "refresh_token").to_owned(),
    )
    .await?;
    assert_eq!(after.status(), 401, "and the replay ended the session");
    assert_eq!(
        me_status(
            &http,
            app.url("acme", "/api/v1/me"),
            str_of(&rotated, "access_token")
        )
        .await,
        401
    );
    Ok(())
}

#[tokio::test]
async fn failures_counted_on_one_replica_slow_the_pair_on_the_other() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let other = start_replica(&app);
    let guesser = client_from(&app, "127.0.12.1");
    let login = |url: String, password: &'static str| {
        let request = guesser
            .post(url)
            .json(&serde_json::json!({ "username": "anna", "password": password }));
        async move { request.send().await.map(|r| r.status().as_u16()) }
    };
    let here = app.url("acme", "/api/v1/auth/login");
    let there = other.url("/api/v1/auth/login");
    assert_eq!(login(here.clone(), "guess").await?, 401);
    assert_eq!(login(there.clone(), "guess").await?, 401);
    assert_eq!(login(here.clone(), "guess").await?, 401);
    // Three failures of anna from this address, across both replicas.
    assert_eq!(
        login(there, ADMIN_PASSWORD).await?,
        401,
        "the pair waits on the other replica too"
    );
    let elsewhere = client_from(&app, "127.0.12.2");
    let from_elsewhere = elsewhere
        .post(here)
        .json(&serde_json::json!({ "username": "anna", "password": ADMIN_PASSWORD }))
        .send()
        .await?;
    assert_eq!(from_elsewhere.status(), 200);
    Ok(())
}

#[tokio::test]
async fn each_mail_leaves_once_when_two_replicas_share_the_outbox() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = spawn_app_with(TestConfig {
        smtp_url: Some(catcher.url()),
        ..TestConfig::default()
    })
    .await;
    app.tenant("acme");
    let people: Vec<String> = (0..12).map(|n| format!("person{n}")).collect();
    for person in &people {
        let address = format!("{person}@acme.example");
        app.user_with_email("acme", person, ADMIN_PASSWORD, &address, "en");
    }
    let other = start_replica_mailing_to(&app, Some(&catcher.url()));
    let http = client(&app);

    // Half the requests reach each replica; both workers race for the rows.
    for (n, person) in people.iter().enumerate() {
        let url = if n % 2 == 0 {
            app.url("acme", "/api/v1/password-resets")
        } else {
            other.url("/api/v1/password-resets")
        };
        let response = http
            .post(url)
            .json(&serde_json::json!({ "username": person }))
            .send()
            .await?;
        assert_eq!(response.status(), 202);
    }
    for person in &people {
        catcher.wait_for(&format!("{person}@acme.example"), 1).await;
    }
    // Both replicas poll every 2 s: give any duplicate time to show.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut recipients: Vec<String> = catcher.messages().into_iter().map(|m| m.to).collect();
    recipients.sort();
    let mut expected: Vec<String> = people.iter().map(|p| format!("{p}@acme.example")).collect();
    expected.sort();
    assert_eq!(recipients, expected, "each person got exactly one mail");
    Ok(())
}

#[tokio::test]
async fn mail_accepted_by_a_replica_that_then_dies_still_goes_out_once() -> TestResult {
    // Nothing answers on the mail port yet: every process fails to send.
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(TestConfig {
        smtp_url: Some(smtp_url.clone()),
        ..TestConfig::default()
    })
    .await;
    app.tenant("acme");
    app.user_with_email("acme", "anna", ADMIN_PASSWORD, "anna@acme.example", "en");
    let doomed = start_replica_mailing_to(&app, Some(&smtp_url));
    let response = client(&app)
        .post(doomed.url("/api/v1/password-resets"))
        .json(&serde_json::json!({ "username": "anna" }))
        .send()
        .await?;
    assert_eq!(response.status(), 202);
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(doomed);

    // The mail server comes back; the surviving process delivers.
    let catcher = SmtpCatcher::start_on(port);
    let mails = catcher.wait_for("anna@acme.example", 1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(catcher.messages().len(), 1);
    let verified = app.verify_reset("acme", &mails[0].reset_token()).await;
    assert_eq!(verified.status(), 200, "and its link works");
    Ok(())
}
