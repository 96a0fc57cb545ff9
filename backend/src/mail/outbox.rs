//! The outbox as flows and the worker use it: a flow puts a sealed mail in
//! its own transaction; the worker claims due rows, sends them, and notes
//! the outcome, trying again with a growing pause while the mail server is
//! down. Nothing is lost on a restart (the rows wait in the database), and
//! a claim lets only one replica send each row.

use super::transport::{SendError, Transport};
use super::Mail;
use crate::auth::secret_key::SecretKey;
use crate::db::{Database, DbConnection, DbError};
use crate::model::outbox::OutboxRow;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The purpose the secret key seals mail for.
const SEAL_PURPOSE: &str = "outbox mail v1";
/// How long a worker holds a claimed row: well beyond one SMTP
/// conversation, so a row is never sent twice while it is being sent.
const CLAIM: TimeDelta = TimeDelta::minutes(5);
/// The first pause after a failed attempt; it doubles up to [`MAX_PAUSE`].
const FIRST_PAUSE: TimeDelta = TimeDelta::seconds(2);
const MAX_PAUSE: TimeDelta = TimeDelta::minutes(10);
/// Rows handled per pass.
const BATCH: i64 = 20;

/// What one pass of the worker found.
pub struct Progress {
    /// The pass took a full batch: there may be more due at once.
    pub full: bool,
}

#[derive(Clone)]
pub struct Outbox {
    secret: Arc<SecretKey>,
    /// This process's name in claims.
    worker: String,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(secret: Arc<SecretKey>) -> Self {
        Outbox {
            secret,
            worker: crate::model::new_id(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Puts `mail` in the outbox as part of the caller's transaction.
    pub fn put(
        &self,
        conn: &mut DbConnection,
        tenant_id: &str,
        kind: &str,
        mail: &Mail,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        let json = serde_json::to_vec(mail).unwrap_or_default();
        OutboxRow {
            id: crate::model::new_id(),
            tenant_id: tenant_id.to_owned(),
            kind: kind.to_owned(),
            sealed_message: Some(self.secret.seal(SEAL_PURPOSE, &json)),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            claimed_by: None,
            claimed_until: None,
            sent_at: None,
            last_error: None,
        }
        .insert(conn)
    }

    /// Tells this process's worker that there is work (after a commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits until woken or until `at_most` has passed.
    pub async fn sleep(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.wake.notified()).await;
    }

    /// Sends what is due (one batch).
    pub async fn deliver_due(
        &self,
        db: &Database,
        transport: &Transport,
    ) -> Result<Progress, DbError> {
        let now = crate::model::now();
        let due = db
            .read(move |conn| Ok(OutboxRow::due(conn, now, BATCH)?))
            .await?;
        let full = due.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
        for row in due {
            self.deliver(db, transport, row).await?;
        }
        Ok(Progress { full })
    }

    async fn deliver(
        &self,
        db: &Database,
        transport: &Transport,
        row: OutboxRow,
    ) -> Result<bool, DbError> {
        let (id, worker) = (row.id.clone(), self.worker.clone());
        let now = crate::model::now();
        let claimed = db
            .write(move |conn| Ok(OutboxRow::claim(conn, &id, &worker, now, now + CLAIM)?))
            .await?;
        if !claimed {
            return Ok(false);
        }
        let outcome = match self.open(&row) {
            Ok(mail) => transport.send(&row.id, &mail).await,
            Err(error) => Err(error),
        };
        let (id, worker) = (row.id.clone(), self.worker.clone());
        let now = crate::model::now();
        match outcome {
            Ok(()) => {
                db.write(move |conn| Ok(OutboxRow::mark_sent(conn, &id, &worker, now)?))
                    .await?;
                tracing::debug!(id = %row.id, kind = %row.kind, "mail sent");
                Ok(true)
            }
            Err(SendError::Temporary(error)) => {
                let retry_at = now + pause_after(row.attempts + 1);
                tracing::warn!(id = %row.id, kind = %row.kind, attempt = row.attempts + 1, %error, %retry_at, "mail not sent; will try again");
                db.write(move |conn| {
                    Ok(OutboxRow::mark_failed(
                        conn, &id, &worker, &error, retry_at,
                    )?)
                })
                .await?;
                Ok(false)
            }
            Err(SendError::Permanent(error)) => {
                tracing::error!(id = %row.id, kind = %row.kind, %error, "mail cannot be sent; giving up");
                db.write(move |conn| Ok(OutboxRow::give_up(conn, &id, &worker, &error)?))
                    .await?;
                Ok(false)
            }
        }
    }

    fn open(&self, row: &OutboxRow) -> Result<Mail, SendError> {
        let sealed = row
            .sealed_message
            .as_deref()
            .ok_or_else(|| SendError::Permanent("the message was erased".to_owned()))?;
        let json = self.secret.open(SEAL_PURPOSE, sealed).map_err(|_| {
            SendError::Permanent(
                "the message cannot be opened with this secret key (BACKOFFICE_SECRET_KEY_FILE)"
                    .to_owned(),
            )
        })?;
        serde_json::from_slice(&json).map_err(|e| SendError::Permanent(e.to_string()))
    }
}

/// The pause before attempt `attempts + 1`: doubling from [`FIRST_PAUSE`]
/// up to [`MAX_PAUSE`].
fn pause_after(attempts: i32) -> TimeDelta {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    FIRST_PAUSE
        .checked_mul(1 << doublings)
        .unwrap_or(MAX_PAUSE)
        .min(MAX_PAUSE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_a_ceiling() {
        assert_eq!(pause_after(1), TimeDelta::seconds(2));
        assert_eq!(pause_after(2), TimeDelta::seconds(4));
        assert_eq!(pause_after(5), TimeDelta::seconds(32));
        assert_eq!(pause_after(12), MAX_PAUSE);
        assert_eq!(pause_after(i32::MAX), MAX_PAUSE);
    }

    #[test]
    fn a_mail_is_sealed_and_opens_only_with_its_key() {
        let mail = Mail {
            to_address: "anna@acme.example".to_owned(),
            to_name: "Anna".to_owned(),
            subject: "s".to_owned(),
            text: "secret link".to_owned(),
            html: "<p>secret link</p>".to_owned(),
            link: Some("http://x#token=t".to_owned()),
        };
        let outbox = Outbox::new(Arc::new(SecretKey::for_tests(7)));
        let sealed = outbox
            .secret
            .seal(SEAL_PURPOSE, &serde_json::to_vec(&mail).unwrap_or_default());
        assert!(!sealed.contains("secret"));
        let row = OutboxRow {
            id: "1".to_owned(),
            tenant_id: "t".to_owned(),
            kind: "k".to_owned(),
            sealed_message: Some(sealed),
            created_at: crate::model::now(),
            attempts: 0,
            next_attempt_at: crate::model::now(),
            claimed_by: None,
            claimed_until: None,
            sent_at: None,
            last_error: None,
        };
        assert_eq!(outbox.open(&row).ok(), Some(mail));
        let other = Outbox::new(Arc::new(SecretKey::for_tests(8)));
        assert!(matches!(other.open(&row), Err(SendError::Permanent(_))));
    }
}
