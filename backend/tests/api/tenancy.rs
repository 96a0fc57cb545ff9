//! Tenants by host name, and nothing crossing between them.

use crate::helpers::*;
use shared::Role;

#[tokio::test]
async fn the_host_name_selects_the_tenant_and_unknown_hosts_get_404() -> TestResult {
    let app = spawn_app().await;
    app.tenant("acme");
    let info: serde_json::Value = client(&app)
        .get(app.url("acme", "/api/v1/tenant"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(info["slug"], "acme");
    assert_eq!(info["display_name"], "acme Corp");
    assert_eq!(info["sso_enabled"], false);

    let unknown = client(&app)
        .get(app.url("globex", "/api/v1/tenant"))
        .send()
        .await?;
    assert_eq!(unknown.status(), 404);
    assert_eq!(problem(unknown).await["code"], "unknown_tenant");
    Ok(())
}

/// The tenant a request from `local` lands on, asking for acme's host but
/// forwarding globex's.
async fn tenant_with_forwarded_host(app: &TestApp, local: &str) -> reqwest::Result<String> {
    let info: serde_json::Value = client_from(app, local)
        .get(app.url("acme", "/api/v1/tenant"))
        .header("x-forwarded-host", format!("globex.localhost:{}", app.port))
        .send()
        .await?
        .json()
        .await?;
    Ok(info["slug"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn only_the_trusted_proxy_can_forward_a_host_name() -> TestResult {
    let app = spawn_app_with(TestConfig {
        trusted_proxy: Some("127.0.0.9"),
        ..TestConfig::default()
    })
    .await;
    app.tenant("acme");
    app.tenant("globex");
    assert_eq!(tenant_with_forwarded_host(&app, "127.0.0.1").await?, "acme");
    assert_eq!(
        tenant_with_forwarded_host(&app, "127.0.0.9").await?,
        "globex"
    );
    Ok(())
}

#[tokio::test]
async fn a_token_of_one_tenant_is_refused_by_another() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    app.tenant("globex");
    app.user(
        "globex",
        "anna",
        "globex anna's passphrase",
        Role::Administrator,
        &[],
        true,
    );

    let acme = app.script_login("acme", "anna", ADMIN_PASSWORD).await;
    let token = str_of(&acme, "access_token");
    assert_eq!(app.me("acme", token).await.status(), 200);
    let elsewhere = app.me("globex", token).await;
    assert_eq!(elsewhere.status(), 401);
    assert_eq!(problem(elsewhere).await["code"], "invalid_token");

    let browser = client(&app);
    assert_eq!(
        app.login(&browser, "globex", "anna", ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "acme's password does not open globex's account of the same name"
    );
    let refresh = app
        .fresh_post("globex", "/api/v1/auth/refresh")
        .json(&serde_json::json!({ "refresh_token": str_of(&acme, "refresh_token") }))
        .send()
        .await?;
    assert_eq!(refresh.status(), 401, "nor does its refresh token");
    Ok(())
}
