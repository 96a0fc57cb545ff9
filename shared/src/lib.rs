//! The contract between the backend and the frontend: request and response
//! types of the JSON API, and the account rules both sides must apply alike
//! (usernames, roles, the password policy), so the browser shows the same
//! rules before it sends as the server enforces after.

pub mod api;
pub mod locale;
pub mod password_policy;
pub mod problem;
pub mod role;
pub mod sso;
pub mod username;

pub mod account;
pub mod admin;

pub use account::{AccountStatus, SignInMethod};
pub use problem::{Problem, ProblemCode};
pub use role::Role;
