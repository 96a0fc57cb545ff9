//! The API described: `GET /api/v1/openapi.json`, an OpenAPI 3.1 document
//! generated from the handlers' `#[utoipa::path]` annotations and the
//! `shared` types (so it follows the code), and `GET /api/v1/reference`, a
//! page rendered from that document on the server: no script, no CDN.

use super::{account, auth, health, jwks, password_reset, sso_providers, tenant, users};
use actix_web::http::header::ContentType;
use actix_web::HttpResponse;
use serde_json::Value;
use std::fmt::Write;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Backoffice access API",
        description = "Sign-in (password and single sign-on), passwords, account administration and single sign-on settings of the Backoffice. JSON under /api/v1; the tenant comes from the Host header; every error is an RFC 9457 problem document (application/problem+json) with a stable `code`, and `errors` and `error_codes` per field where a field is at fault. Authenticated calls send `Authorization: Bearer <access token>` from /api/v1/auth/login."
    ),
    paths(
        health::healthz,
        health::readyz,
        jwks::jwks,
        tenant::get,
        auth::login::post,
        auth::refresh::post,
        auth::logout::post,
        auth::sso::start,
        auth::sso::callback,
        sso_providers::list,
        sso_providers::create,
        sso_providers::get,
        sso_providers::update,
        sso_providers::delete,
        password_reset::request,
        password_reset::verify,
        password_reset::confirm,
        account::profile::get,
        account::profile::patch,
        account::password::post,
        account::sessions::list,
        account::sessions::delete,
        account::sessions::revoke_others,
        users::list,
        users::create,
        users::get,
        users::update,
        users::delete,
        users::invite,
        users::set_password,
        users::unlock,
        users::revoke_sessions,
        users::facilities,
        users::create_facility,
        users::audit_events,
        document,
        reference,
    ),
    modifiers(&BearerTokens)
)]
struct ApiDoc;

/// Declares the `bearer` scheme the paths' `security` names.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document as JSON, built once.
pub fn json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "reference",
    responses((status = 200, description = "This document, OpenAPI 3.1"))
)]
/// The OpenAPI document of the whole API.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(json())
}

#[utoipa::path(
    get,
    path = "/api/v1/reference",
    tag = "reference",
    responses((status = 200, description = "The API reference as a page to read"))
)]
/// The API reference, readable in a browser.
pub async fn reference() -> HttpResponse {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| {
        serde_json::from_str::<Value>(json())
            .map(|doc| render(&doc))
            .unwrap_or_default()
    });
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(page.as_str())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema reference or type, as a reader wants to see it.
fn type_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("array of {}", type_name(items));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let names: Vec<String> = options.iter().map(type_name).collect();
            return names.join(" or ");
        }
    }
    match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        Some(Value::String(kind)) => match schema.get("enum").and_then(Value::as_array) {
            Some(values) => values
                .iter()
                .map(|v| format!("<code>{}</code>", escape(&v.to_string())))
                .collect::<Vec<_>>()
                .join(" | "),
            None => kind.clone(),
        },
        _ => "any".to_owned(),
    }
}

fn body_type(content: Option<&Value>) -> Option<String> {
    let content = content?.as_object()?;
    let (_, media) = content.iter().next()?;
    Some(type_name(media.get("schema")?))
}

/// The reference page: every path with its methods, then every schema.
fn render(doc: &Value) -> String {
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Backoffice access API reference</title></head><body>\n",
    );
    let info = &doc["info"];
    let _ = write!(
        html,
        "<h1>{}</h1>\n<p>{}</p>\n<p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {}).</p>\n",
        escape(info["title"].as_str().unwrap_or("API")),
        escape(info["description"].as_str().unwrap_or("")),
        escape(doc["openapi"].as_str().unwrap_or(""))
    );
    html.push_str("<h2>Endpoints</h2>\n");
    for (path, methods) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in methods.as_object().into_iter().flatten() {
            let _ = writeln!(
                html,
                "<section><h3><code>{} {}</code></h3>",
                method.to_uppercase(),
                escape(path)
            );
            for key in ["summary", "description"] {
                if let Some(text) = operation[key].as_str() {
                    let _ = writeln!(html, "<p>{}</p>", escape(text));
                }
            }
            if operation.get("security").is_some() {
                html.push_str("<p>Needs a bearer access token.</p>\n");
            }
            if let Some(params) = operation["parameters"].as_array() {
                html.push_str("<p>Parameters:</p><ul>\n");
                for param in params {
                    let _ = writeln!(
                        html,
                        "<li><code>{}</code> ({}, {}){}</li>",
                        escape(param["name"].as_str().unwrap_or("")),
                        escape(param["in"].as_str().unwrap_or("")),
                        type_name(&param["schema"]),
                        param["description"]
                            .as_str()
                            .map(|d| format!(": {}", escape(d)))
                            .unwrap_or_default()
                    );
                }
                html.push_str("</ul>\n");
            }
            if let Some(body) = body_type(operation["requestBody"].get("content")) {
                let _ = writeln!(html, "<p>Request body: {body}</p>");
            }
            html.push_str("<p>Responses:</p><ul>\n");
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let _ = writeln!(
                    html,
                    "<li><strong>{}</strong> {}{}</li>",
                    escape(status),
                    escape(response["description"].as_str().unwrap_or("")),
                    body_type(response.get("content"))
                        .map(|t| format!(": {t}"))
                        .unwrap_or_default()
                );
            }
            html.push_str("</ul></section>\n");
        }
    }
    html.push_str("<h2>Schemas</h2>\n");
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let _ = writeln!(
            html,
            "<section id=\"schema-{0}\"><h3>{0}</h3>",
            escape(name)
        );
        if let Some(text) = schema["description"].as_str() {
            let _ = writeln!(html, "<p>{}</p>", escape(text));
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match schema["properties"].as_object() {
            Some(properties) => {
                html.push_str("<ul>\n");
                for (field, property) in properties {
                    let _ = writeln!(
                        html,
                        "<li><code>{}</code>{}: {}{}</li>",
                        escape(field),
                        if required.contains(&field.as_str()) {
                            ""
                        } else {
                            " (optional)"
                        },
                        type_name(property),
                        property["description"]
                            .as_str()
                            .map(|d| format!(". {}", escape(d)))
                            .unwrap_or_default()
                    );
                }
                html.push_str("</ul>\n");
            }
            None => {
                let _ = writeln!(html, "<p>{}</p>", type_name(schema));
            }
        }
        html.push_str("</section>\n");
    }
    html.push_str("</body></html>\n");
    html
}
