//! Errors that arise outside our handlers (no route, wrong method, a body
//! over the limit, a framework extractor) still leave as problem documents.

use crate::http::error::{ApiError, PROBLEM_CONTENT_TYPE};
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use shared::ProblemCode;

fn problem_for(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            ProblemCode::MethodNotAllowed,
            "This method is not allowed here.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            ProblemCode::PayloadTooLarge,
            "The request body is too large.",
        ),
        s if s.is_server_error() => ApiError::unexpected(
            anyhow::anyhow!("{s} without a problem document"),
            "framework error",
        ),
        s => ApiError::new(
            s,
            ProblemCode::BadRequest,
            "The request could not be handled.",
        ),
    }
}

pub async fn ensure(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let response = next.call(req).await?;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_CONTENT_TYPE.as_bytes());
    let is_spa_file = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if !status.is_client_error() && !status.is_server_error() || is_problem || is_spa_file {
        return Ok(response.map_into_left_body());
    }
    let (req, _) = response.into_parts();
    let problem = problem_for(status).error_response();
    Ok(ServiceResponse::new(req, problem).map_into_right_body())
}
