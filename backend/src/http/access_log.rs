//! The access log line: the caller, the request, the status, the size and
//! the time. A single sign-on callback's query (the authorization code and
//! the state) is never written: the path alone is.

use actix_web::dev::ServiceRequest;
use actix_web::middleware::Logger;

/// Paths whose query string carries secrets.
const SECRET_QUERIES: [&str; 1] = ["/api/v1/auth/sso/callback"];

/// The logger every replica runs (health checks are left out).
pub fn logger() -> Logger {
    Logger::new("%a \"%{request}xi\" %s %b %Dms")
        .custom_request_replace("request", request_line)
        .exclude("/healthz")
}

fn request_line(req: &ServiceRequest) -> String {
    line(
        req.method().as_str(),
        req.path(),
        req.query_string(),
        req.version(),
    )
}

fn line(method: &str, path: &str, query: &str, version: actix_web::http::Version) -> String {
    let query = if query.is_empty() {
        String::new()
    } else if SECRET_QUERIES.contains(&path) {
        "?…".to_owned()
    } else {
        format!("?{query}")
    };
    format!("{method} {path}{query} {version:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::Version;

    #[test]
    fn a_callback_logs_no_code_and_other_requests_log_as_they_came() {
        let callback = line(
            "GET",
            "/api/v1/auth/sso/callback",
            "code=secret-code&state=secret-state",
            Version::HTTP_11,
        );
        assert_eq!(callback, "GET /api/v1/auth/sso/callback?… HTTP/1.1");
        assert_eq!(
            line("GET", "/api/v1/users", "page=2", Version::HTTP_11),
            "GET /api/v1/users?page=2 HTTP/1.1"
        );
    }
}
