//! `/api/v1/me…`: the signed-in person's own account: profile, password and
//! sessions. Every handler acts on the account of the access token, never
//! on an id from the request.

pub mod password;
pub mod profile;
pub mod sessions;
