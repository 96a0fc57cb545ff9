//! Authentication: passwords, tokens, sessions and brute-force protection.

pub mod access;
pub mod client;
pub mod jwt;
pub mod keys;
pub mod password;
pub mod refresh_cookie;
pub mod secret_token;
pub mod session_tokens;
pub mod throttle;
