//! The one error type of the HTTP layer. Every failure leaves the server as
//! an RFC 9457 problem document with a stable `code`; the cause of an
//! unexpected failure is logged, never shown.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use shared::password_policy::PasswordProblem;
use shared::{Problem, ProblemCode};
use std::collections::BTreeMap;
use std::fmt;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ProblemCode,
    title: &'static str,
    detail: Option<String>,
    errors: BTreeMap<String, Vec<String>>,
    error_codes: BTreeMap<String, Vec<String>>,
    source: Option<anyhow::Error>,
    /// Seconds for `Retry-After`.
    retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ProblemCode, title: &'static str) -> Self {
        ApiError {
            status,
            code,
            title,
            detail: None,
            errors: BTreeMap::new(),
            error_codes: BTreeMap::new(),
            source: None,
            retry_after: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Wrong password, unknown username or a locked account: one answer for
    /// all, so it tells nobody which accounts exist.
    pub fn invalid_credentials() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ProblemCode::InvalidCredentials,
            "Incorrect username or password.",
        )
    }

    pub fn account_inactive() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::AccountInactive,
            "This account is inactive. Contact your administrator.",
        )
    }

    /// A missing, malformed, expired or revoked access token.
    pub fn invalid_token() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ProblemCode::InvalidToken,
            "Sign in again: the access token is missing, expired or revoked.",
        )
    }

    pub fn invalid_refresh_token() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ProblemCode::InvalidRefreshToken,
            "Sign in again: the session has ended.",
        )
    }

    /// Too many sign-ins are waiting for a hashing thread: answered at
    /// once, without a hash.
    pub fn busy() -> Self {
        let mut error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::ServiceBusy,
            "Too many sign-ins at once. Try again in a moment.",
        );
        error.retry_after = Some(1);
        error
    }

    pub fn unknown_tenant() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ProblemCode::UnknownTenant,
            "This address does not belong to any Backoffice tenant.",
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            "There is nothing here.",
        )
    }

    /// Signed in, but this is not for this account's role.
    pub fn forbidden() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::Forbidden,
            "Your role does not allow this.",
        )
    }

    pub fn forbidden_origin() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::ForbiddenOrigin,
            "The request came from another site.",
        )
    }

    pub fn bad_request(code: ProblemCode, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, "The request is malformed.")
            .with_detail(detail)
    }

    /// Well-formed JSON whose fields break the rules; messages per field.
    pub fn validation(errors: BTreeMap<String, Vec<String>>) -> Self {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::ValidationFailed,
            "Some fields are not valid.",
        );
        error.errors = errors;
        error
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::validation(BTreeMap::from([(field.to_owned(), vec![message.into()])]))
    }

    /// Everything a new password breaks, with each rule's stable code.
    pub fn password_problems(field: &str, problems: &[PasswordProblem]) -> Self {
        let mut error = ApiError::validation(BTreeMap::from([(
            field.to_owned(),
            problems.iter().map(ToString::to_string).collect(),
        )]));
        error.error_codes = BTreeMap::from([(
            field.to_owned(),
            problems.iter().map(|p| p.code().to_owned()).collect(),
        )]);
        error
    }

    /// Fields at fault: (field, stable code, words) each.
    pub fn fields(faults: Vec<(&str, &str, String)>) -> Self {
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (field, code, message) in faults {
            errors.entry(field.to_owned()).or_default().push(message);
            codes
                .entry(field.to_owned())
                .or_default()
                .push(code.to_owned());
        }
        let mut error = ApiError::validation(errors);
        error.error_codes = codes;
        error
    }

    /// The same fields at fault, answered as `409` with `code`: the value
    /// is well-formed but taken.
    pub fn with_status_conflict(mut self, code: ProblemCode) -> Self {
        self.status = StatusCode::CONFLICT;
        self.code = code;
        self.title = "The value is taken.";
        self
    }

    /// A change that cannot be made in the state things are in.
    pub fn conflict(code: ProblemCode, title: &'static str) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, title)
    }

    /// One field at fault, with its stable code.
    pub fn field_code(field: &str, code: &str, message: &str) -> Self {
        let mut error = ApiError::field(field, message);
        error.error_codes = BTreeMap::from([(field.to_owned(), vec![code.to_owned()])]);
        error
    }

    /// The account's password was set by someone else: it must choose its
    /// own (`POST /api/v1/me/password`) before anything else.
    pub fn password_change_required() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::PasswordChangeRequired,
            "Choose a new password first: this one was set by someone else.",
        )
    }

    pub fn password_managed_by_sso() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::PasswordManagedBySso,
            "This account signs in through single sign-on: its password is managed by the identity provider.",
        )
    }

    /// Too many wrong passwords from here: a growing wait, as for sign-in.
    pub fn too_many_attempts() -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemCode::TooManyAttempts,
            "Too many wrong passwords. Wait a few minutes and try again.",
        )
    }

    /// A reset link that cannot be used, and why, in words the page can
    /// show as they are.
    pub fn reset_link(code: ProblemCode) -> Self {
        let (status, title) = match code {
            ProblemCode::ResetLinkExpired => (
                StatusCode::GONE,
                "This link has expired. Request a new one.",
            ),
            ProblemCode::ResetLinkUsed => (
                StatusCode::GONE,
                "This link has already been used. Request a new one if you need to.",
            ),
            ProblemCode::ResetLinkReplaced => (
                StatusCode::GONE,
                "This link has been replaced by a newer one. Use the latest email, or request a new link.",
            ),
            _ => (
                StatusCode::BAD_REQUEST,
                "This link is not valid. Request a new one.",
            ),
        };
        let code = match code {
            ProblemCode::ResetLinkExpired
            | ProblemCode::ResetLinkUsed
            | ProblemCode::ResetLinkReplaced => code,
            _ => ProblemCode::ResetLinkInvalid,
        };
        ApiError::new(status, code, title)
    }

    /// A failure that is the server's fault: logged with its cause, shown as
    /// a bare 500.
    pub fn unexpected(source: impl Into<anyhow::Error>, context: &'static str) -> Self {
        let mut error = ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemCode::InternalError,
            "Something went wrong on our side. Try again later.",
        );
        error.source = Some(source.into().context(context));
        error
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("/problems/{}", self.code.as_str().replace('_', "-")),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
            error_codes: self.error_codes.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.title, self.code.as_str())?;
        if let Some(source) = &self.source {
            write!(f, ": {source:#}")?;
        }
        Ok(())
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
        ApiError::unexpected(error, "database")
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(source) = &self.source {
            tracing::error!(error = format!("{source:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED && self.code == ProblemCode::InvalidToken {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}
