//! The signed-in person's own account: profile and language, changing the
//! password, and the list of sessions, as a script or the settings page
//! meets them.

use crate::helpers::*;
use crate::mailbox::SmtpCatcher;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Response;
use serde_json::{json, Value};

const ANNA_MAIL: &str = "anna@acme.example";
const NEW_PASSWORD: &str = "a brand new passphrase";

async fn acme_with_mail(catcher: &SmtpCatcher) -> TestApp {
    let app = spawn_app_with(TestConfig {
        smtp_url: Some(catcher.url()),
        ..TestConfig::default()
    })
    .await;
    app.tenant("acme");
    app.user_with_email("acme", "anna", ADMIN_PASSWORD, ANNA_MAIL, "en");
    app
}

impl TestApp {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = client(self)
            .request(method, self.url("acme", path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    async fn change_password(&self, token: &str, current: &str, new: &str) -> Response {
        self.call(
            reqwest::Method::POST,
            "/api/v1/me/password",
            token,
            Some(json!({ "current_password": current, "new_password": new })),
        )
        .await
    }

    async fn sessions(&self, token: &str) -> Vec<Value> {
        let response = self
            .call(reqwest::Method::GET, "/api/v1/me/sessions", token, None)
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap_or_default()
    }
}

fn access(tokens: &Value) -> &str {
    str_of(tokens, "access_token")
}

/// The claims of a JWT, read without checking it (the server did).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap_or_default()).unwrap_or_default()
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_ends_the_others_and_tells_the_owner() -> TestResult
{
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher).await;
    let here = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let elsewhere = app.script_login("acme", "anna", ADMIN_PASSWORD).await;

    let changed = app
        .change_password(access(&here), ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(changed.status(), 204);

    assert_eq!(
        app.me("acme", access(&here)).await.status(),
        200,
        "this session stays"
    );
    assert_eq!(
        app.me("acme", access(&elsewhere)).await.status(),
        401,
        "the other ends at once"
    );
    let refresh = app
        .fresh_post("acme", "/api/v1/auth/refresh")
        .json(&json!({ "refresh_token": str_of(&elsewhere, "refresh_token") }))
        .send()
        .await?;
    assert_eq!(refresh.status(), 401);
    let sessions = app.sessions(access(&here)).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["current"], true);

    let browser = client(&app);
    assert_eq!(
        app.login(&browser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login(&browser, "acme", "anna", NEW_PASSWORD)
            .await
            .status(),
        200
    );

    let notice = catcher.wait_for(ANNA_MAIL, 1).await.remove(0);
    assert_eq!(notice.subject, "Your password for acme Corp was changed");
    assert!(notice
        .text
        .contains("Every other session of the account has been signed out"));
    Ok(())
}

#[tokio::test]
async fn each_mistake_gets_its_own_code_at_its_own_field_and_changes_nothing() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher).await;
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = access(&tokens);

    for (current, new, field, code) in [
        (
            "not my password",
            NEW_PASSWORD,
            "current_password",
            "current_password_wrong",
        ),
        (
            "",
            NEW_PASSWORD,
            "current_password",
            "current_password_missing",
        ),
        (
            ADMIN_PASSWORD,
            "too short",
            "new_password",
            "password_too_short",
        ),
        (
            ADMIN_PASSWORD,
            "password1234",
            "new_password",
            "password_common",
        ),
        (ADMIN_PASSWORD, "ANNA", "new_password", "password_too_short"),
        (
            ADMIN_PASSWORD,
            ADMIN_PASSWORD,
            "new_password",
            "password_same_as_current",
        ),
    ] {
        let refused = app.change_password(token, current, new).await;
        assert_eq!(refused.status(), 422, "{field} {code}");
        let refused = problem(refused).await;
        assert_eq!(refused["error_codes"][field][0], code);
        assert!(refused["errors"][field][0].is_string());
    }
    // Malformed bodies are refused too, never a 500.
    for body in [
        json!({}),
        json!({ "current_password": 1, "new_password": "x" }),
        json!({ "current_password": "a", "new_password": "b", "more": 1 }),
    ] {
        let refused = app
            .call(
                reqwest::Method::POST,
                "/api/v1/me/password",
                token,
                Some(body),
            )
            .await;
        assert!(refused.status().is_client_error());
        problem(refused).await;
    }
    assert_eq!(app.me("acme", token).await.status(), 200);
    let browser = client(&app);
    assert_eq!(
        app.login(&browser, "acme", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        200
    );
    Ok(())
}

#[tokio::test]
async fn guessing_the_current_password_with_a_stolen_session_is_slowed() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher).await;
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = access(&tokens);
    for _ in 0..3 {
        assert_eq!(
            app.change_password(token, "guess", NEW_PASSWORD)
                .await
                .status(),
            422
        );
    }
    // The pair now waits: even the right password is refused unchecked.
    let waiting = app
        .change_password(token, ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(waiting.status(), 429);
    assert_eq!(problem(waiting).await["code"], "too_many_attempts");
    Ok(())
}

#[tokio::test]
async fn an_sso_account_has_no_password_to_change() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher).await;
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    app.execute("UPDATE users SET sign_in_method = 'OIDC' WHERE username = 'anna'");
    let refused = app
        .change_password(access(&tokens), ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(problem(refused).await["code"], "password_managed_by_sso");
    Ok(())
}

#[tokio::test]
async fn sessions_are_listed_and_signed_out_one_by_one_or_all_but_this_one() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    app.user(
        "acme",
        "otto",
        ADMIN_PASSWORD,
        shared::Role::Administrator,
        &[],
        true,
    );
    let a = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let b = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let c = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let otto = app.script_login("acme", "otto", ADMIN_PASSWORD).await;

    let listed = app.sessions(access(&a)).await;
    assert_eq!(listed.len(), 3);
    let current: Vec<&Value> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], a["session_id"]);
    for session in &listed {
        for field in ["created_at", "last_seen_at", "expires_at"] {
            assert!(chrono::DateTime::parse_from_rfc3339(str_of(session, field)).is_ok());
        }
        assert_eq!(session["client_address"], "127.0.0.1");
    }

    let b_path = format!("/api/v1/me/sessions/{}", str_of(&b, "session_id"));
    let gone = app
        .call(reqwest::Method::DELETE, &b_path, access(&a), None)
        .await;
    assert_eq!(gone.status(), 204);
    assert_eq!(app.me("acme", access(&b)).await.status(), 401, "at once");
    let again = app
        .call(reqwest::Method::DELETE, &b_path, access(&a), None)
        .await;
    assert_eq!(again.status(), 404);
    // Someone else's session is not anna's to end.
    let ottos = format!("/api/v1/me/sessions/{}", str_of(&otto, "session_id"));
    let refused = app
        .call(reqwest::Method::DELETE, &ottos, access(&a), None)
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.me("acme", access(&otto)).await.status(), 200);

    let others = app
        .call(
            reqwest::Method::POST,
            "/api/v1/me/sessions/revoke-others",
            access(&a),
            None,
        )
        .await;
    assert_eq!(others.status(), 200);
    assert_eq!(others.json::<Value>().await?["revoked"], 1);
    assert_eq!(app.me("acme", access(&c)).await.status(), 401);
    assert_eq!(app.me("acme", access(&a)).await.status(), 200);
    assert_eq!(app.sessions(access(&a)).await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn the_language_is_kept_and_followed_by_the_next_token_and_the_mail() -> TestResult {
    let catcher = SmtpCatcher::start();
    let app = acme_with_mail(&catcher).await;
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    assert_eq!(claims(access(&tokens))["locale"], "en");

    let patched = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/me",
            access(&tokens),
            Some(json!({ "locale": "de", "first_name": "  Anna-Lena ", "last_name": "Berg" })),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let me: Value = patched.json().await?;
    assert_eq!(me["locale"], "de");
    assert_eq!(me["first_name"], "Anna-Lena");
    assert_eq!(me["last_name"], "Berg");
    let stored: Value = app.me("acme", access(&tokens)).await.json().await?;
    assert_eq!(stored["locale"], "de");

    let refreshed: Value = app
        .fresh_post("acme", "/api/v1/auth/refresh")
        .json(&json!({ "refresh_token": str_of(&tokens, "refresh_token") }))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(claims(access(&refreshed))["locale"], "de");

    app.change_password(access(&refreshed), ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let notice = catcher.wait_for(ANNA_MAIL, 1).await.remove(0);
    assert_eq!(notice.subject, "Ihr Passwort für acme Corp wurde geändert");
    assert!(notice.text.starts_with("Hallo Anna-Lena Berg,"));
    Ok(())
}

#[tokio::test]
async fn a_bad_profile_change_names_each_field_and_writes_nothing() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = access(&tokens);
    let refused = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/me",
            token,
            Some(json!({ "first_name": " ", "last_name": "x".repeat(101), "locale": "fr" })),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let refused = problem(refused).await;
    for field in ["first_name", "last_name", "locale"] {
        assert!(refused["errors"][field].is_array(), "{field}");
    }
    for body in [
        json!({ "role": "ADMINISTRATOR" }),
        json!({ "locale": 5 }),
        json!("de"),
    ] {
        let refused = app
            .call(reqwest::Method::PATCH, "/api/v1/me", token, Some(body))
            .await;
        assert!(refused.status().is_client_error());
        problem(refused).await;
    }
    let me: Value = app.me("acme", token).await.json().await?;
    assert_eq!(me["first_name"], "Test");
    assert_eq!(me["locale"], "en");
    // Without a token, nothing at all.
    let anonymous = client(&app)
        .patch(app.url("acme", "/api/v1/me"))
        .json(&json!({ "locale": "de" }))
        .send()
        .await?;
    assert_eq!(anonymous.status(), 401);
    Ok(())
}

#[tokio::test]
async fn a_temporary_password_must_be_replaced_before_anything_else_answers() -> TestResult {
    // The first start's administrator has a password someone else (the
    // console) chose.
    let app = spawn_app().await;
    let first = {
        let mut conn = app.pool.get()?;
        backoffice::bootstrap::ensure_first_tenant(&mut conn, &app.hasher, "acme")?
            .ok_or("no first administrator")?
    };
    let tokens = app
        .script_login("acme", &first.username, &first.password)
        .await;
    assert_eq!(
        tokens["must_change_password"], true,
        "the login answer says so"
    );
    let token = access(&tokens);
    let me: Value = app.me("acme", token).await.json().await?;
    assert_eq!(me["must_change_password"], true);
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/me/sessions"),
        (reqwest::Method::POST, "/api/v1/me/sessions/revoke-others"),
        (reqwest::Method::PATCH, "/api/v1/me"),
    ] {
        let refused = app.call(method, path, token, Some(json!({}))).await;
        assert_eq!(refused.status(), 403, "{path}");
        assert_eq!(problem(refused).await["code"], "password_change_required");
    }
    assert_eq!(
        app.change_password(token, &first.password, NEW_PASSWORD)
            .await
            .status(),
        204
    );
    assert_eq!(app.sessions(token).await.len(), 1, "now everything answers");
    let again = app
        .script_login("acme", &first.username, NEW_PASSWORD)
        .await;
    assert_eq!(again["must_change_password"], false);
    Ok(())
}
