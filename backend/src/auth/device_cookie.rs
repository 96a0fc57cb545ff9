//! Device cookies (OWASP): a browser that signed in to an account receives
//! a sealed note "this browser signed in as this account", and attempts
//! that show it are throttled on their own (`throttle`), so strangers who
//! hammer the account from elsewhere cannot lock its owner out.
//!
//! The note is sealed with a key derived from the deployment's secret key:
//! nobody can forge one, or read the account out of it. A browser keeps
//! notes for its last few accounts in one cookie.

use crate::auth::secret_key::SecretKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use rand::RngCore;
use std::sync::Arc;

/// How long a browser stays known without signing in again.
pub const LIFETIME: std::time::Duration = std::time::Duration::from_secs(180 * 86_400);
/// Notes one browser keeps (the newest accounts first).
const MAX_ACCOUNTS: usize = 4;
const PURPOSE: &str = "device-cookie";

#[derive(Clone)]
pub struct DeviceCookies {
    secret: Arc<SecretKey>,
}

/// What one note says.
struct Note {
    tenant_id: String,
    username: String,
    device_id: String,
    issued_at: i64,
}

impl DeviceCookies {
    pub fn new(secret: Arc<SecretKey>) -> Self {
        DeviceCookies { secret }
    }

    fn open(&self, sealed: &str) -> Option<Note> {
        let plain = String::from_utf8(self.secret.open(PURPOSE, sealed).ok()?).ok()?;
        let mut parts = plain.splitn(4, '\n');
        Some(Note {
            issued_at: parts.next()?.parse().ok()?,
            device_id: parts.next()?.to_owned(),
            tenant_id: parts.next()?.to_owned(),
            username: parts.next()?.to_owned(),
        })
    }

    fn fresh(note: &Note, now: NaiveDateTime) -> bool {
        let lifetime = i64::try_from(LIFETIME.as_secs()).unwrap_or(i64::MAX);
        now.and_utc().timestamp() - note.issued_at < lifetime
    }

    /// The device id `cookie` holds for this account, if it holds a valid
    /// one.
    pub fn recognise(
        &self,
        cookie: &str,
        tenant_id: &str,
        username: &str,
        now: NaiveDateTime,
    ) -> Option<String> {
        cookie
            .split('.')
            .take(MAX_ACCOUNTS)
            .filter_map(|sealed| self.open(sealed))
            .find(|note| {
                note.tenant_id == tenant_id && note.username == username && Self::fresh(note, now)
            })
            .map(|note| note.device_id)
    }

    /// The cookie's value after a successful sign-in: a new note for this
    /// account first, then the browser's other valid notes.
    pub fn after_sign_in(
        &self,
        cookie: Option<&str>,
        tenant_id: &str,
        username: &str,
        now: NaiveDateTime,
    ) -> String {
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let note = format!(
            "{}\n{}\n{tenant_id}\n{username}",
            now.and_utc().timestamp(),
            URL_SAFE_NO_PAD.encode(id)
        );
        let mut notes = vec![self.secret.seal(PURPOSE, note.as_bytes())];
        for sealed in cookie.unwrap_or("").split('.').take(MAX_ACCOUNTS) {
            let keep = self.open(sealed).is_some_and(|other| {
                Self::fresh(&other, now)
                    && !(other.tenant_id == tenant_id && other.username == username)
            });
            if keep && notes.len() < MAX_ACCOUNTS {
                notes.push(sealed.to_owned());
            }
        }
        notes.join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + days * 86_400, 0)
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn a_note_names_one_account_of_one_tenant_until_it_expires() {
        let cookies = DeviceCookies::new(Arc::new(SecretKey::for_tests(3)));
        let value = cookies.after_sign_in(None, "t1", "anna", at(0));
        let device = cookies.recognise(&value, "t1", "anna", at(1));
        assert!(device.is_some());
        assert_eq!(cookies.recognise(&value, "t1", "bob", at(1)), None);
        assert_eq!(cookies.recognise(&value, "t2", "anna", at(1)), None);
        assert_eq!(cookies.recognise(&value, "t1", "anna", at(181)), None);
        let forged = DeviceCookies::new(Arc::new(SecretKey::for_tests(4))).after_sign_in(
            None,
            "t1",
            "anna",
            at(0),
        );
        assert_eq!(cookies.recognise(&forged, "t1", "anna", at(1)), None);
    }

    #[test]
    fn a_browser_keeps_notes_for_its_last_accounts() {
        let cookies = DeviceCookies::new(Arc::new(SecretKey::for_tests(3)));
        let mut value = cookies.after_sign_in(None, "t1", "anna", at(0));
        for name in ["bob", "carl", "dora"] {
            value = cookies.after_sign_in(Some(&value), "t1", name, at(0));
        }
        assert!(cookies.recognise(&value, "t1", "anna", at(0)).is_some());
        assert!(cookies.recognise(&value, "t1", "dora", at(0)).is_some());
        let value = cookies.after_sign_in(Some(&value), "t1", "emil", at(0));
        assert!(cookies.recognise(&value, "t1", "anna", at(0)).is_none());
        assert!(cookies.recognise(&value, "t1", "emil", at(0)).is_some());
        // Signing in again replaces the account's note rather than adding one.
        let again = cookies.after_sign_in(Some(&value), "t1", "emil", at(0));
        assert_eq!(again.split('.').count(), 4);
    }
}
