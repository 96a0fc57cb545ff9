//! What only HTTP needs: problem documents, the caller's facts, the tenant
//! and authentication extractors, JSON bodies, cookies, headers and the
//! access log. The
//! flows below know nothing of it.

pub mod access_log;
pub mod authenticated;
pub mod client;
pub mod cookies;
pub mod error;
pub mod json_body;
pub mod problem_fallback;
pub mod security_headers;
pub mod tenant;
