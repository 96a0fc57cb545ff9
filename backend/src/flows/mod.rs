//! The rules of each flow, one module per flow. A flow takes the narrow
//! values it needs (a database handle, the hasher, a slice of settings),
//! never the application state and nothing of actix.

pub mod password_change;
pub mod password_reset;
pub mod sign_in;
mod sso_accounts;
pub mod sso_login;
pub mod sso_providers;
pub mod users;

use crate::mail::templates::{self, Change, Recipient};
use crate::mail::Mail;
use crate::model::user::User;
use chrono::NaiveDateTime;

/// The notice to an account's owner that its password changed at `now`, if
/// the account has an email address.
fn password_changed_notice(
    user: &User,
    tenant_name: &str,
    now: NaiveDateTime,
    change: Change,
) -> Option<Mail> {
    let address = user.email.as_deref().filter(|e| !e.trim().is_empty())?;
    let name = user.display_name();
    Some(templates::password_changed(
        &Recipient {
            address,
            name: &name,
            username: &user.username,
            locale: &user.locale,
        },
        tenant_name,
        &now.format("%Y-%m-%d %H:%M UTC").to_string(),
        change,
    ))
}
