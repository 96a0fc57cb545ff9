//! One module per screen a person can land on.

pub mod account;
pub mod facility;
pub mod home;
pub mod login;
pub mod server_unavailable;
pub mod unknown_tenant;
