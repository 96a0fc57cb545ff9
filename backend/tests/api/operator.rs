//! The operator's command line: first start, tenants, facilities and
//! accounts, on whichever database is configured.

use crate::helpers::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

pub(crate) fn backoffice(app_data_dir: &std::path::Path, database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backoffice"));
    command
        .env_clear()
        .env("BACKOFFICE_DATA_DIR", app_data_dir)
        .env("BACKOFFICE_DATABASE_URL", database_url)
        .env("BACKOFFICE_LOG", "warn");
    command
}

/// Runs a command with `stdin` piped in; returns (success, stdout+stderr).
pub(crate) fn run(mut command: Command, stdin: &str) -> (bool, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn backoffice");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn the_operator_creates_a_tenant_a_facility_and_an_account_from_the_command_line(
) -> TestResult {
    let app = spawn_app().await;
    let (dir, db) = (app.data_dir.clone(), app.database_url.clone());
    let cmd = |args: &[&str]| {
        let mut command = backoffice(&dir, &db);
        command.args(args);
        command
    };

    let (ok, out) = run(
        cmd(&["tenant", "create", "acme", "--name", "Acme Retail"]),
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = run(
        cmd(&["tenant", "rename", "acme", "--name", "Acme Retail GmbH"]),
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = run(cmd(&["tenant", "rename", "nope", "--name", "x"]), "");
    assert!(!ok && out.contains("no tenant `nope`"), "{out}");
    let (ok, out) = run(cmd(&["tenant", "create", "acme", "--name", "Again"]), "");
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = run(cmd(&["tenant", "create", "Not A Slug", "--name", "x"]), "");
    assert!(!ok && out.contains("not a valid tenant name"), "{out}");
    let (ok, out) = run(
        cmd(&[
            "facility",
            "create",
            "--tenant",
            "acme",
            "BER-01",
            "--name",
            "Berlin Store",
        ]),
        "",
    );
    assert!(ok, "{out}");

    let create_sam = |password: &str, facility: &str| {
        run(
            cmd(&[
                "user",
                "create",
                "--tenant",
                "acme",
                "Sam",
                "--first-name",
                "Sam",
                "--last-name",
                "Berg",
                "--role",
                "supervisor",
                "--facility",
                facility,
            ]),
            password,
        )
    };
    let (ok, out) = create_sam("short\n", "BER-01");
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    let (ok, out) = create_sam("sam's long passphrase\n", "NOPE-9");
    assert!(!ok && out.contains("no facility `NOPE-9`"), "{out}");
    let (ok, out) = create_sam("sam's long passphrase\n", "BER-01");
    assert!(ok, "{out}");
    let (ok, out) = create_sam("another long passphrase\n", "BER-01");
    assert!(!ok && out.contains("taken"), "{out}");

    let me = app.me_of("acme", "sam", "sam's long passphrase").await;
    assert_eq!(me["first_name"], "Sam");
    assert_eq!(me["role"], "SUPERVISOR");
    assert_eq!(me["facilities"][0]["code"], "BER-01");
    assert_eq!(me["tenant"]["display_name"], "Acme Retail GmbH");
    Ok(())
}

/// Starts `backoffice serve` and reads its console until it listens;
/// returns the child, the port and the console text.
fn start_server(dir: &std::path::Path, database_url: &str) -> (Child, u16, String) {
    let mut command = backoffice(dir, database_url);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir"])
        .arg(dir.join("dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut console = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("console line");
        console.push_str(&line);
        console.push('\n');
        if let Some(port) = line.strip_prefix("Backoffice access is listening on ") {
            let port = port
                .rsplit_once("(port ")
                .and_then(|(_, p)| p.trim_end_matches(')').parse().ok())
                .expect("port");
            return (child, port, console);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server stopped before listening: {console}");
}

#[tokio::test]
async fn the_first_start_creates_an_administrator_and_prints_its_password_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let database_url = fresh_postgres_database().unwrap_or_default();

    let (mut first, port, console) = start_server(dir.path(), &database_url);
    let password = console
        .lines()
        .find_map(|line| line.strip_prefix("Password (shown only this once): "))
        .map(str::to_owned);
    let login = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "admin", "password": password.clone().unwrap_or_default() }))
        .send()
        .await?;
    first.kill()?;
    first.wait()?;
    assert!(
        console.contains("created tenant `default` and administrator `admin`"),
        "{console}"
    );
    assert_eq!(password.as_ref().map(String::len), Some(20), "{console}");
    assert_eq!(
        login.status(),
        200,
        "the printed password signs the administrator in"
    );

    let (mut second, _, console) = start_server(dir.path(), &database_url);
    second.kill()?;
    second.wait()?;
    assert!(
        !console.contains("Password"),
        "a second start prints no password: {console}"
    );
    Ok(())
}

#[tokio::test]
async fn the_operator_lifts_every_wait_on_an_account() -> TestResult {
    // Waits of ten minutes: only the unlock can end them within the test.
    let (app, guesser) = acme_with_a_waiting_pair("127.0.13.1").await;
    assert_eq!(
        app.login(&guesser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "the pair waits"
    );

    let mut unlock = backoffice(&app.data_dir, &app.database_url);
    unlock.args(["user", "unlock", "--tenant", "acme", "  Anna "]);
    let (ok, out) = run(unlock, "");
    assert!(ok, "{out}");
    assert!(out.contains("unlocked anna in acme"), "{out}");

    assert_eq!(
        app.login(&guesser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200,
        "after the unlock the right password works at once"
    );
    let mut unknown = backoffice(&app.data_dir, &app.database_url);
    unknown.args(["user", "unlock", "--tenant", "nowhere", "anna"]);
    let (ok, out) = run(unknown, "");
    assert!(!ok && out.contains("nowhere"), "{out}");
    Ok(())
}

#[tokio::test]
async fn a_setting_out_of_range_stops_the_start_and_names_the_setting() -> TestResult {
    let app = spawn_app().await;
    let mut serve = backoffice(&app.data_dir, &app.database_url);
    serve
        .env("BACKOFFICE_LOCKOUT_THRESHOLD", "0")
        .env("BACKOFFICE_LISTEN", "127.0.0.1:0")
        .arg("serve");
    let (ok, out) = run(serve, "");
    assert!(!ok, "the server must not start: {out}");
    assert!(
        out.contains("BACKOFFICE_LOCKOUT_THRESHOLD") && out.contains("not 0"),
        "{out}"
    );
    Ok(())
}

#[tokio::test]
async fn the_operator_lists_sets_a_password_and_deactivates_from_the_command_line() -> TestResult {
    let app = spawn_app().await;
    app.tenant("acme");
    app.facility("acme", "BER", "Berlin");
    app.user(
        "acme",
        "anna",
        ADMIN_PASSWORD,
        shared::Role::Administrator,
        &[],
        true,
    );
    app.user(
        "acme",
        "fred",
        ADMIN_PASSWORD,
        shared::Role::Fulfiller,
        &["BER"],
        true,
    );
    let (dir, db) = (app.data_dir.clone(), app.database_url.clone());
    let cmd = |args: &[&str]| {
        let mut command = backoffice(&dir, &db);
        command.args(args);
        command
    };

    let (ok, out) = run(cmd(&["tenant", "list"]), "");
    assert!(ok && out.contains("acme\tacme Corp"), "{out}");
    let (ok, out) = run(cmd(&["facility", "list", "--tenant", "acme"]), "");
    assert!(ok && out.contains("BER\tBerlin"), "{out}");
    let (ok, out) = run(cmd(&["user", "list", "--tenant", "acme"]), "");
    assert!(ok, "{out}");
    assert!(out.contains("fred\tFULFILLER\tACTIVE\tBER\t-"), "{out}");
    assert!(out.contains("anna\tADMINISTRATOR\tACTIVE\t-"), "{out}");

    let before = app.script_login("acme", "fred", ADMIN_PASSWORD).await;
    let (ok, out) = run(
        cmd(&[
            "user",
            "set-password",
            "--tenant",
            "acme",
            "fred",
            "--temporary",
        ]),
        "an operator's passphrase\n",
    );
    assert!(ok, "{out}");
    assert!(out.contains("(temporary); 1 session(s) ended"), "{out}");
    assert_eq!(
        app.me("acme", str_of(&before, "access_token"))
            .await
            .status(),
        401
    );
    let tokens = app
        .script_login("acme", "fred", "an operator's passphrase")
        .await;
    assert_eq!(tokens["must_change_password"], true);

    let (ok, out) = run(
        cmd(&["user", "set-password", "--tenant", "acme", "fred"]),
        "short\n",
    );
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    let (ok, out) = run(
        cmd(&["user", "set-password", "--tenant", "acme", "nobody"]),
        "whatever long one\n",
    );
    assert!(!ok && out.contains("no account `nobody`"), "{out}");

    let (ok, out) = run(cmd(&["user", "deactivate", "--tenant", "acme", "fred"]), "");
    assert!(ok && out.contains("1 session(s) ended"), "{out}");
    assert_eq!(
        app.me("acme", str_of(&tokens, "access_token"))
            .await
            .status(),
        401
    );
    let browser = client(&app);
    let refused = app
        .login(&browser, "acme", "fred", "an operator's passphrase")
        .await;
    assert_eq!(refused.status(), 403);
    let (ok, out) = run(cmd(&["user", "activate", "--tenant", "acme", "fred"]), "");
    assert!(ok, "{out}");
    let again = app
        .login(&browser, "acme", "fred", "an operator's passphrase")
        .await;
    assert_eq!(again.status(), 200);
    Ok(())
}
