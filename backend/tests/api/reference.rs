//! The OpenAPI document and the reference page: every route the server
//! has is in the document, and everything in it answers.

use crate::helpers::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The (method, path) pairs `routes/mod.rs` registers, read from its
/// source: top-level `.route("…", web::get()…)` and the `web::resource`s
/// of the `/api/v1` scope with their `.get(…)`, `.post(…)`, ….
fn registered() -> BTreeSet<(String, String)> {
    let source = include_str!("../../src/routes/mod.rs");
    let mut routes = BTreeSet::new();
    for part in source.split(".route(\"").skip(1) {
        let path = part.split('"').next().unwrap_or_default();
        let method = part
            .split("web::")
            .nth(1)
            .and_then(|rest| rest.split("()").next())
            .unwrap_or_default();
        routes.insert((method.to_owned(), path.to_owned()));
    }
    for part in source.split("web::resource(\"").skip(1) {
        let path = part.split('"').next().unwrap_or_default();
        let body = part.split("web::resource(").next().unwrap_or_default();
        let body = body.split(".default_service").next().unwrap_or_default();
        for method in ["get", "post", "put", "patch", "delete"] {
            if body.contains(&format!(".{method}(")) {
                routes.insert((method.to_owned(), format!("/api/v1{path}")));
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_document_lists_every_route_and_every_listed_route_answers() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let response = client(&app)
        .get(app.url("acme", "/api/v1/openapi.json"))
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await?;
    assert!(
        str_of(&doc, "openapi").starts_with("3.1"),
        "{}",
        doc["openapi"]
    );

    let mut documented = BTreeSet::new();
    for (path, methods) in doc["paths"].as_object().ok_or("no paths")? {
        for method in methods.as_object().ok_or("no methods")?.keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let registered = registered();
    assert!(registered.len() >= 30, "{registered:?}");
    assert_eq!(
        documented, registered,
        "the document and the server's routes differ"
    );

    // Every documented operation exists with that method (no 404, no 405),
    // called without credentials or body.
    let http = client(&app);
    for (method, path) in &documented {
        let url = app.url("acme", &path.replace("{id}", "some-id"));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())?;
        let status = http.request(method.clone(), url).send().await?.status();
        assert!(
            status != 404 && status != 405,
            "{method} {path} answered {status}"
        );
    }
    // Request and response bodies name the shared types.
    let schemas = doc["components"]["schemas"]
        .as_object()
        .ok_or("no schemas")?;
    for name in [
        "Me",
        "TokenResponse",
        "Problem",
        "UserView",
        "NewUser",
        "UserChanges",
        "PasswordResetConfirm",
    ] {
        assert!(schemas.contains_key(name), "{name}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    Ok(())
}

#[tokio::test]
async fn the_reference_page_is_served_by_the_backend_itself() -> TestResult {
    let app = spawn_app().await;
    app.acme_admin();
    let response = client(&app)
        .get(app.url("acme", "/api/v1/reference"))
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = response.text().await?;
    for text in [
        "<code>POST /api/v1/users</code>",
        "<code>PATCH /api/v1/users/{id}</code>",
        "id=\"schema-UserView\"",
        "Needs a bearer access token.",
    ] {
        assert!(page.contains(text), "{text}");
    }
    assert!(
        !page.contains("<script"),
        "no script: the CSP allows none inline"
    );
    assert!(!page.contains("https://"), "nothing from elsewhere");
    Ok(())
}
