//! Refresh tokens rotate, reuse revokes, logout revokes at once, and the
//! published keys verify the access tokens.

use crate::helpers::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::header::COOKIE;

fn refresh_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("backoffice_refresh="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_browser_refreshes_with_its_cookie_and_each_refresh_rotates_it() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let browser = client(&app);
    let login = app.login(&browser, "acme", "anna", ADMIN_PASSWORD).await;
    let first_cookie = refresh_cookie(&login);
    let first: serde_json::Value = login.json().await?;

    let refreshed = browser
        .post(app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?;
    assert_eq!(refreshed.status(), 200);
    let second_cookie = refresh_cookie(&refreshed);
    assert!(
        !second_cookie.is_empty() && second_cookie != first_cookie,
        "the cookie rotates"
    );
    let second: serde_json::Value = refreshed.json().await?;
    assert_eq!(
        second["session_id"], first["session_id"],
        "same session, new tokens"
    );
    assert_eq!(
        app.me("acme", str_of(&second, "access_token"))
            .await
            .status(),
        200
    );
    Ok(())
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_the_whole_session() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let browser = client(&app);
    let login = app.login(&browser, "acme", "anna", ADMIN_PASSWORD).await;
    let stolen = refresh_cookie(&login);
    let refreshed: serde_json::Value = browser
        .post(app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?
        .json()
        .await?;
    let access = str_of(&refreshed, "access_token").to_owned();
    assert_eq!(app.me("acme", &access).await.status(), 200);

    let thief = app
        .fresh_post("acme", "/api/v1/auth/refresh")
        .header(COOKIE, format!("backoffice_refresh={stolen}"))
        .send()
        .await?;
    assert_eq!(thief.status(), 401);
    assert_eq!(problem(thief).await["code"], "invalid_refresh_token");

    assert_eq!(
        app.me("acme", &access).await.status(),
        401,
        "the session's access token is refused at once"
    );
    let legit = browser
        .post(app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?;
    assert_eq!(legit.status(), 401, "and so is the rotated refresh token");
    Ok(())
}

#[tokio::test]
async fn tabs_refreshing_with_the_same_cookie_at_once_stay_signed_in() -> TestResult {
    let app = spawn_app_with(TestConfig {
        refresh_reuse_grace_seconds: 10,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let browser = client(&app);
    let login = app.login(&browser, "acme", "anna", ADMIN_PASSWORD).await;
    let cookie = refresh_cookie(&login);
    let tab = || {
        app.fresh_post("acme", "/api/v1/auth/refresh")
            .header(COOKIE, format!("backoffice_refresh={cookie}"))
            .send()
    };
    let (first, second) = tokio::join!(tab(), tab());
    let (first, second) = (first?, second?);
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let (first_successor, second_successor) = (refresh_cookie(&first), refresh_cookie(&second));
    assert!(!first_successor.is_empty());
    assert_eq!(
        first_successor, second_successor,
        "both tabs get the same successor, not two chains"
    );
    let second: serde_json::Value = second.json().await?;
    assert_eq!(
        app.me("acme", str_of(&second, "access_token"))
            .await
            .status(),
        200,
        "the session lives on"
    );
    Ok(())
}

#[tokio::test]
async fn a_replay_inside_the_grace_gets_the_same_successor_and_no_second_chain() -> TestResult {
    let app = spawn_app_with(TestConfig {
        refresh_reuse_grace_seconds: 10,
        ..TestConfig::default()
    })
    .await;
    app.acme_admin();
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let refresh = |token: String| {
        let request = app
            .fresh_post("acme", "/api/v1/auth/refresh")
            .json(&serde_json::json!({ "refresh_token": token }));
        async move {
            let response = request.send().await?;
            assert_eq!(response.status(), 200);
            let body: serde_json::Value = response.json().await?;
            Ok::<_, reqwest::Error>(str_of(&body, "refresh_token").to_owned())
        }
    };
    let original = str_of(&tokens, "refresh_token").to_owned();
    let successor = refresh(original.clone()).await?;
    let replayed = refresh(original.clone()).await?;
    assert_eq!(successor, replayed, "the replay gets the same successor");
    assert_ne!(successor, original);

    // The one chain goes on: the successor rotates once, and presenting it
    // again (inside the grace) still yields its own single successor.
    let next = refresh(successor.clone()).await?;
    assert_eq!(refresh(successor).await?, next);
    let session_id = str_of(&tokens, "session_id").to_owned();
    let mut conn = app.pool.get()?;
    let rows = backoffice::model::session::RefreshToken::of_session(&mut conn, &session_id)?;
    assert_eq!(
        rows, 3,
        "the original, its successor and the next: one chain"
    );
    Ok(())
}

#[tokio::test]
async fn a_script_gets_and_refreshes_its_tokens_in_the_body() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let refresh_token = str_of(&tokens, "refresh_token").to_owned();
    assert!(refresh_token.len() >= 43, "at least 256 bits");

    let refreshed = app
        .fresh_post("acme", "/api/v1/auth/refresh")
        .json(&serde_json::json!({ "refresh_token": refresh_token }))
        .send()
        .await?;
    assert_eq!(refreshed.status(), 200);
    assert!(
        refreshed.headers().get("set-cookie").is_none(),
        "scripts get no cookie"
    );
    let refreshed: serde_json::Value = refreshed.json().await?;
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);
    assert_eq!(
        app.me("acme", str_of(&refreshed, "access_token"))
            .await
            .status(),
        200
    );
    Ok(())
}

#[tokio::test]
async fn logout_revokes_the_session_at_once() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let browser = client(&app);
    let login: serde_json::Value = app
        .login(&browser, "acme", "anna", ADMIN_PASSWORD)
        .await
        .json()
        .await?;
    let access = str_of(&login, "access_token").to_owned();
    assert_eq!(app.me("acme", &access).await.status(), 200);

    let logout = browser
        .post(app.url("acme", "/api/v1/auth/logout"))
        .bearer_auth(&access)
        .send()
        .await?;
    assert_eq!(logout.status(), 204);
    let cleared = set_cookie(&logout);
    assert!(
        cleared.contains("Max-Age=0"),
        "logout clears the cookie: {cleared}"
    );

    assert_eq!(
        app.me("acme", &access).await.status(),
        401,
        "refused before expiry"
    );
    let refresh = browser
        .post(app.url("acme", "/api/v1/auth/refresh"))
        .send()
        .await?;
    assert_eq!(refresh.status(), 401);
    Ok(())
}

#[tokio::test]
async fn a_cookie_refresh_from_another_site_is_refused() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let browser = client(&app);
    app.login(&browser, "acme", "anna", ADMIN_PASSWORD).await;
    let forged = browser
        .post(app.url("acme", "/api/v1/auth/refresh"))
        .header("origin", "https://evil.example")
        .send()
        .await?;
    assert_eq!(forged.status(), 403);
    assert_eq!(problem(forged).await["code"], "forbidden_origin");
    Ok(())
}

#[tokio::test]
async fn the_published_keys_verify_an_issued_token() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let tokens = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = str_of(&tokens, "access_token");

    let jwks: serde_json::Value = client(&app)
        .get(app.url("acme", "/.well-known/jwks.json"))
        .send()
        .await?
        .json()
        .await?;
    let kid = jsonwebtoken::decode_header(token)?.kid.unwrap_or_default();
    let jwk = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid.as_str()))
        .ok_or("the token's kid is not published")?;
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(jwk["alg"], "EdDSA");

    let key = DecodingKey::from_ed_components(str_of(jwk, "x"))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&["backoffice"]);
    validation.set_issuer(&["backoffice"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)?.claims;
    assert_eq!(claims["sid"], tokens["session_id"]);
    assert_eq!(claims["role"], "ADMINISTRATOR");
    assert_eq!(claims["locale"], "en");
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    assert_eq!(lifetime, 900);

    let mut tampered = token.to_owned();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(app.me("acme", &tampered).await.status(), 401);
    Ok(())
}
