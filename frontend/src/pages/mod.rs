//! One module per screen a person can land on.

pub mod account;
pub mod choose_password;
pub mod facility;
pub mod forgot_password;
pub mod home;
pub mod login;
pub mod reset_password;
pub mod server_unavailable;
pub mod unknown_tenant;
pub mod users;
