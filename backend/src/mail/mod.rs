//! Mail: what the flows send (reset links, password change notices), how it
//! is worded in each language, and how it leaves. Flows put a [`Mail`] in
//! the outbox inside their own transaction; the background worker delivers
//! it over SMTP, or into files in the data folder when no SMTP server is
//! configured.

pub mod outbox;
pub mod templates;
pub mod transport;

use serde::{Deserialize, Serialize};

/// One message, ready to send: what the outbox seals and the worker sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mail {
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link the mail carries, printed to the console when mail goes to
    /// files, so a local user can follow it.
    #[serde(default)]
    pub link: Option<String>,
}

/// What a mail is, as the outbox and the logs name it.
pub mod kind {
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const PASSWORD_CHANGED: &str = "password_changed";
    pub const INVITATION: &str = "invitation";
}
