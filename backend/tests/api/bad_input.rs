//! Bad input gets a clear 4xx problem document, never a 500, and leaves
//! nothing behind.

use crate::helpers::*;
use backoffice::model::audit::AuditEvent;
use backoffice::model::tenant::Tenant;

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: String,
) -> reqwest::Response {
    let mut request = client(app).post(app.url("acme", path)).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn malformed_and_wrongly_shaped_bodies_get_problem_documents() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let json = Some("application/json");
    let long_name = "n".repeat(200);
    let long_password = "p".repeat(129);
    let cases: Vec<(&str, Option<&str>, String, u16, &str)> = vec![
        (
            "/api/v1/auth/login",
            json,
            "{\"username\": \"anna\"".into(),
            400,
            "malformed_json",
        ),
        (
            "/api/v1/auth/login",
            json,
            "[1, 2]".into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            r#"{"username": 5, "password": "x"}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            r#"{"username": "anna"}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            r#"{"username": "anna", "password": "x", "admin": true}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            r#"{"username": "anna", "password": "x", "token_delivery": "fax"}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            format!(r#"{{"username": "{long_name}", "password": "x"}}"#),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            format!(r#"{{"username": "anna", "password": "{long_password}"}}"#),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            r#"{"username": "   ", "password": "x"}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            r#"{"username": "anna", "password": ""}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/login",
            json,
            format!(
                r#"{{"username": "anna", "password": "{}"}}"#,
                "x".repeat(40_000)
            ),
            413,
            "payload_too_large",
        ),
        (
            "/api/v1/auth/login",
            None,
            r#"{"username": "anna", "password": "x"}"#.into(),
            415,
            "unsupported_media_type",
        ),
        (
            "/api/v1/auth/login",
            Some("text/plain"),
            r#"{"username": "anna", "password": "x"}"#.into(),
            415,
            "unsupported_media_type",
        ),
        (
            "/api/v1/auth/refresh",
            json,
            "{not json".into(),
            400,
            "malformed_json",
        ),
        (
            "/api/v1/auth/refresh",
            json,
            r#"{"refresh_token": 42}"#.into(),
            422,
            "validation_failed",
        ),
        (
            "/api/v1/auth/refresh",
            json,
            "x".repeat(40_000),
            413,
            "payload_too_large",
        ),
        (
            "/api/v1/auth/logout",
            json,
            "{\"refresh_token\": \"abc".into(),
            400,
            "malformed_json",
        ),
    ];
    for (path, content_type, body, status, code) in cases {
        let shown: String = body.chars().take(60).collect();
        let response = post_raw(&app, path, content_type, body).await;
        assert_eq!(response.status().as_u16(), status, "{path} {shown}");
        let problem = problem(response).await;
        assert_eq!(problem["code"], code, "{path} {shown}");
        assert_eq!(problem["status"], status);
        assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
    let validation = problem(
        post_raw(
            &app,
            "/api/v1/auth/login",
            json,
            format!(r#"{{"username": "{long_name}", "password": "x"}}"#),
        )
        .await,
    )
    .await;
    assert!(validation["errors"]["username"][0]
        .as_str()
        .is_some_and(|m| m.contains("64")));

    let mut conn = app.pool.get()?;
    let tenant = Tenant::find_by_slug(&mut conn, "acme")?.ok_or("no tenant")?;
    assert!(
        AuditEvent::of_tenant(&mut conn, &tenant.id)?.is_empty(),
        "refused input counts as no sign-in attempt and writes nothing"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_tenants_routes_and_tokens_get_problem_documents() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let c = client(&app);

    let no_tenant = c
        .post(app.url("globex", "/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "anna", "password": ADMIN_PASSWORD}))
        .send()
        .await?;
    assert_eq!(no_tenant.status(), 404);
    assert_eq!(problem(no_tenant).await["code"], "unknown_tenant");

    let no_route = c
        .get(app.url("acme", "/api/v1/nothing-here"))
        .send()
        .await?;
    assert_eq!(no_route.status(), 404);
    assert_eq!(problem(no_route).await["code"], "not_found");

    let wrong_method = c.get(app.url("acme", "/api/v1/auth/login")).send().await?;
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(problem(wrong_method).await["code"], "method_not_allowed");

    let no_token = c.get(app.url("acme", "/api/v1/me")).send().await?;
    assert_eq!(no_token.status(), 401);
    assert_eq!(
        no_token
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    assert_eq!(problem(no_token).await["code"], "invalid_token");

    for garbage in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        let response = c
            .get(app.url("acme", "/api/v1/me"))
            .bearer_auth(garbage)
            .send()
            .await?;
        assert_eq!(response.status(), 401, "{garbage}");
        assert_eq!(problem(response).await["code"], "invalid_token");
    }
    Ok(())
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_deep_links_get_the_app() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let c = client(&app);
    for path in ["/api/v1/tenant", "/", "/account", "/facility/x"] {
        let response = c.get(app.url("acme", path)).send().await?;
        assert_eq!(response.status(), 200, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("referrer-policy"), "no-referrer");
        assert!(
            header("access-control-allow-origin").is_empty(),
            "no CORS grants"
        );
        if path.starts_with("/api") {
            assert_eq!(header("cache-control"), "no-store");
        } else {
            assert_eq!(response.text().await?, SPA_INDEX, "{path} serves the app");
        }
    }
    let health = c.get(app.url("acme", "/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let ready: serde_json::Value = c
        .get(app.url("acme", "/readyz"))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(ready["database"], "ok");
    Ok(())
}
