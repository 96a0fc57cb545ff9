//! Resetting a forgotten password by email, as a person and an attacker
//! meet it: through a real SMTP server, reading the real mail.

use crate::helpers::*;
use crate::mailbox::{free_port, SmtpCatcher};
use serde_json::Value;
use shared::Role;
use std::time::Duration;

const ANNA_MAIL: &str = "anna@acme.example";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// `acme` with anna (administrator, email, English), mail to `catcher`,
/// and links to `http://{tenant}.links.example:8443`.
async fn acme_with_mail(catcher: &SmtpCatcher, config: TestConfig) -> TestApp {
    let app = spawn_app_with(TestConfig {
        smtp_url: Some(catcher.url()),
        public_url: Some("http://{tenant}.links.example:8443"),
        ..config
    })
    .await;
    app.tenant("acme");
    app.user_with_email("acme", "anna", ADMIN_PASSWORD, ANNA_MAIL, "en");
    app
}

async fn accepted(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn a_mailed_link_sets_a_new_password_and_ends_every_old_session() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    let before = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let browser = client(&app);

    let (status, body) = accepted(app.request_reset(&browser, "acme", "anna").await).await;
    assert_eq!(status, 202);
    assert!(str_of(&body, "message").starts_with("If the account exists"));

    let mail = catcher.wait_for(ANNA_MAIL, 1).await.remove(0);
    assert_eq!(mail.subject, "Reset your password for acme Corp");
    let link = mail.link_to("/reset-password");
    assert!(
        link.starts_with("http://acme.links.example:8443/reset-password#token="),
        "the link is built from the public URL, not the request's host: {link}"
    );
    assert!(
        mail.html.contains("/reset-password#token="),
        "HTML part too"
    );
    let token = mail.reset_token();

    // Looking at the link (a mail scanner, the page opening) spends nothing.
    for _ in 0..2 {
        let verified = app.verify_reset("acme", &token).await;
        assert_eq!(verified.status(), 200);
        let link: Value = verified.json().await?;
        assert_eq!(str_of(&link, "username"), "anna");
        assert_eq!(link["password_min_length"], 12);
    }

    let done = app
        .confirm_reset(&browser, "acme", &token, NEW_PASSWORD)
        .await;
    assert_eq!(done.status(), 204);
    assert!(
        set_cookie(&done).contains("backoffice_device="),
        "the reset counts as a sign-in from this browser"
    );

    // The old session is over at once: its access and refresh tokens.
    let old_access = str_of(&before, "access_token");
    assert_eq!(app.me("acme", old_access).await.status(), 401);
    let refreshed = app
        .fresh_post("acme", "/api/v1/auth/refresh")
        .json(&serde_json::json!({ "refresh_token": str_of(&before, "refresh_token") }))
        .send()
        .await?;
    assert_eq!(refreshed.status(), 401);
    // The old password no longer works; the new one does.
    let stranger = client_from(&app, "127.0.0.9");
    assert_eq!(
        app.login(&stranger, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login(&stranger, "acme", "anna", NEW_PASSWORD)
            .await
            .status(),
        200
    );
    // The link worked once.
    let again = app
        .confirm_reset(&browser, "acme", &token, "yet another passphrase")
        .await;
    assert_eq!(again.status(), 410);
    assert_eq!(problem(again).await["code"], "reset_link_used");
    assert_eq!(
        problem(app.verify_reset("acme", &token).await).await["code"],
        "reset_link_used"
    );

    // The owner is told.
    let mails = catcher.wait_for(ANNA_MAIL, 2).await;
    let notice = &mails[1];
    assert_eq!(notice.subject, "Your password for acme Corp was changed");
    assert!(notice
        .text
        .contains("Every session of the account has been signed out"));
    assert!(!notice.text.contains("token="), "no link in the notice");
    Ok(())
}

#[tokio::test]
async fn every_kind_of_account_gets_the_same_answer_and_only_one_that_can_reset_gets_mail(
) -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    app.user(
        "acme",
        "nomail",
        ADMIN_PASSWORD,
        Role::Administrator,
        &[],
        true,
    );
    app.user(
        "acme",
        "gone",
        ADMIN_PASSWORD,
        Role::Administrator,
        &[],
        false,
    );
    app.execute("UPDATE users SET email = 'gone@acme.example' WHERE username = 'gone'");
    app.user_with_email("acme", "sso", ADMIN_PASSWORD, "sso@acme.example", "en");
    app.execute(
        "UPDATE users SET sign_in_method = 'OIDC', password_hash = NULL WHERE username = 'sso'",
    );
    let browser = client(&app);

    let mut answers = Vec::new();
    for username in ["nobody-here", "nomail", "gone", "sso", "anna"] {
        let response = app.request_reset(&browser, "acme", username).await;
        let headers: Vec<String> = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != "date")
            .map(|(name, value)| format!("{name}: {value:?}"))
            .collect();
        answers.push((headers, accepted(response).await));
    }
    let first = answers[0].clone();
    assert_eq!(first.1 .0, 202);
    for answer in &answers {
        assert_eq!(answer, &first, "every answer is the same, headers and body");
    }

    // Requests are handled in order: once anna's mail is here, the others
    // have been handled too, and sent nothing.
    catcher.wait_for(ANNA_MAIL, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = catcher.messages();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].to, ANNA_MAIL);
    Ok(())
}

#[tokio::test]
async fn expired_and_replaced_links_are_refused_and_say_why() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    let browser = client(&app);

    app.request_reset(&browser, "acme", "anna").await;
    let first = catcher.wait_for(ANNA_MAIL, 1).await[0].reset_token();
    app.request_reset(&browser, "acme", "anna").await;
    let second = catcher.wait_for(ANNA_MAIL, 2).await[1].reset_token();
    assert_ne!(first, second);

    let replaced = app
        .confirm_reset(&browser, "acme", &first, NEW_PASSWORD)
        .await;
    assert_eq!(replaced.status(), 410);
    let replaced = problem(replaced).await;
    assert_eq!(replaced["code"], "reset_link_replaced");
    assert!(str_of(&replaced, "title").contains("replaced by a newer one"));

    // The newest link is good until it expires (aged here in the database).
    assert_eq!(app.verify_reset("acme", &second).await.status(), 200);
    app.execute("UPDATE password_reset_tokens SET expires_at = created_at WHERE used_at IS NULL AND replaced_at IS NULL");
    let expired = app
        .confirm_reset(&browser, "acme", &second, NEW_PASSWORD)
        .await;
    assert_eq!(expired.status(), 410);
    assert_eq!(problem(expired).await["code"], "reset_link_expired");
    assert_eq!(
        app.login(&browser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200,
        "nothing changed"
    );
    Ok(())
}

#[tokio::test]
async fn a_password_change_kills_a_live_link() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    let browser = client(&app);
    app.request_reset(&browser, "acme", "anna").await;
    app.request_reset(&browser, "acme", "anna").await;
    let mails = catcher.wait_for(ANNA_MAIL, 2).await;
    // The newest link sets the password; no link from before it survives.
    let newest = mails[1].reset_token();
    assert_eq!(
        app.confirm_reset(&browser, "acme", &newest, NEW_PASSWORD)
            .await
            .status(),
        204
    );
    let older = problem(app.verify_reset("acme", &mails[0].reset_token()).await).await;
    assert_eq!(older["code"], "reset_link_replaced");
    Ok(())
}

#[tokio::test]
async fn the_new_password_must_meet_the_shared_policy_field_by_field() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    let browser = client(&app);
    app.request_reset(&browser, "acme", "anna").await;
    let token = catcher.wait_for(ANNA_MAIL, 1).await[0].reset_token();

    for (password, code) in [
        ("short", "password_too_short"),
        ("password1234", "password_common"),
        ("anna", "password_too_short"),
        (&"x".repeat(129) as &str, "password_too_long"),
        (&"y".repeat(5000) as &str, "password_too_long"),
    ] {
        let refused = app.confirm_reset(&browser, "acme", &token, password).await;
        assert_eq!(refused.status(), 422, "{password}");
        let refused = problem(refused).await;
        assert_eq!(refused["code"], "validation_failed");
        assert_eq!(
            refused["error_codes"]["new_password"][0], code,
            "{password}"
        );
        assert!(refused["errors"]["new_password"][0].is_string());
    }
    app.user_with_email(
        "acme",
        "longname-person",
        ADMIN_PASSWORD,
        "l@acme.example",
        "en",
    );
    app.request_reset(&browser, "acme", "longname-person").await;
    let theirs = catcher.wait_for("l@acme.example", 1).await[0].reset_token();
    let same = problem(
        app.confirm_reset(&browser, "acme", &theirs, "LongName-Person")
            .await,
    )
    .await;
    assert_eq!(
        same["error_codes"]["new_password"][0],
        "password_same_as_username"
    );

    // None of that spent the link.
    assert_eq!(
        app.confirm_reset(&browser, "acme", &token, NEW_PASSWORD)
            .await
            .status(),
        204
    );
    Ok(())
}

#[tokio::test]
async fn bad_input_gets_a_problem_document_never_a_500() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    app.tenant("globex");
    let browser = client(&app);
    let post = |path: &str, body: Value| browser.post(app.url("acme", path)).json(&body).send();

    for body in [
        serde_json::json!({ "username": "" }),
        serde_json::json!({ "username": "   " }),
        serde_json::json!({ "username": "a".repeat(10_000) }),
    ] {
        let refused = post("/api/v1/password-resets", body).await?;
        assert_eq!(refused.status(), 422);
        assert!(problem(refused).await["errors"]["username"].is_array());
    }
    for (path, body) in [
        ("/api/v1/password-resets", serde_json::json!({})),
        (
            "/api/v1/password-resets",
            serde_json::json!({ "username": 7 }),
        ),
        ("/api/v1/password-resets/verify", serde_json::json!({})),
        (
            "/api/v1/password-resets/confirm",
            serde_json::json!({ "token": "x" }),
        ),
        (
            "/api/v1/password-resets/confirm",
            serde_json::json!({ "token": "x", "new_password": "y", "extra": 1 }),
        ),
    ] {
        let refused = post(path, body).await?;
        assert!(
            refused.status().is_client_error(),
            "{path}: {}",
            refused.status()
        );
        problem(refused).await;
    }
    let malformed = "not a token";
    let unknown = "A".repeat(43);
    for token in [malformed, &unknown, "", &"B".repeat(100_000)] {
        for (path, body) in [
            (
                "/api/v1/password-resets/verify",
                serde_json::json!({ "token": token }),
            ),
            (
                "/api/v1/password-resets/confirm",
                serde_json::json!({ "token": token, "new_password": NEW_PASSWORD }),
            ),
        ] {
            let refused = post(path, body).await?;
            let status = refused.status().as_u16();
            assert!(status == 400 || status == 413, "{path}: {status}");
            if status == 400 {
                assert_eq!(problem(refused).await["code"], "reset_link_invalid");
            }
        }
    }

    // A real token of acme is nothing at globex.
    app.request_reset(&browser, "acme", "anna").await;
    let token = catcher.wait_for(ANNA_MAIL, 1).await[0].reset_token();
    let elsewhere = problem(app.verify_reset("globex", &token).await).await;
    assert_eq!(elsewhere["code"], "reset_link_invalid");
    assert_eq!(app.verify_reset("acme", &token).await.status(), 200);
    Ok(())
}

#[tokio::test]
async fn strangers_cannot_flood_a_mailbox_nor_keep_its_owner_from_resetting() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher, TestConfig::default()).await;
    let stranger = client_from(&app, "127.0.0.66");

    let mut answers = Vec::new();
    for _ in 0..8 {
        answers.push(accepted(app.request_reset(&stranger, "acme", "anna").await).await);
    }
    assert!(
        answers.iter().all(|answer| answer == &answers[0]),
        "the limit does not change the answer"
    );
    let mails = catcher.wait_for(ANNA_MAIL, 3).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(catcher.messages().len(), 3, "three mails per link lifetime");

    // The owner asks too: no fourth mail, but the last link mailed works.
    let owner = client_from(&app, "127.0.0.7");
    assert_eq!(
        app.request_reset(&owner, "acme", "anna").await.status(),
        202
    );
    let last = mails[2].reset_token();
    assert_eq!(
        app.confirm_reset(&owner, "acme", &last, NEW_PASSWORD)
            .await
            .status(),
        204
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let all = catcher.messages();
    assert_eq!(all.len(), 4, "three links and the change notice");
    assert!(all[3].subject.contains("was changed"));
    Ok(())
}

#[tokio::test]
async fn one_address_asking_for_many_accounts_is_limited_others_are_not() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(
        &catcher,
        TestConfig {
            reset_address_limit: 5,
            ..TestConfig::default()
        },
    )
    .await;
    let sprayer = client_from(&app, "127.0.0.66");
    for n in 0..5 {
        app.request_reset(&sprayer, "acme", &format!("guess{n}"))
            .await;
    }
    // Over the limit, the sprayer's requests send nothing, even for a
    // real account; the same request from elsewhere does.
    assert_eq!(
        app.request_reset(&sprayer, "acme", "anna").await.status(),
        202
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(catcher.messages().is_empty());
    let owner = client_from(&app, "127.0.0.7");
    app.request_reset(&owner, "acme", "anna").await;
    assert_eq!(catcher.wait_for(ANNA_MAIL, 1).await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_reset_lifts_the_waits_on_the_account() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(
        &catcher,
        TestConfig {
            lockout_base_seconds: 600,
            lockout_max_seconds: 600,
            ..TestConfig::default()
        },
    )
    .await;
    let owner = client_from(&app, "127.0.0.8");
    for _ in 0..3 {
        app.login(&owner, "acme", "anna", "wrong guess").await;
    }
    assert_eq!(
        app.login(&owner, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "the pair waits ten minutes"
    );
    app.request_reset(&owner, "acme", "anna").await;
    let token = catcher.wait_for(ANNA_MAIL, 1).await[0].reset_token();
    assert_eq!(
        app.confirm_reset(&owner, "acme", &token, NEW_PASSWORD)
            .await
            .status(),
        204
    );
    assert_eq!(
        app.login(&owner, "acme", "anna", NEW_PASSWORD)
            .await
            .status(),
        200,
        "no wait after the reset"
    );
    Ok(())
}

#[tokio::test]
async fn with_the_mail_server_down_the_answer_is_unchanged_and_the_mail_goes_out_once_later(
) -> TestResult {
    let port = free_port();
    let down = SmtpCatcher::start_on(port);
    let app = acme_with_mail(&down, TestConfig::default()).await;
    let mut catcher = down;
    catcher.stop();
    let browser = client(&app);

    let started = std::time::Instant::now();
    let (status, body) = accepted(app.request_reset(&browser, "acme", "anna").await).await;
    assert_eq!(status, 202);
    assert!(str_of(&body, "message").starts_with("If the account exists"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the answer does not wait for the mail server"
    );
    // Let the worker fail at least twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    catcher.resume();
    let mails = catcher.wait_for(ANNA_MAIL, 1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(catcher.messages().len(), 1, "delivered once");
    // And the link in it works.
    assert_eq!(
        app.verify_reset("acme", &mails[0].reset_token())
            .await
            .status(),
        200
    );
    Ok(())
}

#[tokio::test]
async fn without_a_mail_server_mail_is_written_to_files_in_the_data_folder() -> TestResult {
    let app = spawn_app().await;
    app.tenant("acme");
    app.user_with_email("acme", "anna", ADMIN_PASSWORD, ANNA_MAIL, "de");
    app.request_reset(&client(&app), "acme", "anna").await;

    let folder = app.data_dir.join("mail");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = std::fs::read_dir(&folder)
            .ok()
            .and_then(|mut entries| entries.find_map(Result::ok))
            .map(|entry| entry.path());
        if let Some(file) = found {
            break file;
        }
        assert!(std::time::Instant::now() < deadline, "no mail file");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(file.extension().and_then(|e| e.to_str()), Some("eml"));
    let mail = crate::mailbox::parse(&std::fs::read(&file)?);
    assert_eq!(mail.to, ANNA_MAIL);
    assert_eq!(
        mail.subject, "Passwort für acme Corp zurücksetzen",
        "in anna's language"
    );
    let token = mail.reset_token();
    let link = mail.link_to("/reset-password");
    assert!(
        link.starts_with(&format!("http://acme.localhost:{}/", app.port)),
        "without a public URL, the link leads to this server: {link}"
    );
    assert_eq!(app.verify_reset("acme", &token).await.status(), 200);
    Ok(())
}

#[tokio::test]
async fn without_a_mail_server_the_link_is_printed_to_the_console() -> TestResult {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    // The real binary alone, as `scripts/run.sh` starts it (no SMTP), so no
    // other process's worker can pick the request up.
    let data = tempfile::tempdir()?;
    let database_url = fresh_postgres_database().unwrap_or_default();
    let backoffice = |log: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_backoffice"));
        command
            .env_clear()
            .env("BACKOFFICE_DATA_DIR", data.path())
            .env("BACKOFFICE_STATIC_DIR", data.path().join("dist"))
            .env("BACKOFFICE_DATABASE_URL", &database_url)
            .env("BACKOFFICE_DEFAULT_TENANT", "")
            .env("BACKOFFICE_LOG", log);
        command
    };
    assert!(backoffice("warn")
        .args(["tenant", "create", "acme", "--name", "Acme"])
        .status()?
        .success());
    let mut create = backoffice("warn")
        .args([
            "user",
            "create",
            "--tenant",
            "acme",
            "anna",
            "--first-name",
            "Anna",
        ])
        .args(["--role", "ADMINISTRATOR", "--email", ANNA_MAIL])
        .stdin(Stdio::piped())
        .spawn()?;
    create
        .stdin
        .take()
        .ok_or("stdin")?
        .write_all(format!("{ADMIN_PASSWORD}\n").as_bytes())?;
    assert!(create.wait()?.success());

    let mut child = backoffice("info")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("stdout")?;
    let port: u16 = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.rsplit_once("(port ")
                .and_then(|(_, rest)| rest.trim_end_matches(')').parse().ok())
        })
        .ok_or("the server printed no port")?;
    let stderr = child.stderr.take().ok_or("stderr")?;
    let (found, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("/reset-password#token=") {
                let _ = found.send(line);
            }
        }
    });
    let http = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        http.post(format!("http://127.0.0.1:{port}{path}"))
            .header("Host", format!("acme.localhost:{port}"))
            .json(&body)
            .send()
    };
    let response = post(
        "/api/v1/password-resets",
        serde_json::json!({ "username": "anna" }),
    )
    .await?;
    assert_eq!(response.status(), 202);

    let line = lines.recv_timeout(Duration::from_secs(20));
    let token = line.as_deref().ok().and_then(|line| {
        line.split("#token=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
    });
    let verified = match &token {
        Some(token) => post(
            "/api/v1/password-resets/verify",
            serde_json::json!({ "token": token }),
        )
        .await?
        .status(),
        None => reqwest::StatusCode::NOT_FOUND,
    };
    let _ = child.kill();
    let _ = child.wait();
    let line = line?;
    assert!(
        line.contains(&format!(
            "http://acme.localhost:{port}/reset-password#token="
        )),
        "{line}"
    );
    assert_eq!(verified, 200, "the printed link works");
    Ok(())
}
