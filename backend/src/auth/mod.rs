//! Authentication: passwords, tokens, sessions, brute-force protection and
//! the OpenID Connect relying party.

pub mod device_cookie;
pub mod jwt;
pub mod keys;
pub mod oidc;
pub mod password;
#[cfg(test)]
mod phc_compat;
pub mod secret_key;
pub mod secret_token;
pub mod session_tokens;
pub mod throttle;
