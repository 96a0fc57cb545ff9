//! Signing in with a password: success, and failures that look alike.

use crate::helpers::*;
use backoffice::model::audit::AuditEvent;
use backoffice::model::tenant::Tenant;
use serde_json::Value;
use shared::Role;
use std::time::{Duration, Instant};

#[tokio::test]
async fn login_opens_a_session_with_the_refresh_token_in_an_httponly_cookie() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let browser = client(&app);

    let response = app.login(&browser, "acme", "  Anna ", ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    assert!(cookie.starts_with("backoffice_refresh="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(
            cookie.contains(attribute),
            "cookie lacks {attribute}: {cookie}"
        );
    }
    let body: serde_json::Value = response.json().await?;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(
        body.get("refresh_token").is_none(),
        "browsers never see the refresh token"
    );

    let me = app.me("acme", str_of(&body, "access_token")).await;
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await?;
    assert_eq!(me["username"], "anna");
    assert_eq!(me["role"], "ADMINISTRATOR");
    assert_eq!(me["tenant"]["slug"], "acme");
    assert_eq!(me["facilities"], serde_json::json!([]));
    assert_eq!(me["session_id"], body["session_id"]);
    assert!(me["last_login_at"].is_string());
    Ok(())
}

#[tokio::test]
async fn me_tells_the_sign_in_before_this_one() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let sign_in = || async {
        let response = app
            .login(&client(&app), "acme", "anna", ADMIN_PASSWORD)
            .await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await?;
        let me = app.me("acme", str_of(&body, "access_token")).await;
        assert_eq!(me.status(), 200);
        Ok::<_, Box<dyn std::error::Error>>((body, me.json::<serde_json::Value>().await?))
    };

    let (_, first) = sign_in().await?;
    assert!(first["last_login_at"].is_string(), "{first}");
    assert!(first["previous_login_at"].is_null(), "{first}");

    let (second_tokens, second) = sign_in().await?;
    assert_eq!(second["previous_login_at"], first["last_login_at"]);
    assert_ne!(second["last_login_at"], first["last_login_at"]);

    // A failed attempt is not a sign-in: neither time moves.
    let failed = app
        .login(&client(&app), "acme", "anna", "not the password")
        .await;
    assert_eq!(failed.status(), 401);
    let after: serde_json::Value = app
        .me("acme", str_of(&second_tokens, "access_token"))
        .await
        .json()
        .await?;
    assert_eq!(after["last_login_at"], second["last_login_at"]);
    assert_eq!(after["previous_login_at"], second["previous_login_at"]);
    Ok(())
}

/// The proxy of the forwarding tests: its headers count, no one else's.
const PROXY: &str = "127.0.0.9";

/// A sign-in as anna of acme from `local`, saying it came over https.
async fn login_claiming_https(app: &TestApp, local: &str) -> reqwest::Result<reqwest::Response> {
    client_from(app, local)
        .post(app.url("acme", "/api/v1/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&serde_json::json!({ "username": "anna", "password": ADMIN_PASSWORD }))
        .send()
        .await
}

/// The usual fixture, served behind the trusted proxy `PROXY`.
async fn acme_behind_proxy() -> TestApp {
    let app = spawn_app_with(TestConfig {
        trusted_proxy: Some(PROXY),
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    app
}

#[tokio::test]
async fn behind_https_the_refresh_cookie_is_secure_and_prefixed() -> TestResult {
    let app = acme_behind_proxy().await;
    let response = login_claiming_https(&app, PROXY).await?;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    assert!(cookie.starts_with("__Host-backoffice_refresh="), "{cookie}");
    // `__Host-`: Secure, no Domain (host-only), Path=/.
    assert!(!cookie.contains("Domain"), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/;"] {
        assert!(
            cookie.contains(attribute),
            "cookie lacks {attribute}: {cookie}"
        );
    }
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_some(),
        "https answers carry HSTS"
    );
    Ok(())
}

#[tokio::test]
async fn only_the_trusted_proxy_can_say_a_request_came_over_https() -> TestResult {
    let app = acme_behind_proxy().await;
    // A client that is not the proxy: its X-Forwarded-Proto is its own word.
    let response = login_claiming_https(&app, "127.0.0.1").await?;
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    assert!(cookie.starts_with("backoffice_refresh="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none(),
        "plain http answers carry no HSTS"
    );
    Ok(())
}

#[tokio::test]
async fn with_an_https_public_url_cookies_are_host_only_and_hsts_is_sent() -> TestResult {
    // No proxy says https here: the public URL alone decides.
    let app = spawn_app_with(TestConfig {
        public_url: Some("https://{tenant}.backoffice.example.com"),
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let response = app
        .login(&client(&app), "acme", "anna", ADMIN_PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    let cookies: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for name in ["__Host-backoffice_refresh=", "__Host-backoffice_device="] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .ok_or(format!("no {name} in {cookies:?}"))?;
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/;"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
    assert!(response
        .headers()
        .get("strict-transport-security")
        .is_some());
    Ok(())
}

#[tokio::test]
async fn a_facility_user_sees_its_facilities_in_me_and_in_the_token() -> TestResult {
    let app = spawn_app().await;
    app.tenant("acme");
    app.facility("acme", "BER-01", "Berlin Store");
    app.facility("acme", "HAM-02", "Hamburg Warehouse");
    app.user(
        "acme",
        "sam",
        "sam's long passphrase",
        Role::Supervisor,
        &["BER-01", "HAM-02"],
        true,
    );

    let me = app.me_of("acme", "sam", "sam's long passphrase").await;
    assert_eq!(me["role"], "SUPERVISOR");
    let names: Vec<&str> = me["facilities"]
        .as_array()
        .map(|list| list.iter().filter_map(|f| f["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["Berlin Store", "Hamburg Warehouse"]);
    Ok(())
}

#[tokio::test]
async fn wrong_password_unknown_user_and_locked_account_answer_alike() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let browser = client(&app);

    let wrong = app
        .login(&browser, "acme", "anna", "not the passphrase")
        .await;
    assert_eq!(wrong.status(), 401);
    let wrong = problem(wrong).await;
    let unknown = problem(
        app.login(&browser, "acme", "nobody", "not the passphrase")
            .await,
    )
    .await;
    for _ in 0..3 {
        app.login(&browser, "acme", "anna", "still not it").await;
    }
    let locked = app.login(&browser, "acme", "anna", ADMIN_PASSWORD).await;
    assert_eq!(
        locked.status(),
        401,
        "a locked account refuses even the right password"
    );
    let locked = problem(locked).await;

    assert_eq!(wrong["code"], "invalid_credentials");
    assert_eq!(wrong["title"], "Incorrect username or password.");
    assert_eq!(unknown, wrong);
    assert_eq!(locked, wrong);
    Ok(())
}

/// One failed attempt's time, from an address of its own (which keeps the
/// throttle out of the way).
async fn failed_login_time(app: &TestApp, username: &str, address: &str) -> Duration {
    let caller = client_from(app, address);
    let started = Instant::now();
    let response = app
        .login(&caller, "acme", username, "wrong passphrase!")
        .await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 401);
    elapsed
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn an_unknown_username_costs_a_password_hash_like_a_known_one() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    // Alternating the two, so that the load of the tests running beside
    // this one weighs on both alike.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for round in 0..9 {
        known.push(failed_login_time(&app, "anna", &format!("127.0.3.{round}")).await);
        unknown.push(failed_login_time(&app, "nobody-here", &format!("127.0.4.{round}")).await);
    }
    let (known, unknown) = (median(known), median(unknown));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown {unknown:?} vs known {known:?}: the difference would reveal accounts"
    );
    Ok(())
}

#[tokio::test]
async fn an_inactive_account_is_told_so_only_after_the_right_password() -> TestResult {
    let app = spawn_app().await;
    app.tenant("acme");
    app.user(
        "acme",
        "ivan",
        "ivan's long passphrase",
        Role::Administrator,
        &[],
        false,
    );
    let browser = client(&app);

    let wrong = problem(app.login(&browser, "acme", "ivan", "guessing wrong").await).await;
    assert_eq!(wrong["code"], "invalid_credentials");

    let right = app
        .login(&browser, "acme", "ivan", "ivan's long passphrase")
        .await;
    assert_eq!(right.status(), 403);
    let right = problem(right).await;
    assert_eq!(right["code"], "account_inactive");
    assert_eq!(
        right["title"],
        "This account is inactive. Contact your administrator."
    );
    Ok(())
}

/// The claims of an access token, unverified (the tests of the JWKS check
/// the signature).
fn token_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn sign_ins_that_arrive_together_each_get_their_own_session() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    app.facility("acme", "BER-01", "Berlin Store");
    let sam_password = "sam's long passphrase";
    app.user(
        "acme",
        "sam",
        sam_password,
        Role::Supervisor,
        &["BER-01"],
        true,
    );
    // Sixteen at once against the hashing threads: most of them queue. The
    // wrong guesses come from four addresses, so none of them waits.
    let attempts: Vec<(&str, &str, String)> = (0..16)
        .map(|i| match i % 4 {
            0 | 1 => ("anna", ADMIN_PASSWORD, "127.0.5.1".to_owned()),
            2 => ("sam", sam_password, "127.0.5.2".to_owned()),
            _ => ("sam", "a wrong guess", format!("127.0.6.{i}")),
        })
        .collect();
    let answers =
        futures_util::future::join_all(attempts.iter().map(|(username, password, from)| {
            let client = client_from(&app, from);
            let app = &app;
            async move {
                let response = app.login(&client, "acme", username, password).await;
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        }))
        .await;

    let mut sessions = std::collections::HashSet::new();
    for ((username, password, _), (status, body)) in attempts.iter().zip(&answers) {
        if *password == "a wrong guess" {
            assert_eq!(*status, 401, "{body}");
            continue;
        }
        assert_eq!(*status, 200, "{username}: {body}");
        assert!(sessions.insert(str_of(body, "session_id").to_owned()));
        let me: Value = app
            .me("acme", str_of(body, "access_token"))
            .await
            .json()
            .await?;
        assert_eq!(
            me["username"], *username,
            "each answer is its own account's"
        );
        let claims = token_claims(str_of(body, "access_token"));
        assert_eq!(claims["sub"], me["id"]);
        assert_eq!(
            claims["facilities"].as_array().map(Vec::len),
            Some(usize::from(*username == "sam")),
            "the token names the account's own facilities"
        );
    }
    assert_eq!(sessions.len(), 12, "twelve sign-ins, twelve sessions");

    let mut conn = app.pool.get()?;
    let tenant = Tenant::find_by_slug(&mut conn, "acme")?.ok_or("no tenant")?;
    let events = AuditEvent::of_tenant(&mut conn, &tenant.id)?;
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("login_succeeded"), 12);
    assert_eq!(
        count("login_failed") + count("login_throttled"),
        4,
        "every failure is counted"
    );
    Ok(())
}
