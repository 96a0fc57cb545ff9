//! How request bodies become typed values, and how every way that can fail
//! becomes a 4xx problem document: wrong content type, too large, not JSON,
//! wrong shape.

use crate::http::error::ApiError;
use actix_web::error::JsonPayloadError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use serde::de::DeserializeOwned;
use shared::ProblemCode;

/// The largest JSON body any endpoint accepts.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn problem_for_serde(error: &serde_json::Error) -> ApiError {
    if error.is_data() {
        let mut errors = std::collections::BTreeMap::new();
        errors.insert("body".to_owned(), vec![error.to_string()]);
        ApiError::validation(errors)
    } else {
        ApiError::bad_request(
            ProblemCode::MalformedJson,
            format!("The body is not valid JSON: {error}"),
        )
    }
}

fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ProblemCode::PayloadTooLarge,
        "The request body is too large.",
    )
    .with_detail(format!("At most {MAX_BODY_BYTES} bytes are accepted."))
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ProblemCode::UnsupportedMediaType,
        "Send the body as application/json.",
    )
}

/// The `web::Json` configuration for the whole API.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|error, _req| {
            let problem = match &error {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => payload_too_large(),
                JsonPayloadError::ContentType => unsupported_media_type(),
                JsonPayloadError::Deserialize(e) | JsonPayloadError::Serialize(e) => {
                    problem_for_serde(e)
                }
                _ => ApiError::bad_request(
                    ProblemCode::UnreadableBody,
                    "The request body could not be read.",
                ),
            };
            problem.into()
        })
}

/// The raw-body limit, for endpoints whose JSON body is optional.
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_BODY_BYTES)
}

/// An optional JSON body: empty means the default value.
pub fn optional<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let is_json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let essence = value.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case("application/json")
        });
    if !is_json {
        return Err(unsupported_media_type());
    }
    serde_json::from_slice(body).map_err(|e| problem_for_serde(&e))
}
